package io.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.auth.bearer.BearerSettings;
import io.portcullis.auth.directory.UserDirectory;
import io.portcullis.auth.directory.UserRecord;
import io.portcullis.auth.password.Argon2Cost;
import io.portcullis.auth.password.PasswordHasher;
import io.portcullis.auth.sasl.BearerError;
import io.portcullis.auth.sasl.SaslLimits;
import io.portcullis.auth.sasl.SaslMechanism;
import io.portcullis.auth.sasl.SaslSession;
import io.portcullis.auth.sasl.SaslStep;
import io.portcullis.auth.secret.MasterKey;
import io.portcullis.auth.secret.SecretBox;
import io.portcullis.auth.throttle.ThrottleSettings;
import io.portcullis.auth.totp.TotpParameters;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SASL bearer mechanisms through the Authenticator in bearer mode, against a real JWKS server. */
class BearerLoginTest {
  private static final String ISSUER = "https://idp.example.com";
  private static final RSAKey KEY = generate();

  @TempDir Path dir;
  private final TestClock clock = TestClock.at(1_800_000_000);
  private HttpServer jwks;
  private PasswordHasher hasher;
  private Authenticator authenticator;

  private static RSAKey generate() {
    try {
      return new RSAKeyGenerator(2048).keyID("k1").generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] body = new JWKSet(KEY.toPublicJWK()).toString(true).getBytes(StandardCharsets.UTF_8);
    jwks.createContext(
        "/jwks",
        exchange -> {
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    jwks.start();
    hasher = new PasswordHasher(new Argon2Cost(1024, 1, 1), 1, 8);
    UserDirectory directory = UserDirectory.open(dir.resolve("users.yml"));
    directory.add(UserRecord.of("alice@example.com", "").withGroups(Set.of("staff")));
    BearerSettings bearer =
        BearerSettings.of(
            URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks"),
            ISSUER,
            "portcullis");
    AuthSettings settings =
        new AuthSettings(
            AuthSettings.Mode.BEARER,
            dir.resolve("users.yml"),
            Optional.empty(),
            new AuthSettings.SecondFactor(AuthSettings.Requirement.ALL, Set.of(), ""),
            new AuthSettings.Totp(TotpParameters.DEFAULT, "Test"),
            new AuthSettings.Password(new Argon2Cost(1024, 1, 1), 1, 8),
            ThrottleSettings.DEFAULT,
            Optional.of(bearer),
            SaslLimits.DEFAULT);
    authenticator =
        Authenticator.builder(settings)
            .clock(clock)
            .directory(directory)
            .secretBox(new SecretBox(MasterKey.generate(dir.resolve("key"), new SecureRandom())))
            .hasher(hasher)
            .build();
  }

  @AfterEach
  void tearDown() {
    authenticator.close();
    hasher.close();
    jwks.stop(0);
  }

  private String token(String user, Duration lifetime) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(),
            new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience("portcullis")
                .subject("sub-1")
                .claim("preferred_username", user)
                .issueTime(Date.from(clock.instant()))
                .expirationTime(Date.from(clock.instant().plus(lifetime)))
                .build());
    jwt.sign(new RSASSASigner(KEY));
    return jwt.serialize();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private AuthResult authenticate(SaslStep step) throws Exception {
    assertThat(step).isInstanceOf(SaslStep.Done.class);
    return authenticator
        .authenticate(
            new AuthRequest(
                ((SaslStep.Done) step).credentials(),
                InetAddress.getByName("192.0.2.1"),
                "imap",
                true))
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void oauthbearerWithValidTokenShouldAuthenticateTheDirectoryUser() throws Exception {
    SaslSession sasl = SaslSession.start(SaslMechanism.OAUTHBEARER, SaslLimits.DEFAULT);
    String message =
        "n,a=alice@example.com,\1auth=Bearer "
            + token("alice@example.com", Duration.ofMinutes(5))
            + "\1\1";
    AuthResult result = authenticate(sasl.begin(Optional.of(b64(message))));
    assertThat(result).isInstanceOf(AuthResult.Success.class);
    Principal p = ((AuthResult.Success) result).principal();
    assertThat(p.factors()).containsExactly(Factor.BEARER_TOKEN);
    assertThat(p.mechanism()).isEqualTo("OAUTHBEARER");
    assertThat(p.groups()).containsExactly("staff");
  }

  @Test
  void xoauth2UserThatDoesNotMatchTheTokenShouldFail() throws Exception {
    SaslSession sasl = SaslSession.start(SaslMechanism.XOAUTH2, SaslLimits.DEFAULT);
    String message =
        "user=bob@example.com\1auth=Bearer "
            + token("alice@example.com", Duration.ofMinutes(5))
            + "\1\1";
    AuthResult result = authenticate(sasl.begin(Optional.of(b64(message))));
    assertThat(result).isInstanceOf(AuthResult.Failure.class);
    assertThat(((AuthResult.Failure) result).reason()).isEqualTo("user-mismatch");
  }

  @Test
  void expiredTokenShouldFailThroughTheErrorChallengeThenTheClientAcknowledgement()
      throws Exception {
    String token = token("alice@example.com", Duration.ofMinutes(1));
    clock.advance(Duration.ofMinutes(5));
    SaslSession sasl = SaslSession.start(SaslMechanism.OAUTHBEARER, SaslLimits.DEFAULT);
    AuthResult result =
        authenticate(sasl.begin(Optional.of(b64("n,,\1auth=Bearer " + token + "\1\1"))));
    AuthResult.Failure failure = (AuthResult.Failure) result;
    assertThat(failure.reason()).isEqualTo("token-expired");
    assertThat(failure.delay()).isEqualTo(Duration.ofSeconds(2));
    SaslStep.Challenge challenge = sasl.rejectToken(BearerError.invalidToken(), failure.reason());
    assertThat(new String(challenge.data(), StandardCharsets.UTF_8)).contains("invalid_token");
    assertThat(sasl.respond(b64("\1"))).isEqualTo(new SaslStep.Failed("token-expired"));
  }

  @Test
  void passwordLoginShouldBeRefusedInBearerMode() throws Exception {
    AuthResult result =
        authenticator
            .authenticate(
                new AuthRequest(
                    PasswordCredentials.of("alice@example.com", Secret.of("pw")),
                    InetAddress.getByName("192.0.2.1"),
                    "pop3",
                    true))
            .get(10, TimeUnit.SECONDS);
    assertThat(result).isEqualTo(new AuthResult.Failure("mechanism-not-allowed", Duration.ZERO));
  }

  @Test
  void unreachableIdentityProviderShouldBeATemporaryFailure() throws Exception {
    jwks.stop(0);
    SaslSession sasl = SaslSession.start(SaslMechanism.OAUTHBEARER, SaslLimits.DEFAULT);
    String message =
        "n,,\1auth=Bearer " + token("alice@example.com", Duration.ofMinutes(5)) + "\1\1";
    assertThat(authenticate(sasl.begin(Optional.of(b64(message)))))
        .isInstanceOf(AuthResult.Unavailable.class);
  }
}
