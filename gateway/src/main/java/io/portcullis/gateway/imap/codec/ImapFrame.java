package io.portcullis.gateway.imap.codec;

import io.netty.buffer.ByteBuf;

/**
 * What {@link ImapFramer} emits. Texts are ISO-8859-1 strings, one char per octet, so every byte
 * survives unchanged when written out again; they never include the final CRLF.
 */
public sealed interface ImapFrame {

  /**
   * A whole command with its literals inline ({@code {n}CRLF} followed by the octets), in
   * aggregating mode (before login).
   */
  record Command(String text) implements ImapFrame {
    @Override
    public String toString() {
      return "Command[" + text.length() + " chars]";
    }
  }

  /**
   * Aggregating mode: a synchronizing literal within the limit was announced after {@code soFar};
   * the receiver calls {@link ImapFramer#acceptLiteral()} (and sends {@code +}) or {@link
   * ImapFramer#rejectLiteral()} (and answers the command).
   */
  record LiteralRequest(String soFar, ImapLiteral literal) implements ImapFrame {
    @Override
    public String toString() {
      return "LiteralRequest[" + literal + "]";
    }
  }

  /**
   * Streaming mode: one line, or the part of a line up to a literal.
   *
   * @param start whether this begins a new command (or response); false after a literal
   * @param literal the literal announced at its end, or null
   */
  record Segment(String text, boolean start, ImapLiteral literal) implements ImapFrame {}

  /** Streaming mode: octets of the current literal; the receiver owns and releases them. */
  record LiteralChunk(ByteBuf content) implements ImapFrame {}

  /**
   * A literal was refused: its size is over the limit or absurd (THREATS P2). Nothing of it was
   * read.
   *
   * @param soFar the text before the literal, to find the tag
   * @param start whether the refused literal ended the first line of its command
   * @param fatal the framer has stopped: the sender will send the octets anyway (non-synchronizing)
   *     or part of the command is already out, so the connection must close
   */
  record Refused(String soFar, boolean start, boolean fatal) implements ImapFrame {}

  /**
   * A line over the limit was discarded (THREATS P6).
   *
   * @param start whether it began a command
   * @param fatal the framer has stopped (the line announced a literal that will follow anyway, or
   *     input piled up while the framer waited)
   */
  record TooLong(boolean start, boolean fatal) implements ImapFrame {}
}
