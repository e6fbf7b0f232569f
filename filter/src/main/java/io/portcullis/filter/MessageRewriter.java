package io.portcullis.filter;

import io.portcullis.filter.mime.MimeParams;
import io.portcullis.filter.mime.MimeWalker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.james.mime4j.stream.NameValuePair;
import org.apache.james.mime4j.stream.RawField;
import org.apache.james.mime4j.stream.RawFieldParser;

/**
 * Produces the message a client receives: tagged headers, offending parts replaced by text/plain
 * notices, or the whole message replaced. It streams line by line, so everything it does not change
 * is copied byte for byte, line endings included; with no action the output is the input. Part
 * numbers are those of {@link MimeWalker} (RFC 9051 §6.4.5). Stateless and thread-safe.
 */
public final class MessageRewriter {

  /** Labels stripped when {@link Action.Strip} names none. */
  static final Set<Label> DEFAULT_STRIP =
      EnumSet.of(
          Label.DANGEROUS_ATTACHMENT, Label.MACRO, Label.ENCRYPTED, Label.DECOMPRESSION_BOMB);

  private static final int MAX_HEADER_BYTES = 10 << 20;
  private static final Set<String> OWN_HEADERS =
      Set.of(
          "x-portcullis-verdict",
          "x-portcullis-stripped",
          "x-spam-score",
          "x-spam-status",
          "x-spam-flag");
  private static final Set<String> KEPT_ON_REPLACE =
      Set.of("from", "to", "cc", "date", "subject", "message-id", "in-reply-to", "references");

  /**
   * Writes the rewritten message to {@code out}. Reads {@code original} to its end; closes neither.
   *
   * @param quarantineId where the original is kept, named in notices (the original's SHA-256)
   * @throws IOException if reading or writing fails, a header block exceeds 10 MiB, or a part that
   *     had to be stripped was not found (the output is then incomplete and must be discarded;
   *     replace the message instead)
   */
  public void rewrite(
      InputStream original,
      Verdict verdict,
      List<Action> actions,
      String quarantineId,
      OutputStream out)
      throws IOException {
    if (actions.isEmpty()) {
      original.transferTo(out);
      return;
    }
    Action.Tag tag = null;
    boolean replace = false;
    Set<Label> stripLabels = EnumSet.noneOf(Label.class);
    Set<String> stripParts = new LinkedHashSet<>();
    for (Action action : actions) {
      switch (action) {
        case Action.Tag t -> tag = t;
        case Action.Replace r -> replace = true;
        case Action.Strip s -> {
          boolean byDefault = s.labels().isEmpty() && s.parts().isEmpty();
          stripLabels.addAll(byDefault ? DEFAULT_STRIP : s.labels());
          stripParts.addAll(s.parts());
        }
      }
    }
    Set<String> targets = new LinkedHashSet<>(stripParts);
    for (Finding f : verdict.findings()) {
      if (!f.partPath().isEmpty() && f.label() != null && stripLabels.contains(f.label())) {
        targets.add(f.partPath());
      }
    }
    Run run = new Run(new LineReader(original), out, verdict, tag, targets, quarantineId);
    if (replace) {
      run.replaceAll("the message was withheld by the mail filter");
      return;
    }
    run.entity("", Kind.ROOT, List.of());
    Set<String> missed = new LinkedHashSet<>(targets);
    missed.removeIf(run::covered);
    if (!missed.isEmpty()) {
      throw new IOException("parts to strip not found: " + missed);
    }
  }

  private enum Kind {
    ROOT,
    PART,
    ENCAPSULATED
  }

  private record Header(
      List<LineReader.Line> lines,
      String contentType,
      String boundary,
      String encoding,
      String fileName) {
    String mimeType() {
      return contentType;
    }
  }

  private static final class Run {
    final LineReader reader;
    final OutputStream out;
    final Verdict verdict;
    final Action.Tag tag;
    final Set<String> targets;
    final String quarantineId;
    String eol;
    final Set<String> stripped = new LinkedHashSet<>();

    /** Whether a target was removed, itself or with an enclosing part or message. */
    boolean covered(String target) {
      for (String p : stripped) {
        if (p.isEmpty() || target.equals(p) || target.startsWith(p + ".")) {
          return true;
        }
      }
      return false;
    }

    Run(
        LineReader reader,
        OutputStream out,
        Verdict verdict,
        Action.Tag tag,
        Set<String> targets,
        String quarantineId) {
      this.reader = reader;
      this.out = out;
      this.verdict = verdict;
      this.tag = tag;
      this.targets = targets;
      this.quarantineId = quarantineId;
    }

    /**
     * Processes one entity; returns the (unwritten) parent boundary line that ended it, or null at
     * EOF.
     */
    LineReader.Line entity(String path, Kind kind, List<String> boundaries) throws IOException {
      Header header = readHeader(boundaries);
      boolean multipart = header.mimeType().startsWith("multipart/") && header.boundary() != null;
      if (kind == Kind.ROOT) {
        if (!multipart && targets.contains("1")) {
          replaceAll(header, "the message itself is the attachment '" + header.fileName() + "'");
          stripped.add("");
          return null;
        }
        writeRootHeader(header);
      } else if (kind == Kind.PART && shouldStrip(path, header)) {
        writeNotice(path, header);
        stripped.add(path);
        return skipUntil(boundaries);
      } else {
        writeLines(header.lines());
      }
      if (multipart) {
        List<String> inner = new ArrayList<>(boundaries);
        inner.add(header.boundary());
        int child = 0;
        boolean closed = false;
        LineReader.Line line;
        while ((line = reader.next()) != null) {
          String which = boundaryOf(line, inner);
          if (which != null && !which.equals(header.boundary())) {
            return line; // an outer boundary ends this multipart early (malformed, but seen in the
            // wild)
          }
          if (which == null) {
            write(line.bytes()); // preamble or epilogue
            continue;
          }
          write(line.bytes());
          if (line.trimmed().endsWith("--")
              && line.trimmed().equals("--" + header.boundary() + "--")) {
            closed = true;
            continue; // epilogue follows
          }
          if (closed) {
            continue;
          }
          child++;
          LineReader.Line end = entity(join(path, child), Kind.PART, inner);
          if (end == null) {
            return null;
          }
          reader.pushBack(end);
        }
        return null;
      }
      if (header.mimeType().equals("message/rfc822") && identity(header.encoding())) {
        return entity(path, Kind.ENCAPSULATED, boundaries);
      }
      return copyUntil(boundaries);
    }

    boolean shouldStrip(String path, Header header) {
      if (targets.contains(path)) {
        return true;
      }
      if (header.mimeType().equals("message/rfc822")) {
        String prefix = path + ".";
        boolean under = targets.stream().anyMatch(t -> t.startsWith(prefix));
        return under && (!identity(header.encoding()) || targets.contains(path + ".1"));
      }
      return false;
    }

    Header readHeader(List<String> boundaries) throws IOException {
      List<LineReader.Line> lines = new ArrayList<>();
      long size = 0;
      LineReader.Line line;
      while ((line = reader.next()) != null) {
        if (eol == null && line.endsLine()) {
          eol =
              line.bytes().length >= 2 && line.bytes()[line.bytes().length - 2] == '\r'
                  ? "\r\n"
                  : "\n";
        }
        if (line.lineStart() && boundaryOf(line, boundaries) != null) {
          reader.pushBack(line); // a part with no body
          break;
        }
        lines.add(line);
        size += line.bytes().length;
        if (size > MAX_HEADER_BYTES) {
          throw new IOException("header block larger than " + MAX_HEADER_BYTES + " bytes");
        }
        if (line.blank()) {
          break;
        }
      }
      if (eol == null) {
        eol = "\r\n";
      }
      Map<String, String> fields = fields(lines);
      String contentType = fields.getOrDefault("content-type", "text/plain");
      RawFieldParser parser = RawFieldParser.DEFAULT;
      var ct = parser.parseRawBody(new RawField("Content-Type", contentType));
      String type =
          ct.getValue() == null ? "text/plain" : ct.getValue().toLowerCase(Locale.ROOT).strip();
      List<NameValuePair> params = ct.getParams();
      String boundary = null;
      for (NameValuePair p : params) {
        if (p.getName().equalsIgnoreCase("boundary")
            && p.getValue() != null
            && !p.getValue().isEmpty()) {
          boundary = p.getValue();
        }
      }
      String disposition = fields.get("content-disposition");
      String fileName = "";
      if (disposition != null) {
        fileName =
            MimeParams.get(
                parser.parseRawBody(new RawField("Content-Disposition", disposition)).getParams(),
                "filename");
      }
      if (fileName.isEmpty()) {
        fileName = MimeParams.get(params, "name");
      }
      String encoding =
          fields.getOrDefault("content-transfer-encoding", "7bit").strip().toLowerCase(Locale.ROOT);
      return new Header(lines, type, boundary, encoding, fileName);
    }

    static Map<String, String> fields(List<LineReader.Line> lines) {
      Map<String, String> fields = new LinkedHashMap<>();
      String name = null;
      StringBuilder value = new StringBuilder();
      for (LineReader.Line line : lines) {
        String text = new String(line.bytes(), StandardCharsets.ISO_8859_1);
        if (!line.lineStart() || text.startsWith(" ") || text.startsWith("\t")) {
          value.append(' ').append(text.strip());
          continue;
        }
        if (name != null) {
          fields.putIfAbsent(name, value.toString().strip());
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
          name = null;
          continue;
        }
        name = text.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        value = new StringBuilder(text.substring(colon + 1).strip());
      }
      if (name != null) {
        fields.putIfAbsent(name, value.toString().strip());
      }
      return fields;
    }

    String fieldName(LineReader.Line line) {
      if (!line.lineStart()
          || line.bytes().length == 0
          || line.bytes()[0] == ' '
          || line.bytes()[0] == '\t') {
        return null;
      }
      String text = new String(line.bytes(), StandardCharsets.ISO_8859_1);
      int colon = text.indexOf(':');
      return colon <= 0 ? null : text.substring(0, colon).strip().toLowerCase(Locale.ROOT);
    }

    void writeRootHeader(Header header) throws IOException {
      if (tag == null && targets.isEmpty()) {
        writeLines(header.lines());
        return;
      }
      List<LineReader.Line> lines = header.lines();
      boolean hasBlank = !lines.isEmpty() && lines.get(lines.size() - 1).blank();
      List<LineReader.Line> fieldsOnly = hasBlank ? lines.subList(0, lines.size() - 1) : lines;
      boolean subjectSeen = false;
      boolean dropping = false;
      for (LineReader.Line line : fieldsOnly) {
        String name = fieldName(line);
        if (name != null) {
          dropping =
              tag != null && OWN_HEADERS.contains(name); // a sender must not pre-set our verdict
        }
        if (dropping) {
          continue;
        }
        if (tag != null
            && "subject".equals(name)
            && !tag.subjectPrefix().isEmpty()
            && !subjectSeen) {
          subjectSeen = true;
          String text = new String(line.bytes(), StandardCharsets.ISO_8859_1);
          int colon = text.indexOf(':');
          String rest = text.substring(colon + 1).stripLeading();
          write(
              (text.substring(0, colon + 1) + " " + tag.subjectPrefix() + " " + rest)
                  .getBytes(StandardCharsets.ISO_8859_1));
          continue;
        }
        if ("subject".equals(name)) {
          subjectSeen = true;
        }
        write(line.bytes());
      }
      if (tag != null) {
        if (!subjectSeen && !tag.subjectPrefix().isEmpty()) {
          writeText("Subject: " + tag.subjectPrefix() + eol);
        }
        for (String h : tagHeaders()) {
          writeText(h + eol);
        }
      }
      if (!targets.isEmpty()) {
        writeText(
            "X-Portcullis-Stripped: "
                + targets.size()
                + " part(s); quarantine="
                + NoticeText.headerSafe(quarantineId)
                + eol);
      }
      if (hasBlank) {
        write(lines.get(lines.size() - 1).bytes());
      } else {
        writeText(eol);
      }
    }

    List<String> tagHeaders() {
      String score = String.format(Locale.ROOT, "%.2f", verdict.score());
      boolean spam = verdict.has(Label.SPAM);
      String tests =
          verdict.findings().stream()
              .filter(f -> f.weight() != 0 || f.label() != null)
              .map(Finding::rule)
              .distinct()
              .collect(Collectors.joining(","));
      String labels =
          verdict.labels().isEmpty()
              ? "clean"
              : verdict.labels().stream().sorted().map(Label::id).collect(Collectors.joining(","));
      List<String> headers = new ArrayList<>();
      if (spam) {
        headers.add("X-Spam-Flag: YES"); // what POP3 clients' junk filters look for
      }
      headers.add("X-Spam-Score: " + score);
      headers.add(
          "X-Spam-Status: "
              + (spam ? "Yes" : "No")
              + ", score="
              + score
              + fold(" tests=" + (tests.isEmpty() ? "none" : tests)));
      headers.add(
          "X-Portcullis-Verdict: "
              + labels
              + "; score="
              + score
              + "; sha256="
              + NoticeText.headerSafe(verdict.sha256()));
      return headers;
    }

    /** Folds a long comma list so header lines stay under 998 octets (RFC 5322 §2.1.1). */
    String fold(String s) {
      StringBuilder sb = new StringBuilder();
      int col = 40;
      for (String piece : s.split("(?<=,)")) {
        if (col + piece.length() > 76) {
          sb.append(eol).append('\t');
          col = 8;
        }
        sb.append(piece);
        col += piece.length();
      }
      return sb.toString();
    }

    void writeNotice(String path, Header header) throws IOException {
      String name = header.fileName();
      String trueType =
          verdict.attachments().stream()
              .filter(a -> a.partPath().equals(path))
              .map(AttachmentInfo::trueType)
              .findFirst()
              .orElse(header.mimeType());
      List<String> reasons =
          verdict.findings().stream()
              .filter(f -> f.partPath().equals(path) && f.label() != null)
              .map(f -> f.reason() + " (" + f.location() + ")")
              .distinct()
              .limit(10)
              .toList();
      StringBuilder text = new StringBuilder();
      text.append("Portcullis removed the attachment ")
          .append(name.isEmpty() ? "(unnamed part " + path + ")" : "\"" + name + "\"")
          .append(" (true type ")
          .append(trueType)
          .append(").\n");
      for (String r : reasons) {
        text.append("Reason: ").append(r).append('\n');
      }
      text.append("The original message is kept in quarantine under the id ")
          .append(quarantineId)
          .append(".\n");
      text.append("Ask your mail administrator to release it if you need this attachment.\n");
      writeText("Content-Type: text/plain; charset=utf-8" + eol);
      writeText("Content-Transfer-Encoding: quoted-printable" + eol);
      writeText("Content-Disposition: inline" + eol);
      writeText(
          "X-Portcullis-Stripped: part="
              + path
              + "; quarantine="
              + NoticeText.headerSafe(quarantineId)
              + eol);
      writeText(eol);
      write(NoticeText.quotedPrintable(text.toString().stripTrailing(), eol));
    }

    void replaceAll(String why) throws IOException {
      Header header = readHeader(List.of());
      replaceAll(header, why);
    }

    void replaceAll(Header header, String why) throws IOException {
      for (LineReader.Line line : header.lines()) {
        String name = fieldName(line);
        if (name != null && KEPT_ON_REPLACE.contains(name)) {
          copyField(header.lines(), line);
        }
      }
      writeText("MIME-Version: 1.0" + eol);
      writeText("Content-Type: text/plain; charset=utf-8" + eol);
      writeText("Content-Transfer-Encoding: quoted-printable" + eol);
      for (String h : tagHeaders()) {
        writeText(h + eol);
      }
      writeText(eol);
      StringBuilder text =
          new StringBuilder("Portcullis replaced this message: ").append(why).append(".\n");
      text.append("Verdict: ")
          .append(
              verdict.labels().isEmpty()
                  ? "clean"
                  : verdict.labels().stream()
                      .sorted()
                      .map(Label::id)
                      .collect(Collectors.joining(", ")))
          .append('\n');
      verdict.findings().stream()
          .filter(f -> f.label() != null)
          .limit(10)
          .forEach(
              f ->
                  text.append("- ")
                      .append(f.reason())
                      .append(" (")
                      .append(f.location())
                      .append(")\n"));
      text.append("The original is kept in quarantine under the id ")
          .append(quarantineId)
          .append(".\n");
      write(NoticeText.quotedPrintable(text.toString().stripTrailing(), eol));
      drain();
    }

    private void copyField(List<LineReader.Line> lines, LineReader.Line first) throws IOException {
      int i = lines.indexOf(first);
      write(first.bytes());
      for (int j = i + 1; j < lines.size(); j++) {
        LineReader.Line l = lines.get(j);
        if (l.blank() || fieldName(l) != null) {
          break;
        }
        write(l.bytes());
      }
    }

    private void drain() throws IOException {
      while (reader.next() != null) {
        // Read to the end so the caller's stream is consumed as with every other action.
      }
    }

    LineReader.Line copyUntil(List<String> boundaries) throws IOException {
      LineReader.Line line;
      while ((line = reader.next()) != null) {
        if (boundaryOf(line, boundaries) != null) {
          return line;
        }
        write(line.bytes());
      }
      return null;
    }

    LineReader.Line skipUntil(List<String> boundaries) throws IOException {
      LineReader.Line line;
      while ((line = reader.next()) != null) {
        if (boundaryOf(line, boundaries) != null) {
          return line;
        }
      }
      return null;
    }

    static String boundaryOf(LineReader.Line line, List<String> boundaries) {
      if (!line.lineStart()
          || line.bytes().length < 3
          || line.bytes()[0] != '-'
          || line.bytes()[1] != '-') {
        return null;
      }
      String t = line.trimmed();
      for (int i = boundaries.size() - 1; i >= 0; i--) {
        String b = boundaries.get(i);
        if (t.equals("--" + b) || t.equals("--" + b + "--")) {
          return b;
        }
      }
      return null;
    }

    void writeLines(List<LineReader.Line> lines) throws IOException {
      for (LineReader.Line l : lines) {
        write(l.bytes());
      }
    }

    void write(byte[] b) throws IOException {
      out.write(b);
    }

    void writeText(String s) throws IOException {
      out.write(s.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static boolean identity(String encoding) {
    return encoding.equals("7bit")
        || encoding.equals("8bit")
        || encoding.equals("binary")
        || encoding.isEmpty();
  }

  private static String join(String parent, int child) {
    return parent.isEmpty() ? Integer.toString(child) : parent + "." + child;
  }
}
