package io.portcullis.auth.sasl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.auth.BearerCredentials;
import io.portcullis.auth.ExternalCredentials;
import io.portcullis.auth.PasswordCredentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SaslSessionTest {
  private static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln";

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static SaslSession session(SaslMechanism mechanism) {
    return SaslSession.start(mechanism, SaslLimits.DEFAULT);
  }

  static PasswordCredentials password(SaslStep step) {
    assertThat(step).isInstanceOf(SaslStep.Done.class);
    return (PasswordCredentials) ((SaslStep.Done) step).credentials();
  }

  static BearerCredentials bearer(SaslStep step) {
    assertThat(step).isInstanceOf(SaslStep.Done.class);
    return (BearerCredentials) ((SaslStep.Done) step).credentials();
  }

  static String failure(SaslStep step) {
    assertThat(step).isInstanceOf(SaslStep.Failed.class);
    return ((SaslStep.Failed) step).reason();
  }

  static String challengeText(SaslStep step) {
    assertThat(step).isInstanceOf(SaslStep.Challenge.class);
    return new String(((SaslStep.Challenge) step).data(), StandardCharsets.UTF_8);
  }

  @Nested
  class Plain {
    @Test
    void initialResponseShouldYieldUserAndPassword() {
      PasswordCredentials c =
          password(session(SaslMechanism.PLAIN).begin(Optional.of(b64("\0alice\0s3cret"))));
      assertThat(c.user()).isEqualTo("alice");
      assertThat(c.authzid()).isEmpty();
      assertThat(c.password().reveal()).isEqualTo("s3cret");
    }

    @Test
    void emptyChallengeThenResponseShouldYieldCredentialsWithAuthzid() {
      SaslSession s = session(SaslMechanism.PLAIN);
      assertThat(challengeText(s.begin(Optional.empty()))).isEmpty();
      PasswordCredentials c = password(s.respond(b64("admin\0alice\0pw")));
      assertThat(c.authzid()).isEqualTo("admin");
      assertThat(c.user()).isEqualTo("alice");
    }

    @Test
    void passwordMayContainNonAsciiUtf8() {
      PasswordCredentials c =
          password(session(SaslMechanism.PLAIN).begin(Optional.of(b64("\0jürgen\0pässwörd€"))));
      assertThat(c.password().reveal()).isEqualTo("pässwörd€");
    }

    @Test
    void cancelShouldFail() {
      SaslSession s = session(SaslMechanism.PLAIN);
      s.begin(Optional.empty());
      assertThat(failure(s.respond("*"))).isEqualTo("cancelled");
    }

    @Test
    void cancelAsInitialResponseShouldFail() {
      assertThat(failure(session(SaslMechanism.PLAIN).begin(Optional.of("*"))))
          .isEqualTo("cancelled");
    }

    @Test
    void badBase64ShouldFail() {
      SaslSession s = session(SaslMechanism.PLAIN);
      s.begin(Optional.empty());
      assertThat(failure(s.respond("not base64!"))).isEqualTo("bad-base64");
    }

    @Test
    void base64WithPaddingInTheMiddleShouldFail() {
      assertThat(failure(session(SaslMechanism.PLAIN).begin(Optional.of("QQ==QQ=="))))
          .isEqualTo("bad-base64");
    }

    @Test
    void emptyInitialResponseMarkerShouldFailAsEmpty() {
      assertThat(failure(session(SaslMechanism.PLAIN).begin(Optional.of("="))))
          .isEqualTo("empty-response");
    }

    @Test
    void bareEmptyInitialResponseShouldBeRefusedAsBadBase64() {
      assertThat(failure(session(SaslMechanism.PLAIN).begin(Optional.of(""))))
          .isEqualTo("bad-base64");
    }

    @Test
    void emptyContinuationShouldFail() {
      SaslSession s = session(SaslMechanism.PLAIN);
      s.begin(Optional.empty());
      assertThat(failure(s.respond(""))).isEqualTo("empty-response");
    }

    @Test
    void oneNulShouldFail() {
      assertThat(failure(session(SaslMechanism.PLAIN).begin(Optional.of(b64("alice\0pw")))))
          .isEqualTo("malformed");
    }

    @Test
    void threeNulsShouldFail() {
      assertThat(failure(session(SaslMechanism.PLAIN).begin(Optional.of(b64("\0alice\0pw\0x")))))
          .isEqualTo("malformed");
    }

    @Test
    void emptyUserOrPasswordShouldFail() {
      assertThat(failure(session(SaslMechanism.PLAIN).begin(Optional.of(b64("\0\0pw")))))
          .isEqualTo("malformed");
      assertThat(failure(session(SaslMechanism.PLAIN).begin(Optional.of(b64("\0alice\0")))))
          .isEqualTo("malformed");
    }

    @Test
    void userWithCrLfShouldFailAsInjection() {
      assertThat(
              failure(
                  session(SaslMechanism.PLAIN).begin(Optional.of(b64("\0alice\r\na LOGOUT\0pw")))))
          .isEqualTo("malformed");
    }

    @Test
    void invalidUtf8ShouldFail() {
      byte[] bad = {0, 'a', (byte) 0xC0, (byte) 0xAF, 0, 'p'};
      assertThat(
              failure(
                  session(SaslMechanism.PLAIN)
                      .begin(Optional.of(Base64.getEncoder().encodeToString(bad)))))
          .isEqualTo("malformed");
    }

    @Test
    void oversizedResponseShouldFailWithoutDecoding() {
      String huge = "A".repeat(12 * 1024);
      assertThat(failure(session(SaslMechanism.PLAIN).begin(Optional.of(huge))))
          .isEqualTo("response-too-long");
    }

    @Test
    void responseAfterCompletionShouldFail() {
      SaslSession s = session(SaslMechanism.PLAIN);
      s.begin(Optional.of(b64("\0alice\0pw")));
      assertThat(failure(s.respond(b64("\0alice\0pw")))).isEqualTo("unexpected-response");
    }

    @Test
    void beginTwiceShouldThrow() {
      SaslSession s = session(SaslMechanism.PLAIN);
      s.begin(Optional.empty());
      assertThatThrownBy(() -> s.begin(Optional.empty())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void credentialsToStringShouldNotContainPassword() {
      PasswordCredentials c =
          password(session(SaslMechanism.PLAIN).begin(Optional.of(b64("\0alice\0hunter2"))));
      assertThat(c.toString()).contains("alice").doesNotContain("hunter2");
    }
  }

  @Nested
  class Login {
    @Test
    void usernameThenPasswordShouldYieldCredentials() {
      SaslSession s = session(SaslMechanism.LOGIN);
      assertThat(challengeText(s.begin(Optional.empty()))).isEqualTo("Username:");
      assertThat(challengeText(s.respond(b64("alice")))).isEqualTo("Password:");
      PasswordCredentials c = password(s.respond(b64("s3cret")));
      assertThat(c.user()).isEqualTo("alice");
      assertThat(c.password().reveal()).isEqualTo("s3cret");
    }

    @Test
    void initialResponseShouldBeTheUsername() {
      SaslSession s = session(SaslMechanism.LOGIN);
      assertThat(challengeText(s.begin(Optional.of(b64("alice"))))).isEqualTo("Password:");
      assertThat(password(s.respond(b64("pw"))).user()).isEqualTo("alice");
    }

    @Test
    void cancelAtPasswordShouldFail() {
      SaslSession s = session(SaslMechanism.LOGIN);
      s.begin(Optional.empty());
      s.respond(b64("alice"));
      assertThat(failure(s.respond("*"))).isEqualTo("cancelled");
    }

    @Test
    void emptyUsernameShouldFail() {
      SaslSession s = session(SaslMechanism.LOGIN);
      s.begin(Optional.empty());
      assertThat(failure(s.respond(""))).isEqualTo("empty-response");
    }

    @Test
    void emptyPasswordShouldFail() {
      SaslSession s = session(SaslMechanism.LOGIN);
      s.begin(Optional.empty());
      s.respond(b64("alice"));
      assertThat(failure(s.respond(""))).isEqualTo("empty-response");
    }

    @Test
    void badBase64AtPasswordShouldFail() {
      SaslSession s = session(SaslMechanism.LOGIN);
      s.begin(Optional.empty());
      s.respond(b64("alice"));
      assertThat(failure(s.respond("abc"))).isEqualTo("bad-base64");
    }

    @Test
    void passwordWithNulShouldFail() {
      SaslSession s = session(SaslMechanism.LOGIN);
      s.begin(Optional.empty());
      s.respond(b64("alice"));
      assertThat(failure(s.respond(b64("a\0b")))).isEqualTo("malformed");
    }
  }

  @Nested
  class XOAuth2 {
    @Test
    void initialResponseShouldYieldUserAndToken() {
      BearerCredentials c =
          bearer(
              session(SaslMechanism.XOAUTH2)
                  .begin(Optional.of(b64("user=alice@example.com\1auth=Bearer " + JWT + "\1\1"))));
      assertThat(c.user()).isEqualTo("alice@example.com");
      assertThat(c.token().reveal()).isEqualTo(JWT);
      assertThat(c.mechanism()).isEqualTo(SaslMechanism.XOAUTH2);
      assertThat(c.toString()).doesNotContain(JWT);
    }

    @Test
    void missingFinalSeparatorsShouldFail() {
      assertThat(
              failure(
                  session(SaslMechanism.XOAUTH2)
                      .begin(Optional.of(b64("user=alice\1auth=Bearer " + JWT)))))
          .isEqualTo("malformed");
    }

    @Test
    void wrongSchemeShouldFail() {
      assertThat(
              failure(
                  session(SaslMechanism.XOAUTH2)
                      .begin(Optional.of(b64("user=alice\1auth=Basic YWxpY2U=\1\1")))))
          .isEqualTo("malformed");
    }

    @Test
    void oversizedTokenShouldFail() {
      String token = "a".repeat(SaslLimits.DEFAULT.maxTokenBytes() + 1);
      assertThat(
              failure(
                  session(SaslMechanism.XOAUTH2)
                      .begin(Optional.of(b64("user=alice\1auth=Bearer " + token + "\1\1")))))
          .isEqualTo("token-too-long");
    }

    @Test
    void refusedTokenShouldSendJsonChallengeThenFailOnEmptyResponse() {
      SaslSession s = session(SaslMechanism.XOAUTH2);
      s.begin(Optional.empty());
      bearer(s.respond(b64("user=alice\1auth=Bearer " + JWT + "\1\1")));
      String json =
          new String(
              s.rejectToken(BearerError.invalidToken(), "bad-token").data(),
              StandardCharsets.UTF_8);
      assertThat(json).isEqualTo("{\"status\":\"401\",\"schemes\":\"bearer\"}");
      assertThat(failure(s.respond(""))).isEqualTo("bad-token");
    }
  }

  @Nested
  class OAuthBearer {
    private static final String MESSAGE =
        "n,a=alice@example.com,\1host=imap.example.com\1port=993\1auth=Bearer " + JWT + "\1\1";

    @Test
    void rfc7628ExampleShapeShouldYieldUserAndToken() {
      BearerCredentials c =
          bearer(session(SaslMechanism.OAUTHBEARER).begin(Optional.of(b64(MESSAGE))));
      assertThat(c.user()).isEqualTo("alice@example.com");
      assertThat(c.token().reveal()).isEqualTo(JWT);
    }

    @Test
    void headerWithoutAuthzidShouldLeaveUserEmpty() {
      BearerCredentials c =
          bearer(
              session(SaslMechanism.OAUTHBEARER)
                  .begin(Optional.of(b64("n,,\1auth=Bearer " + JWT + "\1\1"))));
      assertThat(c.user()).isEmpty();
    }

    @Test
    void escapedAuthzidShouldBeDecoded() {
      BearerCredentials c =
          bearer(
              session(SaslMechanism.OAUTHBEARER)
                  .begin(Optional.of(b64("y,a=a=2Cb=3Dc,\1auth=Bearer " + JWT + "\1\1"))));
      assertThat(c.user()).isEqualTo("a,b=c");
    }

    @Test
    void malformedGs2HeaderShouldSendInvalidRequestChallengeThenFail() {
      SaslSession s = session(SaslMechanism.OAUTHBEARER);
      assertThat(
              challengeText(s.begin(Optional.of(b64("x,a=alice,\1auth=Bearer " + JWT + "\1\1")))))
          .isEqualTo("{\"status\":\"invalid_request\"}");
      assertThat(failure(s.respond(b64("\1")))).isEqualTo("malformed");
    }

    @Test
    void channelBindingShouldBeRefused() {
      SaslSession s = session(SaslMechanism.OAUTHBEARER);
      assertThat(
              challengeText(
                  s.begin(Optional.of(b64("p=tls-unique,,\1auth=Bearer " + JWT + "\1\1")))))
          .contains("invalid_request");
    }

    @Test
    void badAuthzidEscapeShouldBeRefused() {
      SaslSession s = session(SaslMechanism.OAUTHBEARER);
      assertThat(
              challengeText(
                  s.begin(Optional.of(b64("n,a=al=41ice,\1auth=Bearer " + JWT + "\1\1")))))
          .contains("invalid_request");
    }

    @Test
    void missingFinalSeparatorsShouldBeRefused() {
      SaslSession s = session(SaslMechanism.OAUTHBEARER);
      assertThat(challengeText(s.begin(Optional.of(b64("n,,\1auth=Bearer " + JWT + "\1")))))
          .contains("invalid_request");
      assertThat(failure(s.respond(b64("\1")))).isEqualTo("malformed");
    }

    @Test
    void missingAuthKeyShouldBeRefused() {
      SaslSession s = session(SaslMechanism.OAUTHBEARER);
      assertThat(challengeText(s.begin(Optional.of(b64("n,,\1host=x\1\1")))))
          .contains("invalid_request");
    }

    @Test
    void duplicateAuthKeyShouldBeRefused() {
      SaslSession s = session(SaslMechanism.OAUTHBEARER);
      assertThat(
              challengeText(
                  s.begin(Optional.of(b64("n,,\1auth=Bearer " + JWT + "\1auth=Bearer x\1\1")))))
          .contains("invalid_request");
    }

    @Test
    void refusedTokenShouldSendRfc7628JsonThenFailOnKvsepResponse() {
      SaslSession s = session(SaslMechanism.OAUTHBEARER);
      bearer(s.begin(Optional.of(b64(MESSAGE))));
      String json =
          new String(
              s.rejectToken(
                      new BearerError(
                          "invalid_token",
                          "mail",
                          "https://idp.example.com/.well-known/openid-configuration"),
                      "token-expired")
                  .data(),
              StandardCharsets.UTF_8);
      assertThat(json)
          .isEqualTo(
              "{\"status\":\"invalid_token\",\"scope\":\"mail\",\"openid-configuration\":"
                  + "\"https://idp.example.com/.well-known/openid-configuration\"}");
      assertThat(failure(s.respond(b64("\1")))).isEqualTo("token-expired");
      assertThat(failure(s.respond(b64("\1")))).isEqualTo("unexpected-response");
    }

    @Test
    void cancelInsteadOfErrorAcknowledgementShouldFailAsCancelled() {
      SaslSession s = session(SaslMechanism.OAUTHBEARER);
      bearer(s.begin(Optional.of(b64(MESSAGE))));
      s.rejectToken(BearerError.invalidToken(), "bad-token");
      assertThat(failure(s.respond("*"))).isEqualTo("cancelled");
    }

    @Test
    void emptyChallengeThenMessageShouldWork() {
      SaslSession s = session(SaslMechanism.OAUTHBEARER);
      assertThat(challengeText(s.begin(Optional.empty()))).isEmpty();
      bearer(s.respond(b64(MESSAGE)));
    }

    @Test
    void rejectTokenForPasswordMechanismShouldThrow() {
      SaslSession s = session(SaslMechanism.PLAIN);
      s.begin(Optional.of(b64("\0alice\0pw")));
      assertThatThrownBy(() -> s.rejectToken(BearerError.invalidToken(), "x"))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Nested
  class External {
    @Test
    void emptyInitialResponseShouldMeanCertificateIdentity() {
      SaslStep step = session(SaslMechanism.EXTERNAL).begin(Optional.of("="));
      assertThat(((SaslStep.Done) step).credentials()).isEqualTo(new ExternalCredentials(""));
    }

    @Test
    void authzidShouldBeCarried() {
      SaslSession s = session(SaslMechanism.EXTERNAL);
      s.begin(Optional.empty());
      SaslStep step = s.respond(b64("bob"));
      assertThat(((SaslStep.Done) step).credentials()).isEqualTo(new ExternalCredentials("bob"));
    }
  }

  @Test
  void mechanismNamesShouldBeCaseInsensitive() {
    assertThat(SaslMechanism.byName("oauthbearer")).contains(SaslMechanism.OAUTHBEARER);
    assertThat(SaslMechanism.byName("CRAM-MD5")).isEmpty();
  }

  @Test
  void challengeShouldBeEncodedAsBase64() {
    assertThat(SaslCodec.encodeChallenge("Username:".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("VXNlcm5hbWU6");
  }
}
