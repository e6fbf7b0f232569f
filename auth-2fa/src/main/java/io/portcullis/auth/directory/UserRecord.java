package io.portcullis.auth.directory;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One user of the local directory. Immutable; changes produce a new record through the {@code with}
 * methods and are persisted by {@link UserDirectory#update}.
 *
 * @param name login name: letters, digits, {@code . _ @ + -}; no control characters (THREATS P3)
 * @param passwordHash PHC or Dovecot-style hash; empty means password login is disabled
 * @param groups group names for the second-factor requirement and, later, policy
 * @param secondFactor per-user override of the global requirement
 * @param totp the TOTP enrolment, if any
 * @param recoveryCodes digests of unused recovery codes
 * @param appPasswords issued app passwords
 * @param upstream how to log in upstream, if mapped
 */
public record UserRecord(
    String name,
    String passwordHash,
    Set<String> groups,
    SecondFactorRule secondFactor,
    Optional<TotpEnrolment> totp,
    List<String> recoveryCodes,
    List<AppPassword> appPasswords,
    Optional<UpstreamMapping> upstream) {

  /** Names of users, groups and app passwords. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}");

  public UserRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(passwordHash, "passwordHash");
    Objects.requireNonNull(secondFactor, "secondFactor");
    Objects.requireNonNull(totp, "totp");
    Objects.requireNonNull(upstream, "upstream");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("user name must match " + NAME.pattern());
    }
    groups = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(groups));
    for (String g : groups) {
      if (!NAME.matcher(g).matches()) {
        throw new IllegalArgumentException("group name must match " + NAME.pattern());
      }
    }
    recoveryCodes = List.copyOf(recoveryCodes);
    appPasswords = List.copyOf(appPasswords);
    if (appPasswords.stream().map(AppPassword::name).distinct().count() != appPasswords.size()) {
      throw new IllegalArgumentException("app password names must be unique per user");
    }
  }

  /** A user with a password hash and nothing else. */
  public static UserRecord of(String name, String passwordHash) {
    return new UserRecord(
        name,
        passwordHash,
        Set.of(),
        SecondFactorRule.DEFAULT,
        Optional.empty(),
        List.of(),
        List.of(),
        Optional.empty());
  }

  public UserRecord withPasswordHash(String hash) {
    return new UserRecord(
        name, hash, groups, secondFactor, totp, recoveryCodes, appPasswords, upstream);
  }

  public UserRecord withGroups(Set<String> newGroups) {
    return new UserRecord(
        name, passwordHash, newGroups, secondFactor, totp, recoveryCodes, appPasswords, upstream);
  }

  public UserRecord withSecondFactor(SecondFactorRule rule) {
    return new UserRecord(
        name, passwordHash, groups, rule, totp, recoveryCodes, appPasswords, upstream);
  }

  public UserRecord withTotp(Optional<TotpEnrolment> enrolment) {
    return new UserRecord(
        name, passwordHash, groups, secondFactor, enrolment, recoveryCodes, appPasswords, upstream);
  }

  public UserRecord withRecoveryCodes(List<String> digests) {
    return new UserRecord(
        name, passwordHash, groups, secondFactor, totp, digests, appPasswords, upstream);
  }

  public UserRecord withAppPasswords(List<AppPassword> list) {
    return new UserRecord(
        name, passwordHash, groups, secondFactor, totp, recoveryCodes, list, upstream);
  }

  public UserRecord withUpstream(Optional<UpstreamMapping> mapping) {
    return new UserRecord(
        name, passwordHash, groups, secondFactor, totp, recoveryCodes, appPasswords, mapping);
  }

  /** The confirmed TOTP enrolment, if any; an unconfirmed one cannot be used to log in. */
  public Optional<TotpEnrolment> confirmedTotp() {
    return totp.filter(TotpEnrolment::confirmed);
  }

  @Override
  public String toString() {
    // Hashes and sealed blobs are not secrets, but they do not belong in logs either.
    return "UserRecord[name="
        + name
        + ", groups="
        + groups
        + ", secondFactor="
        + secondFactor
        + ", totp="
        + totp.map(t -> t.confirmed() ? "confirmed" : "pending").orElse("none")
        + ", appPasswords="
        + appPasswords.stream().map(AppPassword::name).toList()
        + "]";
  }
}
