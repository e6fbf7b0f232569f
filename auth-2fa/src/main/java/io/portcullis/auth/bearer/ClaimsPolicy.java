package io.portcullis.auth.bearer;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks the claims of a token whose signature (or introspection) was verified: exp, nbf, iat with
 * bounded skew against the injected clock, iss, aud, scopes, and the user claim. Thread-safe.
 */
final class ClaimsPolicy implements JWTClaimsSetVerifier<SecurityContext> {
  /** A claim check failed; the message is the audit reason code. */
  static final class Rejected extends BadJWTException {
    Rejected(String reason) {
      super(reason);
    }
  }

  private final BearerSettings settings;
  private final Clock clock;

  ClaimsPolicy(BearerSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
    check(claims);
  }

  /**
   * @return the result for claims that passed; throws {@link Rejected} otherwise
   */
  BearerResult.Valid check(JWTClaimsSet claims) throws Rejected {
    Instant now = clock.instant();
    Instant early = now.minus(settings.maxClockSkew());
    Instant late = now.plus(settings.maxClockSkew());
    Date exp = claims.getExpirationTime();
    if (exp == null || !exp.toInstant().isAfter(early)) {
      throw new Rejected("token-expired");
    }
    Date nbf = claims.getNotBeforeTime();
    Date iat = claims.getIssueTime();
    if ((nbf != null && nbf.toInstant().isAfter(late))
        || (iat != null && iat.toInstant().isAfter(late))) {
      throw new Rejected("token-not-yet-valid");
    }
    if (!settings.issuer().equals(claims.getIssuer())) {
      throw new Rejected("wrong-issuer");
    }
    List<String> audience = claims.getAudience();
    if (audience == null || audience.stream().noneMatch(settings.audiences()::contains)) {
      throw new Rejected("wrong-audience");
    }
    Set<String> scopes = scopes(claims);
    if (!scopes.containsAll(settings.requiredScopes())) {
      throw new Rejected("missing-scope");
    }
    String user;
    try {
      user = claims.getStringClaim(settings.userClaim());
    } catch (ParseException e) {
      throw new Rejected("missing-user-claim");
    }
    if (user == null || user.isEmpty() || user.length() > 256 || !printable(user)) {
      throw new Rejected("missing-user-claim");
    }
    String subject = claims.getSubject() == null ? "" : claims.getSubject();
    return new BearerResult.Valid(user, subject, scopes, exp.toInstant());
  }

  /** {@code scope} (RFC 8693 §4.2, space-separated) or {@code scp} (Microsoft, string or list). */
  private static Set<String> scopes(JWTClaimsSet claims) {
    Set<String> scopes = new HashSet<>();
    for (String name : new String[] {"scope", "scp"}) {
      Object value = claims.getClaim(name);
      if (value instanceof String s) {
        scopes.addAll(List.of(s.trim().split("\\s+")));
      } else if (value instanceof List<?> list) {
        list.forEach(item -> scopes.add(String.valueOf(item)));
      }
    }
    scopes.remove("");
    return scopes;
  }

  private static boolean printable(String s) {
    return s.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
  }
}
