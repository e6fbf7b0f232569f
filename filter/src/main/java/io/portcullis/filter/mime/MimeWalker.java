package io.portcullis.filter.mime;

import io.portcullis.filter.Finding;
import io.portcullis.filter.Label;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.io.MaxHeaderLimitException;
import org.apache.james.mime4j.io.MaxLineLimitException;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.NameValuePair;
import org.apache.james.mime4j.stream.RawBody;
import org.apache.james.mime4j.stream.RawField;
import org.apache.james.mime4j.stream.RawFieldParser;
import org.apache.james.mime4j.stream.RecursionMode;

/**
 * Streams a message through Mime4j's {@link MimeTokenStream} (RFC 2045–2047, 2231) with limits,
 * numbers parts as IMAP does (RFC 9051 §6.4.5), hands decoded text to the caller and every other
 * leaf part to a {@link Sink}. Limits and syntax errors become findings; nothing escapes.
 * Thread-safe (stateless).
 */
public final class MimeWalker {

  /** Where the walk delivers what it finds. */
  public interface Sink {
    /** A leaf part that is not body text, with its decoded content (read it before returning). */
    void attachment(PartMeta part, InputStream decoded) throws IOException;
  }

  /**
   * A leaf part.
   *
   * @param path IMAP part number
   * @param mimeType declared type, lower case
   * @param fileName decoded file name, or empty
   * @param attachment whether Content-Disposition says attachment
   */
  public record PartMeta(String path, String mimeType, String fileName, boolean attachment) {}

  /** What the walk collected. */
  public record Content(
      List<HeaderField> headers,
      List<String> plainTexts,
      List<String> htmlTexts,
      List<PartMeta> parts,
      List<Finding> findings) {}

  private static final class TooComplex extends RuntimeException {
    TooComplex(String message) {
      super(message, null, false, false);
    }
  }

  private enum Kind {
    MESSAGE,
    MULTIPART,
    PART
  }

  private record Frame(Kind kind, String path, int[] children) {}

  /**
   * Bytes of a text body kept from its first {@code begin} line for uuencode decoding; a longer
   * encoded file is cut off and reported unreadable by the inspector.
   */
  private static final int MAX_UUENCODED_IN_TEXT = 16 << 20;

  private final MimeLimits limits;

  public MimeWalker(MimeLimits limits) {
    this.limits = limits;
  }

  /** Walks the message; {@code sink} may be null when only text and headers are wanted. */
  public Content walk(InputStream in, Sink sink) {
    List<HeaderField> headers = new ArrayList<>();
    List<String> plain = new ArrayList<>();
    List<String> html = new ArrayList<>();
    List<PartMeta> parts = new ArrayList<>();
    List<Finding> findings = new ArrayList<>();
    MimeConfig config =
        new MimeConfig.Builder()
            .setStrictParsing(false)
            .setMaxLineLen(limits.maxLineLength())
            .setMaxHeaderCount(limits.maxHeaderCount())
            .setMaxHeaderLen(limits.maxFieldBytes())
            .setMaxContentLen(-1)
            .build();
    MimeTokenStream stream = new MimeTokenStream(config);
    stream.setRecursionMode(RecursionMode.M_RECURSE);
    Deque<Frame> stack = new ArrayDeque<>();
    int[] textBudget = {limits.maxTextChars()};
    int partCount = 0;
    long headerBytes = 0;
    String contentType = null;
    String disposition = null;
    boolean inTopHeader = false;
    try {
      stream.parse(in);
      for (EntityState state = stream.getState();
          state != EntityState.T_END_OF_STREAM;
          state = stream.next()) {
        switch (state) {
          case T_START_MESSAGE -> {
            String path = stack.isEmpty() ? "" : stack.peek().path();
            inTopHeader = stack.isEmpty();
            push(stack, new Frame(Kind.MESSAGE, path, new int[1]));
          }
          case T_START_HEADER -> {
            headerBytes = 0;
            contentType = null;
            disposition = null;
          }
          case T_FIELD -> {
            Field field = stream.getField();
            headerBytes += field.getRaw().length();
            if (headerBytes > limits.maxHeaderBytes()) {
              throw new TooComplex("header block over " + limits.maxHeaderBytes() + " bytes");
            }
            String name = field.getName();
            if (name.equalsIgnoreCase("Content-Type")) {
              contentType = field.getBody();
            } else if (name.equalsIgnoreCase("Content-Disposition")) {
              disposition = field.getBody();
            }
            if (inTopHeader) {
              String raw = unfold(field.getBody());
              headers.add(new HeaderField(name, decodeWords(raw), raw));
            }
          }
          case T_END_HEADER -> inTopHeader = false;
          case T_START_MULTIPART ->
              push(stack, new Frame(Kind.MULTIPART, stack.peek().path(), new int[1]));
          case T_START_BODYPART -> {
            if (++partCount > limits.maxParts()) {
              throw new TooComplex("more than " + limits.maxParts() + " parts");
            }
            Frame parent = stack.peek();
            int n = ++parent.children()[0];
            push(stack, new Frame(Kind.PART, join(parent.path(), Integer.toString(n)), new int[1]));
          }
          case T_BODY -> {
            Frame top = stack.peek();
            String path = top.kind() == Kind.MESSAGE ? join(top.path(), "1") : top.path();
            body(stream, path, contentType, disposition, plain, html, parts, sink, textBudget);
          }
          case T_END_BODYPART, T_END_MULTIPART, T_END_MESSAGE -> stack.pop();
          default -> {
            // Preamble, epilogue and raw entities carry nothing analysed.
          }
        }
      }
    } catch (TooComplex e) {
      findings.add(tooComplex(e.getMessage()));
    } catch (MaxLineLimitException | MaxHeaderLimitException e) {
      findings.add(tooComplex(e.getMessage()));
    } catch (MimeException e) {
      findings.add(
          new Finding(
              "mime-malformed", Label.MALFORMED, 1.0, "not valid MIME: " + safe(e), "message"));
    } catch (IOException e) {
      Throwable cause = e.getCause();
      if (cause instanceof MaxLineLimitException || cause instanceof MaxHeaderLimitException) {
        findings.add(tooComplex(cause.getMessage()));
      } else {
        findings.add(
            new Finding(
                "mime-malformed",
                Label.MALFORMED,
                1.0,
                "message could not be read: " + safe(e),
                "message"));
      }
    }
    return new Content(headers, plain, html, parts, findings);
  }

  private void push(Deque<Frame> stack, Frame frame) {
    long nesting = stack.stream().filter(f -> f.kind() != Kind.PART).count();
    if (nesting >= limits.maxNestingDepth()) {
      throw new TooComplex("MIME nesting deeper than " + limits.maxNestingDepth());
    }
    stack.push(frame);
  }

  private static Finding tooComplex(String why) {
    return new Finding(
        "mime-too-complex", Label.MALFORMED, 1.0, "too complex to analyse: " + why, "message");
  }

  private static String safe(Exception e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName()
        + (m == null ? "" : ": " + m.substring(0, Math.min(100, m.length())));
  }

  private void body(
      MimeTokenStream stream,
      String path,
      String contentType,
      String disposition,
      List<String> plain,
      List<String> html,
      List<PartMeta> parts,
      Sink sink,
      int[] textBudget)
      throws IOException {
    BodyDescriptor descriptor = stream.getBodyDescriptor();
    String mimeType =
        descriptor.getMimeType() == null
            ? "text/plain"
            : descriptor.getMimeType().toLowerCase(Locale.ROOT);
    List<NameValuePair> typeParams = params(contentType);
    List<NameValuePair> dispParams = params(disposition);
    String fileName = MimeParams.get(dispParams, "filename");
    if (fileName.isEmpty()) {
      fileName = MimeParams.get(typeParams, "name");
    }
    boolean attachment =
        disposition != null && disposition.trim().toLowerCase(Locale.ROOT).startsWith("attachment");
    PartMeta meta = new PartMeta(path, mimeType, fileName, attachment);
    parts.add(meta);
    boolean bodyText =
        (mimeType.equals("text/plain") || mimeType.equals("text/html"))
            && !attachment
            && fileName.isEmpty();
    if (bodyText) {
      Charset cs = MimeParams.charset(descriptor.getCharset());
      UuencodeTee tee = new UuencodeTee(stream.getDecodedInputStream(), MAX_UUENCODED_IN_TEXT);
      String text = readText(tee, cs == null ? StandardCharsets.ISO_8859_1 : cs, textBudget);
      (mimeType.equals("text/html") ? html : plain).add(text);
      byte[] uuencoded = tee.kept();
      if (uuencoded != null && sink != null && mimeType.equals("text/plain")) {
        // A file pasted into the text as uuencode is an attachment to the clients that decode it.
        sink.attachment(
            new PartMeta(path, "text/x-uuencode", "", false),
            new java.io.ByteArrayInputStream(uuencoded));
      }
    } else if (sink != null) {
      sink.attachment(meta, stream.getDecodedInputStream());
    }
  }

  private static String readText(InputStream in, Charset cs, int[] budget) throws IOException {
    StringBuilder sb = new StringBuilder();
    char[] buf = new char[8192];
    try (Reader reader = new InputStreamReader(in, cs)) {
      int n;
      while ((n = reader.read(buf)) > 0) {
        int keep = Math.min(n, budget[0]);
        sb.append(buf, 0, keep);
        budget[0] -= keep;
      }
    }
    return sb.toString();
  }

  private static List<NameValuePair> params(String fieldBody) {
    if (fieldBody == null) {
      return List.of();
    }
    RawBody body = RawFieldParser.DEFAULT.parseRawBody(new RawField("X", fieldBody));
    return body.getParams();
  }

  /** Joins part numbers: the root is "", children are "1", "1.2" and so on. */
  static String join(String parent, String child) {
    return parent.isEmpty() ? child : parent + "." + child;
  }

  static String unfold(String value) {
    return value.replaceAll("\r?\n[ \t]", " ").replace("\r", "").replace("\n", "").strip();
  }

  /** RFC 2047 decoding that never throws. */
  public static String decodeWords(String raw) {
    try {
      return DecoderUtil.decodeEncodedWords(raw, DecodeMonitor.SILENT);
    } catch (RuntimeException e) {
      return raw;
    }
  }
}
