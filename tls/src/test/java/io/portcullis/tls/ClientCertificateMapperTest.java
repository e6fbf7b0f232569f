package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientCertificateMapperTest {
  private static final TestPki PKI = TestPki.newCa("Mapper Test CA");

  @Test
  void sanRfc822NameShouldMapToTheWholeAddress() {
    var certificate = PKI.issue(TestPki.Spec.client("Alice", "alice@Example.Test")).certificate();
    assertThat(ClientCertificateMapper.byEmailAddress().userFor(certificate))
        .contains("alice@example.test");
  }

  @Test
  void localPartShouldBeUsedOnlyForTheRequiredDomain() {
    var alice = PKI.issue(TestPki.Spec.client("Alice", "alice@example.test")).certificate();
    var eve = PKI.issue(TestPki.Spec.client("Eve", "alice@evil.test")).certificate();
    ClientCertificateMapper mapper = ClientCertificateMapper.byLocalPartIn("example.test");
    assertThat(mapper.userFor(alice)).contains("alice");
    assertThat(mapper.userFor(eve)).isEmpty();
  }

  @Test
  void twoDifferentAddressesShouldMapToNobody() {
    var both =
        PKI.issue(TestPki.Spec.client("Both", "alice@example.test", "bob@example.test"))
            .certificate();
    assertThat(ClientCertificateMapper.byEmailAddress().userFor(both)).isEmpty();
  }

  @Test
  void subjectEmailAddressShouldBeUsedWhenThereIsNoSan() {
    var certificate =
        PKI.issue(TestPki.Spec.client("carol+EMAILADDRESS=carol@example.test")).certificate();
    assertThat(ClientCertificateMapper.byLocalPartIn("example.test").userFor(certificate))
        .contains("carol");
  }

  @Test
  void certificateWithoutAnyAddressShouldMapToNobody() {
    var certificate = PKI.issue(TestPki.Spec.client("Dave")).certificate();
    assertThat(ClientCertificateMapper.byEmailAddress().userFor(certificate)).isEmpty();
  }

  @Test
  void addressWithControlCharactersShouldMapToNobody() {
    var certificate =
        PKI.issue(TestPki.Spec.client("Mallory", "mallory\r\nA2 LOGIN@example.test")).certificate();
    assertThat(ClientCertificateMapper.byEmailAddress().userFor(certificate)).isEmpty();
  }
}
