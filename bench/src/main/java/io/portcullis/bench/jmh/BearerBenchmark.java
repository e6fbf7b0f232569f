package io.portcullis.bench.jmh;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.auth.Secret;
import io.portcullis.auth.bearer.BearerResult;
import io.portcullis.auth.bearer.BearerSettings;
import io.portcullis.auth.bearer.BearerValidator;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bearer JWT validation (RFC 9068) as the gateway does it: parse, algorithm allow-list, signature
 * against a cached JWKS served by a real HTTP server on loopback, claims. Includes the hop to the
 * validator's virtual thread, which is part of the cost a login pays.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BearerBenchmark {
  private static final String ISSUER = "https://idp.bench.invalid";
  private static final String AUDIENCE = "portcullis";

  @Param({"ES256", "RS256"})
  public String algorithm;

  private HttpServer jwks;
  private BearerValidator validator;
  private Secret token;
  private Secret tampered;

  @Setup
  public void setUp() throws Exception {
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    byte[] body =
        new JWKSet(List.of(ec.toPublicJWK(), rsa.toPublicJWK()))
            .toString()
            .getBytes(StandardCharsets.UTF_8);
    jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    jwks.createContext(
        "/jwks",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    jwks.start();
    URI uri = URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks");
    validator = new BearerValidator(BearerSettings.of(uri, ISSUER, AUDIENCE), Clock.systemUTC());

    boolean isEc = algorithm.equals("ES256");
    String jwt =
        sign(
            isEc ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256,
            isEc ? "ec-1" : "rsa-1",
            isEc ? new ECDSASigner(ec) : new RSASSASigner(rsa));
    token = Secret.of(jwt);
    // Same header and claims, one signature character changed: a full verification that fails.
    int last = jwt.length() - 2;
    tampered =
        Secret.of(
            jwt.substring(0, last) + (jwt.charAt(last) == 'A' ? 'B' : 'A') + jwt.charAt(last + 1));
    if (!(validator.validate(token).join() instanceof BearerResult.Valid)) {
      throw new IllegalStateException("bench token does not validate");
    }
  }

  private static String sign(JWSAlgorithm alg, String kid, JWSSigner signer) throws JOSEException {
    Instant now = Instant.now();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .subject("user-1")
            .claim("preferred_username", "alice@corp.example")
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(Duration.ofHours(2))))
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  @TearDown
  public void tearDown() {
    validator.close();
    jwks.stop(0);
  }

  @Benchmark
  public BearerResult validToken() {
    return validator.validate(token).join();
  }

  @Benchmark
  public BearerResult badSignature() {
    return validator.validate(tampered).join();
  }
}
