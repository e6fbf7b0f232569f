package io.portcullis.policy;

import java.util.List;
import java.util.Set;

/** The named objects that rules refer to; each remembers where it was declared. Immutable. */
final class Named {

  private Named() {}

  /** A named list of prefixes. */
  record Network(String name, List<Cidr> prefixes, Location location) {
    Network {
      prefixes = List.copyOf(prefixes);
    }
  }

  /** A group from the user directory, plus users the policy itself names as members. */
  record Group(String name, Set<String> members, Location location) {
    Group {
      members = Set.copyOf(members);
    }
  }

  /** A routing target: an upstream of the gateway configuration and how to log in there. */
  record Upstream(String name, CredentialMode credentials, Location location) {}

  /** A set of attachment categories and true MIME types. */
  record AttachmentClass(
      String name, Set<String> categories, Set<String> types, Location location) {
    AttachmentClass {
      categories = Set.copyOf(categories);
      types = Set.copyOf(types);
    }
  }

  /** A weekly time window. */
  record Window(TimeWindow window, Location location) {}
}
