package io.portcullis.gateway.pop3;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** CAPA answers (RFC 2449 §5): only what is allowed in the session's state is advertised. */
final class Pop3Capabilities {
  /**
   * Upstream capabilities the relay can carry unchanged after login. Anything else (STLS, SASL,
   * USER, IMPLEMENTATION, unknown extensions) is dropped.
   */
  private static final Set<String> RELAYABLE =
      Set.of("TOP", "UIDL", "PIPELINING", "RESP-CODES", "AUTH-RESP-CODE", "EXPIRE", "LOGIN-DELAY");

  private Pop3Capabilities() {}

  /**
   * Before login.
   *
   * @param loginAllowed false on a STARTTLS listener before TLS (THREATS S2)
   * @param stlsOffered true on a STARTTLS listener before TLS
   * @param userPass whether USER/PASS is accepted
   * @param mechanisms SASL mechanisms accepted
   */
  static ByteBuf beforeLogin(
      ByteBufAllocator alloc,
      boolean loginAllowed,
      boolean stlsOffered,
      boolean userPass,
      List<String> mechanisms) {
    List<String> lines = new ArrayList<>(List.of("RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"));
    if (stlsOffered) {
      lines.add("STLS");
    }
    if (loginAllowed && userPass) {
      lines.add("USER");
    }
    if (loginAllowed && !mechanisms.isEmpty()) {
      lines.add("SASL " + String.join(" ", mechanisms));
    }
    lines.add("TOP");
    lines.add("UIDL");
    return list(alloc, lines);
  }

  /** After login: the upstream's capabilities that the relay can carry. */
  static ByteBuf afterLogin(ByteBufAllocator alloc, List<String> upstream) {
    List<String> lines = new ArrayList<>();
    for (String capability : upstream) {
      String name = capability.split(" ", 2)[0].toUpperCase(Locale.ROOT);
      if (RELAYABLE.contains(name) && capability.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
        lines.add(capability);
      }
    }
    return list(alloc, lines);
  }

  private static ByteBuf list(ByteBufAllocator alloc, List<String> lines) {
    StringBuilder b = new StringBuilder("+OK Capability list follows\r\n");
    lines.forEach(l -> b.append(l).append("\r\n"));
    b.append(".\r\n");
    return alloc.buffer(b.length()).writeBytes(b.toString().getBytes(StandardCharsets.US_ASCII));
  }
}
