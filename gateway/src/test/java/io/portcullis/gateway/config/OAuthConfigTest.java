package io.portcullis.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.auth.oauth.OAuthProvider;
import io.portcullis.auth.oauth.OAuthSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code oauth:} as docs/oauth.md and examples/portcullis.yml write it. */
class OAuthConfigTest {
  /** The commented example in examples/portcullis.yml, uncommented. */
  private static String example() throws Exception {
    String text = Files.readString(Path.of("..", "examples", "portcullis.yml"));
    int start = text.indexOf("# oauth:");
    assertThat(start).as("examples/portcullis.yml has a commented oauth: example").isPositive();
    return text.substring(start)
        .lines()
        .takeWhile(l -> l.startsWith("#"))
        .map(l -> l.length() > 2 ? l.substring(2) : "")
        .collect(Collectors.joining("\n"));
  }

  @Test
  void commentedExampleShouldLoadAndMapOntoBrokerSettings() throws Exception {
    String yaml = example().replace("client-secret-file: /etc/portcullis/google-client-secret", "");
    GatewayConfig config = ConfigLoader.parse("example", yaml);

    OAuthSettings settings =
        config.oauth().toSettings(Path.of("data"), Optional.of(Path.of("k.key")));

    OAuthProvider m365 = settings.providers().get("m365");
    assertThat(m365.tokenEndpoint())
        .hasToString("https://login.microsoftonline.com/organizations/oauth2/v2.0/token");
    assertThat(m365.scopes())
        .containsExactly(
            "https://outlook.office.com/IMAP.AccessAsUser.All",
            "https://outlook.office.com/POP.AccessAsUser.All",
            "offline_access");
    assertThat(settings.providers().get("gmail").scopes())
        .containsExactly("https://mail.google.com/");
    assertThat(settings.providers().get("gmail").authorizationParameters())
        .containsEntry("access_type", "offline");
    assertThat(settings.account("m365-alice").orElseThrow().owner()).isEqualTo("alice@example.com");
    assertThat(settings.account("m365-sales").orElseThrow().shared()).isTrue();
    assertThat(settings.storeFile()).isEqualTo(Path.of("portcullis-data/oauth-tokens.json"));
    assertThat(settings.keyFile()).contains(Path.of("k.key"));
    assertThat(settings.refreshTimeout()).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void unknownProviderTypeShouldBeNamedWithItsKey() {
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    "c.yml",
                    """
                    oauth:
                      providers:
                        mail:
                          type: yahoo
                          client-id: x
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("c.yml:3:5: oauth.providers.mail: ")
        .hasMessageContaining("type is 'yahoo' (expected one of: google, microsoft, generic)");
  }

  @Test
  void accountWithAnUnknownProviderShouldBeRefused() throws Exception {
    GatewayConfig config =
        ConfigLoader.parse(
            "c.yml",
            """
            oauth:
              accounts:
                a:
                  provider: nowhere
                  login-user: a@example.com
            """);
    assertThatThrownBy(() -> config.oauth().toSettings(Path.of("d"), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("oauth account a: unknown provider 'nowhere'");
  }

  @Test
  void plainHttpTokenEndpointOffLoopbackShouldBeRefused() throws Exception {
    GatewayConfig config =
        ConfigLoader.parse(
            "c.yml",
            """
            oauth:
              providers:
                corp:
                  client-id: x
                  authorization-endpoint: https://sso.example.com/authorize
                  token-endpoint: http://sso.example.com/token
                  scopes: [mail]
            """);
    assertThatThrownBy(() -> config.oauth().toSettings(Path.of("d"), Optional.empty()))
        .hasMessageContaining("oauth.providers.corp")
        .hasMessageContaining("token-endpoint must be an https URL");
  }
}
