package io.portcullis.gateway.pop3;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Serves the TRANSACTION state (RFC 1939 §5) from the virtual maildrop: quarantined messages are
 * absent, the rest numbered 1..n, sizes are those of what RETR delivers, renditions are served by
 * the gateway and originals relayed; DELE and RSET go upstream with mapped numbers and their
 * deletion marks are kept here too. Confined to the event loop.
 */
final class VirtualMaildrop {
  private final Pop3Relay relay;
  private final RenditionServer renditions;
  private final List<MaildropEntry> entries;
  private final boolean[] deleted;

  VirtualMaildrop(Pop3Relay relay, RenditionServer renditions, List<MaildropEntry> entries) {
    this.relay = relay;
    this.renditions = renditions;
    this.entries = List.copyOf(entries);
    this.deleted = new boolean[entries.size()];
  }

  /** Answers one command (QUIT is the relay's). */
  void handle(Pop3Command command) {
    switch (command) {
      case Pop3Command.Capa c -> relay.local(relay.capabilities());
      case Pop3Command.Stat s -> relay.local(line("+OK " + count() + " " + octets()));
      case Pop3Command.List l -> l.message().ifPresentOrElse(this::listOne, this::listAll);
      case Pop3Command.Uidl u -> u.message().ifPresentOrElse(this::uidlOne, this::uidlAll);
      case Pop3Command.Retr r -> entry(r.message()).ifPresent(this::retr);
      case Pop3Command.Top t -> entry(t.message()).ifPresent(e -> top(e, t.lines()));
      case Pop3Command.Dele d -> dele(d.message());
      case Pop3Command.Rset r -> {
        boolean[] before = deleted.clone();
        Arrays.fill(deleted, false);
        relay.forward(
            r, new StatusSink(relay, () -> System.arraycopy(before, 0, deleted, 0, before.length)));
      }
      case Pop3Command.Noop n -> relay.forward(n);
      case Pop3Command.Quit q -> relay.forward(q);
      case Pop3Command.User u -> relay.local(Pop3Reply.WRONG_STATE);
      case Pop3Command.Pass p -> relay.local(Pop3Reply.WRONG_STATE);
      case Pop3Command.Auth a -> relay.local(Pop3Reply.WRONG_STATE);
      case Pop3Command.Stls s -> relay.local(Pop3Reply.WRONG_STATE);
      case Pop3Command.Invalid i -> relay.local(Pop3Relay.invalid(i));
    }
  }

  private void retr(MaildropEntry e) {
    if (e.renditionId().isPresent()) {
      renditions.retr(e.renditionId().get(), e.size());
    } else {
      relay.forward(new Pop3Command.Retr(e.upstreamNumber()));
    }
  }

  private void top(MaildropEntry e, int lines) {
    if (e.renditionId().isPresent()) {
      renditions.top(e.renditionId().get(), e.size(), lines);
    } else {
      relay.forward(new Pop3Command.Top(e.upstreamNumber(), lines));
    }
  }

  private void dele(int n) {
    Optional<MaildropEntry> found = entry(n);
    if (found.isEmpty()) {
      return;
    }
    MaildropEntry e = found.get();
    if (!e.deletable()) {
      // The client never received this original and it is not yet safe elsewhere.
      relay.local(Pop3Reply.DELE_REFUSED);
      return;
    }
    // Marked now, so that commands pipelined behind DELE see what the upstream will see.
    deleted[n - 1] = true;
    relay.forward(
        new Pop3Command.Dele(e.upstreamNumber()),
        new StatusSink(relay, () -> deleted[n - 1] = false));
  }

  /** The entry numbered {@code n}, or empty after answering the client's error. */
  private Optional<MaildropEntry> entry(int n) {
    if (n < 1 || n > entries.size()) {
      relay.local(Pop3Reply.NO_SUCH_MESSAGE);
      return Optional.empty();
    }
    if (deleted[n - 1]) {
      relay.local(line("-ERR Message " + n + " already deleted"));
      return Optional.empty();
    }
    return Optional.of(entries.get(n - 1));
  }

  private void listOne(int n) {
    entry(n).ifPresent(e -> relay.local(line("+OK " + n + " " + e.size())));
  }

  private void uidlOne(int n) {
    entry(n).ifPresent(e -> relay.local(line("+OK " + n + " " + e.uidl())));
  }

  private void listAll() {
    StringBuilder out = new StringBuilder();
    out.append("+OK ")
        .append(count())
        .append(" messages (")
        .append(octets())
        .append(" octets)\r\n");
    for (int i = 0; i < entries.size(); i++) {
      if (!deleted[i]) {
        out.append(i + 1).append(' ').append(entries.get(i).size()).append("\r\n");
      }
    }
    relay.local(multiLine(out));
  }

  private void uidlAll() {
    StringBuilder out = new StringBuilder("+OK\r\n");
    for (int i = 0; i < entries.size(); i++) {
      if (!deleted[i]) {
        out.append(i + 1).append(' ').append(entries.get(i).uidl()).append("\r\n");
      }
    }
    relay.local(multiLine(out));
  }

  private int count() {
    int n = 0;
    for (boolean d : deleted) {
      n += d ? 0 : 1;
    }
    return n;
  }

  private long octets() {
    long sum = 0;
    for (int i = 0; i < entries.size(); i++) {
      sum += deleted[i] ? 0 : entries.get(i).size();
    }
    return sum;
  }

  /** The number of messages the client sees, for logs and tests. */
  int size() {
    return entries.size();
  }

  private ByteBuf multiLine(StringBuilder body) {
    body.append(".\r\n");
    return ByteBufUtil.writeAscii(relay.client().alloc(), body);
  }

  private ByteBuf line(String text) {
    return Unpooled.copiedBuffer(text + "\r\n", StandardCharsets.US_ASCII);
  }

  /** Passes an upstream answer to the client and runs {@code onNegative} if it was -ERR. */
  private static final class StatusSink implements AnswerSink {
    private final Pop3Relay relay;
    private final Runnable onNegative;
    private Boolean positive;

    StatusSink(Pop3Relay relay, Runnable onNegative) {
      this.relay = relay;
      this.onNegative = onNegative;
    }

    @Override
    public void bytes(ByteBuf slice) {
      if (positive == null && slice.isReadable()) {
        positive = slice.getByte(slice.readerIndex()) == '+';
      }
      relay.client().write(slice);
    }

    @Override
    public void complete() {
      if (!Boolean.TRUE.equals(positive)) {
        onNegative.run();
      }
    }
  }
}
