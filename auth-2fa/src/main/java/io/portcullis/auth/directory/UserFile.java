package io.portcullis.auth.directory;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.portcullis.auth.totp.TotpAlgorithm;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The YAML user file: strict reading (unknown or duplicate keys and wrong types are errors naming
 * the key path) and canonical writing. Stateless.
 */
final class UserFile {
  private static final YAMLMapper MAPPER =
      YAMLMapper.builder(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  private static final String HEADER =
      "# Portcullis users. Managed with `portcullis user ...`; hand edits are reloaded.\n";

  private UserFile() {}

  static Map<String, UserRecord> parse(byte[] yaml, String origin) {
    JsonNode root;
    try {
      root = MAPPER.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new UserFileException(origin + ": not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UserFileException(origin + ": " + e.getMessage(), e);
    }
    Map<String, UserRecord> users = new LinkedHashMap<>();
    if (root == null || root.isMissingNode() || root.isNull()) {
      return users;
    }
    Node top = new Node(origin, "", root);
    top.allowKeys("users");
    Optional<Node> list = top.optional("users");
    if (list.isEmpty() || list.get().json.isNull()) {
      return users;
    }
    list.get().requireObject();
    for (Map.Entry<String, JsonNode> entry : list.get().json.properties()) {
      Node user = list.get().child(entry.getKey(), entry.getValue());
      users.put(entry.getKey(), user(entry.getKey(), user));
    }
    return users;
  }

  private static UserRecord user(String name, Node node) {
    node.requireObject();
    node.allowKeys(
        "password",
        "groups",
        "second-factor",
        "totp",
        "recovery-codes",
        "app-passwords",
        "upstream");
    try {
      return new UserRecord(
          name,
          node.optional("password").map(Node::text).orElse(""),
          new LinkedHashSet<>(node.optional("groups").map(Node::texts).orElse(List.of())),
          node.optional("second-factor")
              .map(n -> n.enumValue(SecondFactorRule.class))
              .orElse(SecondFactorRule.DEFAULT),
          node.optional("totp").map(UserFile::totp),
          node.optional("recovery-codes").map(Node::texts).orElse(List.of()),
          node.optional("app-passwords").map(UserFile::appPasswords).orElse(List.of()),
          node.optional("upstream").map(UserFile::upstream));
    } catch (IllegalArgumentException e) {
      throw node.error(e.getMessage());
    }
  }

  private static TotpEnrolment totp(Node node) {
    node.requireObject();
    node.allowKeys("seed", "algorithm", "digits", "period", "confirmed");
    try {
      return new TotpEnrolment(
          node.required("seed").text(),
          node.optional("algorithm")
              .map(n -> n.enumValue(TotpAlgorithm.class))
              .orElse(TotpAlgorithm.SHA1),
          node.optional("digits").map(Node::integer).orElse(6),
          node.optional("period").map(Node::integer).orElse(30),
          node.optional("confirmed").map(Node::bool).orElse(false));
    } catch (IllegalArgumentException e) {
      throw node.error(e.getMessage());
    }
  }

  private static List<AppPassword> appPasswords(Node node) {
    node.requireArray();
    List<AppPassword> list = new ArrayList<>();
    for (int i = 0; i < node.json.size(); i++) {
      Node item = node.child(Integer.toString(i), node.json.get(i));
      item.requireObject();
      item.allowKeys("name", "digest", "protocols", "created", "last-used");
      try {
        list.add(
            new AppPassword(
                item.required("name").text(),
                item.required("digest").text(),
                new LinkedHashSet<>(item.optional("protocols").map(Node::texts).orElse(List.of())),
                item.required("created").instant(),
                item.optional("last-used").map(Node::instant)));
      } catch (IllegalArgumentException e) {
        throw item.error(e.getMessage());
      }
    }
    return list;
  }

  private static UpstreamMapping upstream(Node node) {
    node.requireObject();
    node.allowKeys("user", "password", "oauth-account");
    try {
      return new UpstreamMapping(
          node.optional("user").map(Node::text).orElse(""),
          node.optional("password").map(Node::text),
          node.optional("oauth-account").map(Node::text));
    } catch (IllegalArgumentException e) {
      throw node.error(e.getMessage());
    }
  }

  static byte[] write(Iterable<UserRecord> records) {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode users = root.putObject("users");
    for (UserRecord u : records) {
      ObjectNode n = users.putObject(u.name());
      if (!u.passwordHash().isEmpty()) {
        n.put("password", u.passwordHash());
      }
      if (!u.groups().isEmpty()) {
        ArrayNode groups = n.putArray("groups");
        u.groups().forEach(groups::add);
      }
      if (u.secondFactor() != SecondFactorRule.DEFAULT) {
        n.put("second-factor", u.secondFactor().name().toLowerCase(Locale.ROOT));
      }
      u.totp()
          .ifPresent(
              t -> {
                ObjectNode tn = n.putObject("totp");
                tn.put("seed", t.sealedSeed());
                tn.put("algorithm", t.algorithm().name());
                tn.put("digits", t.digits());
                tn.put("period", t.periodSeconds());
                tn.put("confirmed", t.confirmed());
              });
      if (!u.recoveryCodes().isEmpty()) {
        ArrayNode codes = n.putArray("recovery-codes");
        u.recoveryCodes().forEach(codes::add);
      }
      if (!u.appPasswords().isEmpty()) {
        ArrayNode apps = n.putArray("app-passwords");
        for (AppPassword a : u.appPasswords()) {
          ObjectNode an = apps.addObject();
          an.put("name", a.name());
          an.put("digest", a.digest());
          if (!a.protocols().isEmpty()) {
            ArrayNode protocols = an.putArray("protocols");
            a.protocols().stream().sorted().forEach(protocols::add);
          }
          an.put("created", a.created().toString());
          a.lastUsed().ifPresent(when -> an.put("last-used", when.toString()));
        }
      }
      u.upstream()
          .ifPresent(
              m -> {
                ObjectNode un = n.putObject("upstream");
                if (!m.user().isEmpty()) {
                  un.put("user", m.user());
                }
                m.sealedPassword().ifPresent(p -> un.put("password", p));
                m.oauthAccount().ifPresent(a -> un.put("oauth-account", a));
              });
    }
    try {
      return (HEADER + MAPPER.writeValueAsString(root))
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the user file", e);
    }
  }

  /** A YAML node with its key path, for error messages such as {@code users.alice.totp.sede}. */
  private record Node(String origin, String path, JsonNode json) {
    Node child(String key, JsonNode value) {
      return new Node(origin, path.isEmpty() ? key : path + "." + key, value);
    }

    UserFileException error(String message) {
      return new UserFileException(origin + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    void requireObject() {
      if (!json.isObject()) {
        throw error("must be a mapping");
      }
    }

    void requireArray() {
      if (!json.isArray()) {
        throw error("must be a list");
      }
    }

    void allowKeys(String... keys) {
      Set<String> allowed = Set.of(keys);
      for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!allowed.contains(key)) {
          throw child(key, json.get(key))
              .error("unknown key (allowed: " + String.join(", ", keys) + ")");
        }
      }
    }

    Optional<Node> optional(String key) {
      JsonNode value = json.get(key);
      return value == null ? Optional.empty() : Optional.of(child(key, value));
    }

    Node required(String key) {
      return optional(key).orElseThrow(() -> child(key, json).error("is required"));
    }

    String text() {
      if (!json.isTextual()) {
        throw error("must be a string");
      }
      return json.textValue();
    }

    List<String> texts() {
      requireArray();
      List<String> out = new ArrayList<>();
      for (int i = 0; i < json.size(); i++) {
        out.add(child(Integer.toString(i), json.get(i)).text());
      }
      return out;
    }

    int integer() {
      if (!json.isInt()) {
        throw error("must be an integer");
      }
      return json.intValue();
    }

    boolean bool() {
      if (!json.isBoolean()) {
        throw error("must be true or false");
      }
      return json.booleanValue();
    }

    Instant instant() {
      try {
        return Instant.parse(text());
      } catch (DateTimeParseException e) {
        throw error("must be an ISO-8601 UTC time such as 2026-01-31T12:00:00Z");
      }
    }

    <E extends Enum<E>> E enumValue(Class<E> type) {
      String value = text();
      for (E constant : type.getEnumConstants()) {
        if (constant.name().equalsIgnoreCase(value.replace('-', '_'))) {
          return constant;
        }
      }
      List<String> names = new ArrayList<>();
      for (E constant : type.getEnumConstants()) {
        names.add(constant.name().toLowerCase(Locale.ROOT));
      }
      throw error("must be one of " + names + ", not '" + value + "'");
    }
  }
}
