package io.portcullis.gateway.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** A real identity provider's key endpoint on loopback that also mints RS256 access tokens. */
public final class JwksServer implements AutoCloseable {
  public static final String ISSUER = "https://idp.example.test";
  public static final String AUDIENCE = "portcullis";

  private final HttpServer server;
  private final RSAKey key;

  private JwksServer(HttpServer server, RSAKey key) {
    this.server = server;
    this.key = key;
  }

  public static JwksServer start() throws IOException, JOSEException {
    RSAKey key = new RSAKeyGenerator(2048).keyID("test-key-1").generate();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    server.createContext(
        "/jwks",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return new JwksServer(server, key);
  }

  public URI jwksUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
  }

  /** A token for {@code user} valid from now for {@code lifetime} (negative: already expired). */
  public String token(String user, Duration lifetime) throws JOSEException {
    Instant now = Instant.now();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .subject("sub-" + user)
            .claim("preferred_username", user)
            .claim("scope", "mail")
            .issueTime(Date.from(now.minusSeconds(600)))
            .notBeforeTime(Date.from(now.minusSeconds(600)))
            .expirationTime(Date.from(now.plus(lifetime)))
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
