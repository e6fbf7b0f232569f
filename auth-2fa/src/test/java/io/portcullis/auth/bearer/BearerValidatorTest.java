package io.portcullis.auth.bearer;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.auth.Secret;
import io.portcullis.auth.TestClock;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BearerValidatorTest {
  private static final String ISSUER = "https://idp.example.com";
  private static final String AUDIENCE = "portcullis";

  private final TestClock clock = TestClock.at(1_800_000_000);
  private final AtomicReference<JWKSet> published = new AtomicReference<>();
  private final AtomicInteger jwksHits = new AtomicInteger();
  private volatile java.util.concurrent.CountDownLatch jwksGate =
      new java.util.concurrent.CountDownLatch(0);
  private HttpServer server;
  // RSA key generation is slow on a shared machine: three keys for the whole class.
  private static final RSAKey rsa = generate("k1");
  private static final RSAKey forgedKey = generate("k1");
  private static final RSAKey otherKey = generate("k2");
  private BearerValidator validator;

  private static RSAKey generate(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static RSAKey withKid(RSAKey key, String kid) {
    return new RSAKey.Builder(key).keyID(kid).build();
  }

  @BeforeEach
  void start() throws Exception {
    published.set(new JWKSet(List.<JWK>of(rsa.toPublicJWK())));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/jwks",
        exchange -> {
          jwksHits.incrementAndGet();
          try {
            jwksGate.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body = published.get().toString(true).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.createContext(
        "/introspect",
        exchange -> {
          String form =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          String auth = exchange.getRequestHeaders().getFirst("Authorization");
          boolean client =
              ("Basic "
                      + java.util.Base64.getEncoder()
                          .encodeToString("gateway:s3cret".getBytes(StandardCharsets.UTF_8)))
                  .equals(auth);
          String body =
              client && form.startsWith("token=opaque-good&")
                  ? "{\"active\":true,\"iss\":\""
                      + ISSUER
                      + "\",\"aud\":\""
                      + AUDIENCE
                      + "\",\"scope\":\"mail.read\",\"preferred_username\":\"bob\",\"exp\":"
                      + (clock.instant().getEpochSecond() + 300)
                      + "}"
                  : "{\"active\":false}";
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(client ? 200 : 401, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
    validator = new BearerValidator(settings(Set.of("mail.read")), clock);
  }

  @AfterEach
  void stop() {
    validator.close();
    server.stop(0);
  }

  private BearerSettings settings(Set<String> scopes) {
    return new BearerSettings(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks"),
        ISSUER,
        Set.of(AUDIENCE),
        scopes,
        Set.of("RS256", "ES256"),
        "preferred_username",
        Duration.ofSeconds(60),
        Duration.ofMinutes(5),
        Duration.ofSeconds(30),
        Duration.ofSeconds(2),
        Optional.empty());
  }

  private JWTClaimsSet.Builder claims() {
    Instant now = clock.instant();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("0001")
        .claim("preferred_username", "alice@example.com")
        .claim("scope", "openid mail.read")
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(600)));
  }

  private String sign(RSAKey key, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID(key.getKeyID())
                .type(JOSEObjectType.JWT)
                .build(),
            claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  private String sign(Consumer<JWTClaimsSet.Builder> change) throws Exception {
    JWTClaimsSet.Builder builder = claims();
    change.accept(builder);
    return sign(rsa, builder.build());
  }

  private BearerResult validate(String token) throws Exception {
    return validator.validate(Secret.of(token)).get(10, TimeUnit.SECONDS);
  }

  @Test
  void validTokenShouldYieldUserFromConfiguredClaim() throws Exception {
    BearerResult result = validate(sign(b -> {}));
    assertThat(result).isInstanceOf(BearerResult.Valid.class);
    BearerResult.Valid valid = (BearerResult.Valid) result;
    assertThat(valid.user()).isEqualTo("alice@example.com");
    assertThat(valid.subject()).isEqualTo("0001");
    assertThat(valid.scopes()).contains("mail.read");
  }

  @Test
  void ecdsaTokenShouldValidateWhenAllowed() throws Exception {
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec1").generate();
    published.set(new JWKSet(List.<JWK>of(rsa.toPublicJWK(), ec.toPublicJWK())));
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec1").build(), claims().build());
    jwt.sign(new ECDSASigner(ec));
    assertThat(validate(jwt.serialize())).isInstanceOf(BearerResult.Valid.class);
  }

  @Test
  void expiredTokenShouldBeRejected() throws Exception {
    String token = sign(b -> b.expirationTime(Date.from(clock.instant().minusSeconds(61))));
    assertThat(validate(token)).isEqualTo(new BearerResult.Invalid("token-expired"));
  }

  @Test
  void tokenExpiredWithinTheSkewShouldStillBeAccepted() throws Exception {
    String token = sign(b -> b.expirationTime(Date.from(clock.instant().minusSeconds(30))));
    assertThat(validate(token)).isInstanceOf(BearerResult.Valid.class);
  }

  @Test
  void tokenThatExpiresWhileTheClockAdvancesShouldBeRejected() throws Exception {
    String token = sign(b -> {});
    clock.advance(Duration.ofMinutes(12));
    assertThat(validate(token)).isEqualTo(new BearerResult.Invalid("token-expired"));
  }

  @Test
  void notYetValidTokenShouldBeRejected() throws Exception {
    String token = sign(b -> b.notBeforeTime(Date.from(clock.instant().plusSeconds(300))));
    assertThat(validate(token)).isEqualTo(new BearerResult.Invalid("token-not-yet-valid"));
  }

  @Test
  void wrongIssuerShouldBeRejected() throws Exception {
    assertThat(validate(sign(b -> b.issuer("https://evil.example.com"))))
        .isEqualTo(new BearerResult.Invalid("wrong-issuer"));
  }

  @Test
  void wrongAudienceShouldBeRejected() throws Exception {
    assertThat(validate(sign(b -> b.audience("another-api"))))
        .isEqualTo(new BearerResult.Invalid("wrong-audience"));
  }

  @Test
  void missingScopeShouldBeRejected() throws Exception {
    assertThat(validate(sign(b -> b.claim("scope", "openid profile"))))
        .isEqualTo(new BearerResult.Invalid("missing-scope"));
  }

  @Test
  void microsoftScpClaimShouldCountAsScopes() throws Exception {
    assertThat(validate(sign(b -> b.claim("scope", null).claim("scp", "mail.read"))))
        .isInstanceOf(BearerResult.Valid.class);
  }

  @Test
  void missingUserClaimShouldBeRejected() throws Exception {
    assertThat(validate(sign(b -> b.claim("preferred_username", null))))
        .isEqualTo(new BearerResult.Invalid("missing-user-claim"));
  }

  @Test
  void badSignatureShouldBeRejected() throws Exception {
    // Signed by an attacker's key that claims the published kid.
    assertThat(validate(sign(forgedKey, claims().build())))
        .isEqualTo(new BearerResult.Invalid("bad-signature"));
  }

  @Test
  void tamperedPayloadShouldBeRejected() throws Exception {
    String[] parts = sign(b -> {}).split("\\.");
    String other = sign(b -> b.claim("preferred_username", "admin")).split("\\.")[1];
    assertThat(validate(parts[0] + "." + other + "." + parts[2]))
        .isEqualTo(new BearerResult.Invalid("bad-signature"));
  }

  @Test
  void algNoneShouldBeRejected() throws Exception {
    String token = new PlainJWT(claims().build()).serialize();
    assertThat(validate(token)).isEqualTo(new BearerResult.Invalid("unsigned-token"));
  }

  @Test
  void hs256SignedWithThePublicRsaKeyShouldBeRejectedAsAlgorithmConfusion() throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims().build());
    jwt.sign(new MACSigner(rsa.toPublicJWK().toRSAPublicKey().getEncoded()));
    assertThat(validate(jwt.serialize()))
        .isEqualTo(new BearerResult.Invalid("algorithm-not-allowed"));
  }

  @Test
  void unknownKidShouldRefetchTheJwksAndAcceptARotatedKey() throws Exception {
    assertThat(validate(sign(b -> {}))).isInstanceOf(BearerResult.Valid.class);
    RSAKey rotated = otherKey;
    published.set(new JWKSet(List.<JWK>of(rotated.toPublicJWK())));
    assertThat(validate(sign(rotated, claims().build()))).isInstanceOf(BearerResult.Valid.class);
    assertThat(jwksHits.get()).isEqualTo(2);
  }

  @Test
  void floodOfUnknownKidsShouldNotFloodTheJwksEndpoint() throws Exception {
    assertThat(validate(sign(b -> {}))).isInstanceOf(BearerResult.Valid.class);
    for (int i = 0; i < 20; i++) {
      RSAKey random = withKid(otherKey, "unknown-" + i);
      assertThat(validate(sign(random, claims().build())))
          .isEqualTo(new BearerResult.Invalid("unknown-key"));
    }
    assertThat(jwksHits.get()).isLessThanOrEqualTo(3);
  }

  @Test
  void unreachableJwksShouldBeUnavailableNotInvalid() throws Exception {
    server.stop(0);
    assertThat(validate(sign(b -> {}))).isInstanceOf(BearerResult.Unavailable.class);
  }

  private BearerValidator withIntrospection() {
    BearerSettings base = settings(Set.of("mail.read"));
    return new BearerValidator(
        new BearerSettings(
            base.jwksUri(),
            base.issuer(),
            base.audiences(),
            base.requiredScopes(),
            base.algorithms(),
            base.userClaim(),
            base.maxClockSkew(),
            base.jwksCacheTtl(),
            base.jwksMinRefreshInterval(),
            base.httpTimeout(),
            Optional.of(
                new BearerSettings.Introspection(
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/introspect"),
                    "gateway",
                    Secret.of("s3cret")))),
        clock);
  }

  @Test
  void activeOpaqueTokenShouldBeAcceptedThroughIntrospection() throws Exception {
    try (BearerValidator introspecting = withIntrospection()) {
      BearerResult result =
          introspecting.validate(Secret.of("opaque-good")).get(10, TimeUnit.SECONDS);
      assertThat(result).isInstanceOf(BearerResult.Valid.class);
      assertThat(((BearerResult.Valid) result).user()).isEqualTo("bob");
    }
  }

  @Test
  void inactiveOpaqueTokenShouldBeRejected() throws Exception {
    try (BearerValidator introspecting = withIntrospection()) {
      assertThat(introspecting.validate(Secret.of("opaque-revoked")).get(10, TimeUnit.SECONDS))
          .isEqualTo(new BearerResult.Invalid("inactive-token"));
    }
  }

  @Test
  void plainHttpJwksOnANonLoopbackHostShouldBeRefusedInSettings() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> BearerSettings.of(URI.create("http://idp.example.com/jwks"), ISSUER, AUDIENCE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https");
  }

  @Test
  void hmacOrNoneInTheAllowListShouldBeRefusedInSettings() {
    BearerSettings base = settings(Set.of());
    for (String alg : List.of("HS256", "none")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  new BearerSettings(
                      base.jwksUri(),
                      ISSUER,
                      Set.of(AUDIENCE),
                      Set.of(),
                      Set.of(alg),
                      "sub",
                      Duration.ZERO,
                      Duration.ofMinutes(5),
                      Duration.ZERO,
                      Duration.ofSeconds(1),
                      Optional.empty()))
          .hasMessageContaining("refused");
    }
  }

  @Test
  void garbageTokenShouldBeMalformed() throws Exception {
    assertThat(validate("not-a-jwt")).isEqualTo(new BearerResult.Invalid("malformed-token"));
  }

  @Test
  void validateShouldReturnBeforeTheKeysAreFetched() throws Exception {
    jwksGate = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CompletableFuture<BearerResult> pending =
        validator.validate(Secret.of(sign(b -> {})));
    assertThat(pending).isNotDone(); // the JWKS server holds its answer until released
    jwksGate.countDown();
    assertThat(pending.get(10, TimeUnit.SECONDS)).isInstanceOf(BearerResult.Valid.class);
  }
}
