package io.portcullis.auth.bearer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.portcullis.auth.Secret;
import java.io.IOException;
import java.net.MalformedURLException;
import java.text.ParseException;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Validates client bearer tokens: JWTs against the issuer's JWKS (cached, refetched on an unknown
 * {@code kid}, rate limited) with an algorithm allow-list, or opaque tokens by RFC 7662
 * introspection. Work runs on virtual threads, never on the caller's thread. Thread-safe.
 */
public final class BearerValidator implements AutoCloseable {
  private final BearerSettings settings;
  private final ClaimsPolicy claims;
  private final DefaultJWTProcessor<SecurityContext> processor;
  private final Set<JWSAlgorithm> algorithms;
  private final Optional<Introspector> introspector;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  public BearerValidator(BearerSettings settings, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.claims = new ClaimsPolicy(settings, Objects.requireNonNull(clock, "clock"));
    this.algorithms =
        settings.algorithms().stream()
            .map(JWSAlgorithm::parse)
            .collect(Collectors.toUnmodifiableSet());
    int timeout = (int) settings.httpTimeout().toMillis();
    JWKSource<SecurityContext> keys;
    try {
      keys =
          JWKSourceBuilder.create(
                  settings.jwksUri().toURL(),
                  new DefaultResourceRetriever(timeout, timeout, 256 * 1024))
              .cache(settings.jwksCacheTtl().toMillis(), timeout)
              .rateLimited(settings.jwksMinRefreshInterval().toMillis())
              .build();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("jwks-uri is not a URL: " + settings.jwksUri(), e);
    }
    this.processor = new DefaultJWTProcessor<>();
    processor.setJWSTypeVerifier(
        new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT,
            new JOSEObjectType("at+jwt"),
            new JOSEObjectType("application/at+jwt"),
            null));
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
    processor.setJWTClaimsSetVerifier(claims);
    this.introspector = settings.introspection().map(i -> new Introspector(i, settings));
  }

  /** Validates {@code token} off the calling thread; the future never completes exceptionally. */
  public CompletableFuture<BearerResult> validate(Secret token) {
    String value = token.reveal();
    long limit = settings.httpTimeout().toMillis() * 2 + 1000;
    return CompletableFuture.supplyAsync(() -> validateNow(value), executor)
        .completeOnTimeout(new BearerResult.Unavailable("timeout"), limit, TimeUnit.MILLISECONDS)
        .exceptionally(e -> new BearerResult.Unavailable("internal-error"));
  }

  private BearerResult validateNow(String token) {
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      return introspector
          .map(i -> introspect(i, token))
          .orElse(new BearerResult.Invalid("malformed-token"));
    }
    if (jwt instanceof PlainJWT) {
      return new BearerResult.Invalid("unsigned-token");
    }
    if (jwt instanceof EncryptedJWT || !(jwt instanceof SignedJWT signed)) {
      return new BearerResult.Invalid("malformed-token");
    }
    if (!algorithms.contains(signed.getHeader().getAlgorithm())) {
      return new BearerResult.Invalid("algorithm-not-allowed");
    }
    try {
      JWTClaimsSet verified = processor.process(signed, null);
      return claims.check(verified);
    } catch (ClaimsPolicy.Rejected e) {
      return new BearerResult.Invalid(e.getMessage());
    } catch (RateLimitReachedException e) {
      // The cached keys lack this kid and a refetch happened moments ago: the kid is unknown.
      return new BearerResult.Invalid("unknown-key");
    } catch (KeySourceException e) {
      return new BearerResult.Unavailable("jwks-unavailable");
    } catch (BadJWSException e) {
      return new BearerResult.Invalid(
          e.getMessage() != null && e.getMessage().contains("no matching key")
              ? "unknown-key"
              : "bad-signature");
    } catch (BadJOSEException e) {
      // The key selector found no key for this kid and algorithm, even after refetching the JWKS.
      return new BearerResult.Invalid(
          e.getMessage() != null && e.getMessage().contains("type")
              ? "malformed-token"
              : "unknown-key");
    } catch (JOSEException e) {
      return new BearerResult.Invalid("bad-signature");
    }
  }

  private BearerResult introspect(Introspector introspector, String token) {
    try {
      return claims.check(introspector.introspect(token));
    } catch (ClaimsPolicy.Rejected e) {
      return new BearerResult.Invalid(e.getMessage());
    } catch (IOException e) {
      return new BearerResult.Unavailable("introspection-unavailable");
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
