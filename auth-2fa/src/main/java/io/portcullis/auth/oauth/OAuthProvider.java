package io.portcullis.auth.oauth;

import io.portcullis.auth.Secret;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An OAuth2 authorization server that issues tokens for upstream mailboxes: its endpoints, the
 * scopes to ask for, and this gateway's client registration. Immutable; the client secret is never
 * printed.
 *
 * @param name the provider's name in the configuration
 * @param authorizationEndpoint RFC 6749 §3.1
 * @param tokenEndpoint RFC 6749 §3.2
 * @param deviceEndpoint RFC 8628 §3.1, if the provider offers the device grant
 * @param revocationEndpoint RFC 7009, if the provider offers it
 * @param scopes what to ask for (IMAP/POP access and offline access)
 * @param clientId the registered client
 * @param clientSecret empty for a public client (PKCE protects the code)
 * @param authorizationParameters extra query parameters for the authorization request
 */
public record OAuthProvider(
    String name,
    URI authorizationEndpoint,
    URI tokenEndpoint,
    Optional<URI> deviceEndpoint,
    Optional<URI> revocationEndpoint,
    List<String> scopes,
    String clientId,
    Optional<Secret> clientSecret,
    Map<String, String> authorizationParameters) {

  /** Google's scope for IMAP, POP and SMTP (there is no narrower one). */
  public static final String GOOGLE_MAIL_SCOPE = "https://mail.google.com/";

  /** Microsoft identity platform v2.0 scopes for IMAP and POP, and for refresh tokens. */
  public static final List<String> MICROSOFT_SCOPES =
      List.of(
          "https://outlook.office.com/IMAP.AccessAsUser.All",
          "https://outlook.office.com/POP.AccessAsUser.All",
          "offline_access");

  /**
   * @throws IllegalArgumentException if an endpoint is not https (plain http only to a loopback IP
   *     literal, for tests), or a required value is missing
   */
  public OAuthProvider {
    Objects.requireNonNull(name, "name");
    requireSafe(authorizationEndpoint, "authorization-endpoint");
    requireSafe(tokenEndpoint, "token-endpoint");
    deviceEndpoint.ifPresent(u -> requireSafe(u, "device-endpoint"));
    revocationEndpoint.ifPresent(u -> requireSafe(u, "revocation-endpoint"));
    scopes = List.copyOf(scopes);
    if (scopes.isEmpty()) {
      throw new IllegalArgumentException("provider " + name + ": scopes must not be empty");
    }
    if (clientId == null || clientId.isBlank()) {
      throw new IllegalArgumentException("provider " + name + ": client-id is required");
    }
    Objects.requireNonNull(clientSecret, "clientSecret");
    authorizationParameters = Map.copyOf(authorizationParameters);
  }

  /**
   * Google: offline access and a consent prompt, so that every authorisation returns a refresh
   * token (Google returns one only on consent).
   */
  public static OAuthProvider google(String name, String clientId, Optional<Secret> clientSecret) {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("access_type", "offline");
    parameters.put("prompt", "consent");
    return new OAuthProvider(
        name,
        URI.create("https://accounts.google.com/o/oauth2/v2/auth"),
        URI.create("https://oauth2.googleapis.com/token"),
        Optional.of(URI.create("https://oauth2.googleapis.com/device/code")),
        Optional.of(URI.create("https://oauth2.googleapis.com/revoke")),
        List.of(GOOGLE_MAIL_SCOPE),
        clientId,
        clientSecret,
        parameters);
  }

  /**
   * Microsoft identity platform v2.0.
   *
   * @param tenant {@code common} (work/school and personal accounts), {@code organizations}, {@code
   *     consumers}, or a tenant id or domain
   */
  public static OAuthProvider microsoft(
      String name, String tenant, String clientId, Optional<Secret> clientSecret) {
    if (tenant == null || !tenant.matches("[A-Za-z0-9.-]{1,100}")) {
      throw new IllegalArgumentException(
          "provider " + name + ": tenant must be common, organizations, consumers or a tenant id");
    }
    String base = "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/";
    return new OAuthProvider(
        name,
        URI.create(base + "authorize"),
        URI.create(base + "token"),
        Optional.of(URI.create(base + "devicecode")),
        Optional.empty(),
        MICROSOFT_SCOPES,
        clientId,
        clientSecret,
        Map.of());
  }

  private void requireSafe(URI uri, String key) {
    Objects.requireNonNull(uri, key);
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    if (scheme.equals("https") && uri.getHost() != null) {
      return;
    }
    if (scheme.equals("http") && isLoopback(uri.getHost())) {
      return;
    }
    throw new IllegalArgumentException(
        "provider " + name + ": " + key + " must be an https URL (http only on loopback)");
  }

  private static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    try {
      // Only literal addresses: a name is not resolved here.
      return host.matches("[0-9.]+|\\[[0-9a-fA-F:]+\\]")
          && InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "OAuthProvider[name="
        + name
        + ", token-endpoint="
        + tokenEndpoint
        + ", client-id="
        + clientId
        + ", client-secret="
        + (clientSecret.isPresent() ? "<redacted>" : "none")
        + "]";
  }
}
