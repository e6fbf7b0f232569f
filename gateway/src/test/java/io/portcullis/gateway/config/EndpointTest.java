package io.portcullis.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EndpointTest {
  @Test
  void schemesShouldMapToProtocolAndSecurity() {
    assertThat(Endpoint.parse("pop3s://mail.example.com"))
        .isEqualTo(new Endpoint(Protocol.POP3, Security.IMPLICIT_TLS, "mail.example.com", 995));
    assertThat(Endpoint.parse("pop3+starttls://10.0.0.1"))
        .isEqualTo(new Endpoint(Protocol.POP3, Security.STARTTLS, "10.0.0.1", 110));
    assertThat(Endpoint.parse("IMAPS://[::1]:1993"))
        .isEqualTo(new Endpoint(Protocol.IMAP, Security.IMPLICIT_TLS, "::1", 1993));
    assertThat(Endpoint.parse("imap+starttls://h").port()).isEqualTo(143);
  }

  @Test
  void toStringShouldParseBackToTheSameEndpoint() {
    for (String url : new String[] {"pop3://a:1", "imaps://[::1]:993", "pop3+starttls://h:110"}) {
      Endpoint e = Endpoint.parse(url);
      assertThat(Endpoint.parse(e.toString())).isEqualTo(e);
    }
  }

  @Test
  void badUrlsShouldNameTheProblem() {
    assertThatThrownBy(() -> Endpoint.parse("smtp://host"))
        .hasMessageContaining("scheme 'smtp'")
        .hasMessageContaining("pop3s");
    assertThatThrownBy(() -> Endpoint.parse("pop3s://user@host")).hasMessageContaining("no user");
    assertThatThrownBy(() -> Endpoint.parse("pop3s://host/INBOX")).hasMessageContaining("path");
    assertThatThrownBy(() -> Endpoint.parse("pop3s://:995")).hasMessageContaining("no host");
  }

  @Test
  void loopbackShouldBeRecognisedWithoutDns() {
    assertThat(Endpoint.parse("pop3://127.0.0.1:1").isLoopback()).isTrue();
    assertThat(Endpoint.parse("pop3://[::1]:1").isLoopback()).isTrue();
    assertThat(Endpoint.parse("pop3://localhost:1").isLoopback()).isTrue();
    assertThat(Endpoint.parse("pop3://0.0.0.0:1").isLoopback()).isFalse();
    assertThat(Endpoint.parse("pop3://mail.example.com:1").isLoopback()).isFalse();
  }
}
