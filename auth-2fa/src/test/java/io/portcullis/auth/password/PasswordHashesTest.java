package io.portcullis.auth.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class PasswordHashesTest {
  private static final Argon2Cost FAST = new Argon2Cost(1024, 1, 1);

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // Known answers produced by the Argon2 reference implementation (Debian "argon2" 20190702):
  // echo -n password | argon2 somesaltsomesalt -id -t 2 -m 10 -p 1 -l 32 -e
  private static final String ARGON2_REFERENCE =
      "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CKGe5/bX9YnCq2rxjW5yQXKxn31v1GKzhDCrMc6r6vA";
  // echo -n "correct horse" | argon2 saltsaltsaltsalt -id -t 3 -m 12 -p 2 -l 32 -e
  private static final String ARGON2_REFERENCE_P2 =
      "$argon2id$v=19$m=4096,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$BPLyWyvnAcpmA7B4Brd/0YfLNtAXIiKNyEMWc7UqNQw";

  @Test
  void argon2idShouldMatchReferenceImplementationVectors() {
    assertThat(PasswordHashes.matches(utf8("password"), ARGON2_REFERENCE)).isTrue();
    assertThat(PasswordHashes.matches(utf8("correct horse"), ARGON2_REFERENCE_P2)).isTrue();
    assertThat(PasswordHashes.matches(utf8("Password"), ARGON2_REFERENCE)).isFalse();
  }

  @Test
  void argon2idShouldRecomputeTheReferenceHashExactly() {
    Argon2idHash parsed = Argon2idHash.parse(ARGON2_REFERENCE).orElseThrow();
    assertThat(Argon2idHash.create(utf8("password"), parsed.salt(), parsed.cost()).format())
        .isEqualTo(ARGON2_REFERENCE);
  }

  @Test
  void hashShouldProducePhcStringThatVerifies() {
    String phc = PasswordHashes.hash(utf8("s3cret"), FAST, new SecureRandom());
    assertThat(phc)
        .matches("\\$argon2id\\$v=19\\$m=1024,t=1,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    assertThat(PasswordHashes.matches(utf8("s3cret"), phc)).isTrue();
    assertThat(PasswordHashes.matches(utf8("s3cret "), phc)).isFalse();
  }

  @Test
  void twoHashesOfOnePasswordShouldDifferBySalt() {
    SecureRandom random = new SecureRandom();
    assertThat(PasswordHashes.hash(utf8("pw"), FAST, random))
        .isNotEqualTo(PasswordHashes.hash(utf8("pw"), FAST, random));
  }

  @Test
  void owaspDefaultsShouldBeNineteenMebibytesTwoPassesOneLane() {
    assertThat(Argon2Cost.OWASP).isEqualTo(new Argon2Cost(19456, 2, 1));
  }

  @Test
  void dovecotArgon2idPrefixShouldVerifyAndNeedRehashToBareForm() {
    String dovecot = "{ARGON2ID}" + ARGON2_REFERENCE;
    assertThat(PasswordHashes.scheme(dovecot)).contains(PasswordHashes.Scheme.ARGON2ID);
    assertThat(PasswordHashes.matches(utf8("password"), dovecot)).isTrue();
    assertThat(PasswordHashes.needsRehash(dovecot, FAST)).isTrue();
  }

  @Test
  void sha512CryptShouldMatchDrepperSpecificationVectors() {
    // From "Unix crypt using SHA-256 and SHA-512" (Drepper), SHA-512 test vectors.
    assertThat(
            PasswordHashes.matches(
                utf8("Hello world!"),
                "{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"))
        .isTrue();
    assertThat(
            PasswordHashes.matches(
                utf8("Hello world!"),
                "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v."))
        .isTrue();
    assertThat(
            PasswordHashes.matches(
                utf8("This is just a test"),
                "$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0"))
        .isTrue();
    assertThat(
            PasswordHashes.matches(
                utf8("the minimum number is still observed"),
                "$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX."))
        .isTrue();
  }

  @Test
  void sha512CryptSpecVectorWithTooLongSaltShouldBeComputedFromTheFullSetting() {
    assertThat(ShaCrypt.crypt(utf8("Hello world!"), utf8("saltstringsaltstring"), 10000, true))
        .isEqualTo(
            "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.");
  }

  @Test
  void sha512CryptWrongPasswordShouldFail() {
    assertThat(
            PasswordHashes.matches(
                utf8("Hello world"),
                "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"))
        .isFalse();
  }

  @Test
  void sha512CryptWithAbsurdRoundsShouldBeRefusedAsCpuExhaustion() {
    String hash =
        "$6$rounds=999999999$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1";
    assertThat(PasswordHashes.scheme(hash)).isEmpty();
    assertThat(PasswordHashes.matches(utf8("Hello world!"), hash)).isFalse();
  }

  @Test
  void bcryptOpenwallVectorShouldVerify() {
    // crypt_blowfish test vector ("U*U") and the same salt through glibc with "secret".
    assertThat(
            PasswordHashes.matches(
                utf8("U*U"), "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"))
        .isTrue();
    String dovecot = "{BLF-CRYPT}$2y$05$CCCCCCCCCCCCCCCCCCCCC.pIKrLVkBX9/OvQMSygY1pWEVn72t6na";
    assertThat(PasswordHashes.scheme(dovecot)).contains(PasswordHashes.Scheme.BCRYPT);
    assertThat(PasswordHashes.matches(utf8("secret"), dovecot)).isTrue();
    assertThat(PasswordHashes.matches(utf8("Secret"), dovecot)).isFalse();
    assertThat(PasswordHashes.needsRehash(dovecot, FAST)).isTrue();
  }

  @Test
  void weakerArgon2idShouldNeedRehashAndEqualShouldNot() {
    String weak = PasswordHashes.hash(utf8("pw"), new Argon2Cost(512, 1, 1), new SecureRandom());
    assertThat(PasswordHashes.needsRehash(weak, FAST)).isTrue();
    String same = PasswordHashes.hash(utf8("pw"), FAST, new SecureRandom());
    assertThat(PasswordHashes.needsRehash(same, FAST)).isFalse();
  }

  @Test
  void unknownOrMismatchedPrefixesShouldNeverMatch() {
    assertThat(PasswordHashes.matches(utf8("pw"), "{PLAIN}pw")).isFalse();
    assertThat(PasswordHashes.matches(utf8("pw"), "pw")).isFalse();
    assertThat(PasswordHashes.matches(utf8("pw"), "")).isFalse();
    assertThat(PasswordHashes.matches(utf8("password"), "{BLF-CRYPT}" + ARGON2_REFERENCE))
        .isFalse();
    assertThat(PasswordHashes.scheme("{MD5-CRYPT}$1$abc$def")).isEmpty();
  }

  @Test
  void argon2idWithAbsurdMemoryShouldBeRefusedAsMemoryExhaustion() {
    String hash =
        "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CKGe5/bX9YnCq2rxjW5yQXKxn31v1GKzhDCrMc6r6vA";
    assertThat(PasswordHashes.scheme(hash)).isEmpty();
    assertThat(PasswordHashes.matches(utf8("password"), hash)).isFalse();
  }
}
