package io.portcullis.filter.attachment;

import io.portcullis.filter.AttachmentInfo;
import io.portcullis.filter.Finding;
import io.portcullis.filter.Label;
import io.portcullis.filter.io.CountingLimitStream;
import io.portcullis.filter.io.Spool;
import io.portcullis.filter.mime.MimeLimits;
import io.portcullis.filter.mime.MimeWalker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.ArchiveStreamFactory;
import org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry;
import org.apache.commons.compress.archivers.sevenz.SevenZFile;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MediaTypeRegistry;
import org.apache.tika.mime.MimeTypes;

/**
 * Finds the true type and the categories of an attachment and of everything inside it: magic bytes
 * (Tika), ZIP/OOXML/ODF, OLE2, 7z, tar, gzip, bzip2, xz, cpio, arj, RAR, CAB, TNEF, RTF, PDF,
 * SZDD/KWAJ, BinHex, uuencode, SIS and attached mail (.eml, mbox) recursively within {@link
 * ArchiveLimits}; PDF active content; HTML smuggling; deceptive names. Members are spooled in
 * memory or in the caller's scan-private directory only. Immutable and thread-safe.
 */
public final class AttachmentInspector {

  /** What one attachment turned out to be. */
  public record Result(List<AttachmentInfo> attachments, List<Finding> findings) {}

  /** Per-message expansion budget, shared by every attachment of one message. Not thread-safe. */
  public static final class Budget {
    private long expanded;
    private int entries;

    long expanded() {
      return expanded;
    }
  }

  static final class BombException extends IOException {
    BombException(String message) {
      super(message);
    }
  }

  private static final int SPOOL_MEMORY = 4 << 20;

  /**
   * Memory an LZMA/LZMA2 decoder may claim (KiB). The dictionary is allocated up front from a size
   * the archive declares, so this bounds a memory bomb; 7-Zip's ultra preset needs 64 MiB plus
   * overhead.
   */
  private static final int MAX_DECODER_KIB = 128 * 1024;

  /**
   * Bytes Tika's magic sees: every signature that matters sits in the first few KiB, and magic
   * evaluation over a longer prefix dominated the cost of scanning text members.
   */
  private static final int DETECT_PREFIX = 8 * 1024;

  /** ISO 9660 volume descriptors ("CD001") sit at 32769, 34817 or 36865 (ECMA-119 §8). */
  private static final int[] ISO9660_OFFSETS = {0x8001, 0x8801, 0x9001};

  private static final MimeTypes TIKA = MimeTypes.getDefaultMimeTypes();
  private static final MediaTypeRegistry REGISTRY = TIKA.getMediaTypeRegistry();
  private static final MediaType ZIP = MediaType.application("zip");
  private static final String SZDD = "application/x-ms-compress-szdd";
  private static final String KWAJ = "application/x-ms-compress-kwaj";
  private static final String SIS = "application/vnd.symbian.install";
  private static final String BINHEX = "application/mac-binhex40";
  private static final String UUENCODE = "text/x-uuencode";

  /** Assembled at class load so that this class file itself does not trip virus scanners. */
  private static final byte[] EICAR =
      String.join(
              "", "X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-ANTIVIRUS-", "TEST-FILE!$H+H*")
          .getBytes(StandardCharsets.US_ASCII);

  private static final Set<String> EXECUTABLE_TYPES =
      Set.of(
          "application/x-msdownload",
          "application/x-dosexec",
          "application/x-executable",
          "application/x-elf",
          "application/x-sharedlib",
          "application/x-mach-o",
          "application/x-mach-o-executable",
          "application/x-mach-o-dylib",
          "application/x-mach-o-bundle",
          "application/x-mach-o-universal",
          "application/x-msi",
          "application/x-ms-installer",
          "application/java-archive",
          "application/java-vm",
          "application/vnd.android.package-archive",
          "application/x-ms-application",
          SIS);
  private static final Set<String> SCRIPT_TYPES =
      Set.of(
          "application/x-bat",
          "application/x-ms-shortcut",
          "application/hta",
          "text/javascript",
          "application/javascript",
          "text/vbscript",
          "application/x-powershell");
  private static final Set<String> DISK_IMAGE_TYPES =
      Set.of(
          "application/x-iso9660-image",
          "application/x-apple-diskimage",
          "application/x-vhd",
          "application/x-fat-diskimage",
          "application/x-raw-disk-image");
  private static final Set<String> STREAM_ARCHIVES =
      Set.of("application/x-tar", "application/x-gtar", "application/x-cpio", "application/x-arj");
  private static final Set<String> LISTED_ARCHIVES =
      Set.of(
          "application/x-rar-compressed",
          "application/vnd.rar",
          "application/vnd.ms-cab-compressed",
          SZDD,
          KWAJ,
          SIS);

  /** Encodings of one or more files as text: members, but the text is no archive. */
  private static final Set<String> ENCODED_FILES = Set.of(BINHEX, UUENCODE);

  /** Largest RAR, CAB, TNEF or RTF read into memory to be listed; beyond it, not inspected. */
  private static final int MAX_IN_MEMORY = 64 << 20;

  private static final Set<String> UNINSPECTED_ARCHIVES =
      Set.of(
          "application/x-lzh-compressed",
          "application/x-ace-compressed",
          "application/x-stuffit",
          "application/x-lzip",
          "application/zstd");

  private final AttachmentRules rules;
  private final ArchiveLimits limits;
  private final MimeWalker mailWalker;

  /** An inspector that walks mail found inside attachments with the default {@link MimeLimits}. */
  public AttachmentInspector(AttachmentRules rules, ArchiveLimits limits) {
    this(rules, limits, MimeLimits.defaults());
  }

  /**
   * @param mimeLimits the limits a message found inside an attachment (an .eml or mbox sent as a
   *     file) is walked with
   */
  public AttachmentInspector(AttachmentRules rules, ArchiveLimits limits, MimeLimits mimeLimits) {
    this.rules = rules;
    this.limits = limits;
    this.mailWalker = new MimeWalker(mimeLimits);
  }

  /** A fresh budget for one message. */
  public Budget newBudget() {
    return new Budget();
  }

  /**
   * Inspects one decoded MIME part. Never throws for bad content: limits, unreadable containers and
   * internal errors become findings.
   *
   * @param scratch the scan-private directory spooled members may be written to
   */
  public Result inspect(
      String partPath,
      String fileName,
      String declaredType,
      Spool content,
      Budget budget,
      Path scratch) {
    Walk walk = new Walk(partPath, budget, scratch, content.size());
    String location =
        "part " + partPath + (fileName.isEmpty() ? "" : " '" + FileNames.display(fileName) + "'");
    try {
      walk.object(fileName, declaredType, location, content, 0);
    } catch (BombException e) {
      walk.finding("decompression-bomb", Label.DECOMPRESSION_BOMB, 0, e.getMessage(), location);
      walk.addInfo(fileName, declaredType, "application/octet-stream", Set.of(Categories.ARCHIVE));
    } catch (IOException | RuntimeException e) {
      walk.finding(
          "attachment-unreadable",
          Label.MALFORMED,
          0,
          "content could not be inspected: " + e.getClass().getSimpleName(),
          location);
      walk.addInfo(fileName, declaredType, "application/octet-stream", Set.of());
    }
    return new Result(List.copyOf(walk.infos), List.copyOf(walk.findings));
  }

  /** The walk over one top-level attachment. */
  private final class Walk {
    final String partPath;
    final Budget budget;
    final Path scratch;
    final long attachmentSize;
    final List<AttachmentInfo> infos = new ArrayList<>();
    final List<Finding> findings = new ArrayList<>();

    Walk(String partPath, Budget budget, Path scratch, long attachmentSize) {
      this.partPath = partPath;
      this.budget = budget;
      this.scratch = scratch;
      this.attachmentSize = attachmentSize;
    }

    void finding(String rule, Label label, double weight, String reason, String location) {
      findings.add(new Finding(rule, label, weight, reason, location, partPath));
    }

    void addInfo(String name, String declared, String trueType, Set<String> categories) {
      infos.add(new AttachmentInfo(partPath, name, declared, trueType, categories));
    }

    void consumed(long n) throws BombException {
      budget.expanded += n;
      if (budget.expanded > limits.maxExpandedBytes()) {
        throw new BombException(
            "archives expand to more than " + limits.maxExpandedBytes() + " bytes");
      }
      long expandedHere = budget.expanded;
      if (expandedHere > limits.ratioFloorBytes()
          && expandedHere > (long) limits.maxRatio() * Math.max(1, attachmentSize)) {
        throw new BombException(
            "expansion ratio above " + limits.maxRatio() + ":1 (" + attachmentSize + " bytes in)");
      }
    }

    void countEntry() throws BombException {
      if (++budget.entries > limits.maxEntries()) {
        throw new BombException("more than " + limits.maxEntries() + " archive members");
      }
    }

    /** A member: spool it (counting what it expands to), then inspect it. */
    void member(String name, InputStream in, String location, int depth) throws IOException {
      if (depth > limits.maxDepth()) {
        throw new BombException("archives nested deeper than " + limits.maxDepth());
      }
      try (Spool spool = new Spool(scratch, SPOOL_MEMORY)) {
        try (InputStream counted = new CountingLimitStream(in, this::consumed)) {
          counted.transferTo(spool);
        }
        spool.seal();
        object(name, "", location, spool, depth);
      }
    }

    /** A file carried in a container the module reads itself, inspected under its own name. */
    void embedded(String name, byte[] data, String location, int depth) throws IOException {
      countEntry();
      member(
          name,
          new java.io.ByteArrayInputStream(data),
          location + " > '" + FileNames.display(name) + "'",
          depth + 1);
    }

    /** Where an archive member is, after reporting a name that escapes the extraction directory. */
    String memberAt(String location, String entryName) {
      String memberLocation = location + " > '" + FileNames.display(entryName) + "'";
      String unsafe = FileNames.unsafePath(entryName);
      if (unsafe != null) {
        finding(
            "archive-path-traversal",
            Label.DANGEROUS_ATTACHMENT,
            0,
            "member path escapes the extraction directory: " + unsafe,
            memberLocation);
      }
      return memberLocation;
    }

    void object(String name, String declared, String location, Spool content, int depth)
        throws IOException {
      byte[] prefix;
      try (InputStream in = content.openPrefix(DETECT_PREFIX)) {
        prefix = in.readAllBytes();
      }
      String magic = base(TIKA.detect(new java.io.ByteArrayInputStream(prefix), new Metadata()));
      if (startsWith(prefix, MsCompressReader.KWAJ_MAGIC)) {
        magic = KWAJ; // not in Tika's registry
      } else if (magic.startsWith("text/") && UuDecoder.startsBlock(prefix)) {
        magic = UUENCODE;
      }
      if (magic.equals("application/octet-stream")
          && content.size() > ISO9660_OFFSETS[0] + 5
          && iso9660(content)) {
        magic = "application/x-iso9660-image";
      }
      Metadata byName = new Metadata();
      byName.set(TikaCoreProperties.RESOURCE_NAME_KEY, FileNames.baseName(name));
      String nameType =
          name.isEmpty() ? "application/octet-stream" : base(TIKA.detect(null, byName));
      String ext = FileNames.extension(name);
      Set<String> categories = new LinkedHashSet<>();
      String trueType = magic;
      String rtfDisguise = null;

      if (startsWith(prefix, EICAR)) {
        categories.add(Categories.TEST_SIGNATURE);
        finding(
            "eicar-test-signature",
            Label.DANGEROUS_ATTACHMENT,
            0,
            "the EICAR anti-virus test signature",
            location);
      }
      if (isA(magic, ZIP)) {
        trueType = zip(content, location, depth, categories);
      } else if (isA(magic, MediaType.application("x-tika-msoffice"))) {
        try (var ch = content.openChannel()) {
          OleInspector.OleFacts facts = OleInspector.inspect(ch);
          trueType = facts.trueType();
          if (facts.macros()) {
            categories.add(Categories.MACRO_DOCUMENT);
          }
          if (facts.encrypted()) {
            categories.add(Categories.ENCRYPTED);
          }
          if (facts.trueType().equals("application/x-msi")) {
            categories.add(Categories.EXECUTABLE);
          }
          if (!facts.xlmSheets().isEmpty()) {
            location =
                location
                    + " (Excel 4.0 macro sheets: "
                    + String.join(", ", facts.xlmSheets())
                    + ")";
          }
          // Files embedded as OLE Package objects are members, like those of an archive.
          for (OleInspector.Embedded e : facts.embedded()) {
            embedded(e.name(), e.data(), location, depth);
          }
        }
      } else if (magic.equals("application/x-7z-compressed")) {
        categories.add(Categories.ARCHIVE);
        sevenZ(content, location, depth, categories);
      } else if (STREAM_ARCHIVES.contains(magic)) {
        categories.add(Categories.ARCHIVE);
        streamArchive(magic, content, location, depth);
      } else if (magic.equals("application/gzip")
          || magic.equals("application/x-bzip2")
          || magic.equals("application/x-xz")) {
        categories.add(Categories.ARCHIVE);
        compressed(magic, name, content, location, depth);
      } else if (LISTED_ARCHIVES.contains(magic)) {
        categories.add(Categories.ARCHIVE);
        listed(magic, name, content, location, depth, categories);
      } else if (ENCODED_FILES.contains(magic)) {
        listed(magic, name, content, location, depth, categories);
      } else if (magic.equals("message/rfc822") || magic.equals("application/mbox")) {
        mail(magic.equals("application/mbox"), content, location, depth);
      } else if (magic.equals("application/vnd.ms-tnef")) {
        // winmail.dat: Outlook's wrapper around the real attachments, which clients unpack.
        for (Member m : TnefReader.attachments(inMemory(content))) {
          embedded(m.name(), m.data(), location, depth);
        }
      } else if (magic.equals("application/rtf")) {
        List<RtfInspector.RtfObject> objects = RtfInspector.objects(inMemory(content));
        List<String> active = new ArrayList<>();
        int n = 0;
        for (RtfInspector.RtfObject o : objects) {
          n++;
          String cls = o.className().isEmpty() ? "object " + n : o.className();
          if (o.autoUpdate()) {
            active.add(cls + " updates itself on opening (\\objupdate)");
          }
          if (RtfInspector.EXPLOITED_CLASSES.contains(o.className())) {
            active.add(cls + " is an exploited object class");
          }
          if (o.member() != null) {
            String memberName =
                o.member().name().startsWith("class:") ? "object-" + n : o.member().name();
            embedded(memberName, o.member().data(), location, depth);
          }
        }
        if (!active.isEmpty()) {
          categories.add(Categories.ACTIVE_OBJECT);
          location = location + " (RTF: " + String.join("; ", active) + ")";
        }
        if (!objects.isEmpty() && OFFICE_BINARY_EXT.contains(ext)) {
          rtfDisguise =
              "RTF with "
                  + objects.size()
                  + " embedded object(s) named ."
                  + ext
                  + " (Word opens it as RTF whatever the name)";
        }
      } else if (UNINSPECTED_ARCHIVES.contains(magic)) {
        categories.add(Categories.ARCHIVE);
        finding(
            "unscannable-archive",
            null,
            1.0,
            magic + " archives are recognised but not expanded",
            location);
      } else if (magic.equals("application/pdf")) {
        PdfInspector.PdfFacts pdf;
        try (InputStream in = content.openStream()) {
          pdf = PdfInspector.inspect(in);
        }
        Set<String> names = pdf.names();
        // Files embedded in the PDF (what a /Launch action would start) are members.
        for (Member m : pdf.embedded()) {
          embedded(m.name(), m.data(), location, depth);
        }
        if (names.stream().anyMatch(PdfInspector.ACTIVE::contains)
            || names.contains("EmbeddedFile") && names.contains("OpenAction")) {
          categories.add(Categories.PDF_ACTIVE);
        }
        if (names.contains("Encrypt")) {
          categories.add(Categories.ENCRYPTED);
        }
        if (!names.isEmpty()) {
          location = location + " (PDF names: /" + String.join(" /", names) + ")";
        }
      }
      if (magic.equals("text/html")
          || nameType.equals("text/html")
          || magic.equals("application/xhtml+xml")) {
        try (InputStream in = content.openStream()) {
          String why = HtmlSmuggling.check(in);
          if (why != null) {
            categories.add(Categories.HTML_SMUGGLING);
            location = location + " (" + why + ")";
          }
        }
        // Payloads carried inside the page as data: URIs are members like those of an archive.
        List<byte[]> embedded;
        try (InputStream in = content.openStream()) {
          embedded = HtmlSmuggling.dataUris(in);
        }
        int n = 0;
        for (byte[] payload : embedded) {
          embedded("data-uri-" + ++n, payload, location, depth);
        }
      }

      classify(trueType, ext, categories);
      String doubleExt = FileNames.doubleExtension(name);
      if (doubleExt != null) {
        categories.add(Categories.DOUBLE_EXTENSION);
      }
      String deceptive = FileNames.deceptive(name);
      if (deceptive != null) {
        categories.add(Categories.DECEPTIVE_NAME);
      }
      String mismatch = mismatch(trueType, nameType, declared, categories);
      if (mismatch == null) {
        mismatch = rtfDisguise;
      }
      if (mismatch != null) {
        categories.add(Categories.MISMATCH);
      }

      addInfo(name, declared, trueType, categories);
      report(trueType, ext, categories, location, doubleExt, deceptive, mismatch);
    }

    private void report(
        String trueType,
        String ext,
        Set<String> categories,
        String location,
        String doubleExt,
        String deceptive,
        String mismatch) {
      if (categories.contains(Categories.MACRO_DOCUMENT)) {
        finding("macro-document", Label.MACRO, 0, trueType + " with a VBA/macro project", location);
      }
      if (categories.contains(Categories.ENCRYPTED)) {
        finding(
            "encrypted-content",
            Label.ENCRYPTED,
            0.5,
            trueType + " is encrypted and could not be inspected",
            location);
      }
      String denial = rules.denial(trueType, ext, categories);
      if (denial != null) {
        StringBuilder why = new StringBuilder(trueType).append(": ").append(denial);
        for (String detail : new String[] {doubleExt, deceptive, mismatch}) {
          if (detail != null) {
            why.append("; ").append(detail);
          }
        }
        String rule =
            categories.stream()
                .filter(rules.denyCategories()::contains)
                .findFirst()
                .map(c -> "attachment-" + c)
                .orElse("attachment-denied");
        finding(rule, Label.DANGEROUS_ATTACHMENT, 0, why.toString(), location);
      }
    }

    private String zip(Spool content, String location, int depth, Set<String> categories)
        throws IOException {
      try {
        return zipFile(content, location, depth, categories);
      } catch (BombException e) {
        throw e;
      } catch (IOException e) {
        // No usable central directory (truncated, spanned, data descriptors): read local headers.
        return zipStream(content, location, depth, categories);
      }
    }

    private String zipStream(Spool content, String location, int depth, Set<String> categories)
        throws IOException {
      try (InputStream raw = content.openStream();
          org.apache.commons.compress.archivers.zip.ZipArchiveInputStream zip =
              new org.apache.commons.compress.archivers.zip.ZipArchiveInputStream(
                  raw, "UTF-8", true, true)) {
        ZipArchiveEntry entry;
        while ((entry = zip.getNextEntry()) != null) {
          countEntry();
          String entryName = entry.getName();
          String memberLocation = memberAt(location, entryName);
          if (entry.isDirectory()) {
            continue;
          }
          if (entry.getGeneralPurposeBit().usesEncryption()) {
            categories.add(Categories.ENCRYPTED);
            nameOnly(entryName, memberLocation);
            continue;
          }
          if (!zip.canReadEntryData(entry)) {
            finding(
                "unscannable-archive",
                null,
                1.0,
                "member uses an unsupported compression method",
                memberLocation);
            nameOnly(entryName, memberLocation, "compressed member (not expanded)");
            continue;
          }
          member(entryName, nonClosing(zip), memberLocation, depth + 1);
        }
      }
      categories.add(Categories.ARCHIVE);
      return "application/zip";
    }

    private String zipFile(Spool content, String location, int depth, Set<String> categories)
        throws IOException {
      List<String> names = new ArrayList<>();
      boolean ooxml = false;
      boolean odf = false;
      boolean jar = false;
      boolean apk = false;
      boolean vba = false;
      boolean xlm = false;
      try (ZipFile zip =
          ZipFile.builder()
              .setSeekableByteChannel(content.openChannel())
              .setIgnoreLocalFileHeader(false)
              .get()) {
        for (Enumeration<ZipArchiveEntry> e = zip.getEntries(); e.hasMoreElements(); ) {
          ZipArchiveEntry entry = e.nextElement();
          countEntry();
          String entryName = entry.getName();
          names.add(entryName);
          String lower = entryName.toLowerCase(Locale.ROOT);
          ooxml |= lower.equals("[content_types].xml");
          odf |= lower.equals("mimetype") || lower.equals("meta-inf/manifest.xml");
          jar |= lower.equals("meta-inf/manifest.mf") || lower.endsWith(".class");
          apk |= lower.equals("androidmanifest.xml") || lower.equals("classes.dex");
          xlm |= lower.startsWith("xl/macrosheets/");
          vba |=
              lower.endsWith("vbaproject.bin")
                  || lower.startsWith("basic/")
                      && lower.endsWith(".xml")
                      && !lower.endsWith("script-lc.xml")
                      && !lower.endsWith("script-lb.xml");
        }
        boolean document = ooxml || odf;
        for (Enumeration<ZipArchiveEntry> e = zip.getEntries(); e.hasMoreElements(); ) {
          ZipArchiveEntry entry = e.nextElement();
          String entryName = entry.getName();
          String memberLocation = memberAt(location, entryName);
          if (entry.isDirectory()) {
            continue;
          }
          if (entry.getGeneralPurposeBit().usesEncryption()) {
            categories.add(Categories.ENCRYPTED);
            nameOnly(entryName, memberLocation);
            continue;
          }
          String lower = entryName.toLowerCase(Locale.ROOT);
          // A document's own XML parts are not attachments; embedded objects are.
          if (document && !(lower.contains("embeddings/") || lower.startsWith("object"))) {
            continue;
          }
          if (!zip.canReadEntryData(entry)) {
            finding(
                "unscannable-archive",
                null,
                1.0,
                "member uses an unsupported compression method",
                memberLocation);
            nameOnly(entryName, memberLocation, "compressed member (not expanded)");
            continue;
          }
          try (InputStream in = zip.getInputStream(entry)) {
            member(entryName, in, memberLocation, depth + 1);
          }
        }
      }
      if (ooxml) {
        // Excel 4.0 macro sheets (xl/macrosheets/) run like VBA and need no vbaProject.bin.
        return ooxmlType(names, vba || xlm, categories);
      }
      if (vba) {
        categories.add(Categories.MACRO_DOCUMENT);
      }
      if (odf) {
        return "application/vnd.oasis.opendocument";
      }
      if (apk) {
        return "application/vnd.android.package-archive";
      }
      if (jar) {
        return "application/java-archive";
      }
      categories.add(Categories.ARCHIVE);
      return "application/zip";
    }

    private String ooxmlType(List<String> names, boolean vba, Set<String> categories) {
      if (vba) {
        categories.add(Categories.MACRO_DOCUMENT);
      }
      boolean word = names.stream().anyMatch(n -> n.startsWith("word/"));
      boolean excel = names.stream().anyMatch(n -> n.startsWith("xl/"));
      boolean ppt = names.stream().anyMatch(n -> n.startsWith("ppt/"));
      if (word) {
        return vba
            ? "application/vnd.ms-word.document.macroenabled.12"
            : "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
      }
      if (excel) {
        return vba
            ? "application/vnd.ms-excel.sheet.macroenabled.12"
            : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      }
      if (ppt) {
        return vba
            ? "application/vnd.ms-powerpoint.presentation.macroenabled.12"
            : "application/vnd.openxmlformats-officedocument.presentationml.presentation";
      }
      return "application/x-tika-ooxml";
    }

    /** A member that cannot be read (encrypted): judge it by its name alone. */
    private void nameOnly(String name, String location) {
      nameOnly(name, location, "encrypted member");
    }

    /** A member that cannot be read: judge it by its name alone. */
    private void nameOnly(String name, String location, String what) {
      Set<String> categories = new LinkedHashSet<>();
      classify("application/octet-stream", FileNames.extension(name), categories);
      String doubleExt = FileNames.doubleExtension(name);
      if (doubleExt != null) {
        categories.add(Categories.DOUBLE_EXTENSION);
      }
      String deceptive = FileNames.deceptive(name);
      if (deceptive != null) {
        categories.add(Categories.DECEPTIVE_NAME);
      }
      addInfo(name, "", "application/octet-stream", categories);
      report(what, FileNames.extension(name), categories, location, doubleExt, deceptive, null);
    }

    /**
     * Containers read whole by the module's own readers (RAR, CAB, SZDD/KWAJ, SIS, BinHex,
     * uuencode): members with bytes are inspected, encrypted ones judged by name, ones the reader
     * cannot expand judged by name and reported as not scanned.
     */
    private void listed(
        String type, String name, Spool content, String location, int depth, Set<String> categories)
        throws IOException {
      if (content.size() > MAX_IN_MEMORY) {
        finding(
            "unscannable-archive",
            null,
            1.0,
            type + " larger than " + (MAX_IN_MEMORY >> 20) + " MiB is not listed",
            location);
        return;
      }
      byte[] bytes = inMemory(content);
      // What is left of the message's expansion budget, and never more than memory allows.
      long room = Math.max(0, Math.min(limits.maxExpandedBytes() - budget.expanded, MAX_IN_MEMORY));
      ListedArchive archive =
          switch (type) {
            case "application/vnd.ms-cab-compressed" ->
                CabReader.list(bytes, Math.min(limits.maxExpandedBytes(), MAX_IN_MEMORY));
            case SZDD, KWAJ -> MsCompressReader.expand(bytes, name, room);
            case SIS -> SisReader.list(bytes, room);
            case BINHEX -> BinHexReader.decode(bytes, room);
            case UUENCODE -> UuDecoder.decode(bytes, room);
            default -> RarLister.list(bytes, limits.maxExpandedBytes());
          };
      if (archive.headersEncrypted()) {
        categories.add(Categories.ENCRYPTED); // not even the names are visible
      }
      int unscannable = 0;
      for (ListedArchive.Entry entry : archive.entries()) {
        countEntry();
        String memberLocation = memberAt(location, entry.name());
        if (entry.directory()) {
          continue;
        }
        if (entry.encrypted()) {
          categories.add(Categories.ENCRYPTED);
          nameOnly(entry.name(), memberLocation);
        } else if (entry.data() != null) {
          member(
              entry.name(),
              new java.io.ByteArrayInputStream(entry.data()),
              memberLocation,
              depth + 1);
        } else {
          unscannable++;
          nameOnly(entry.name(), memberLocation, "compressed member (not expanded)");
        }
      }
      if (unscannable > 0) {
        finding(
            "unscannable-archive",
            null,
            1.0,
            unscannable
                + " compressed member(s) of "
                + type
                + " could not be expanded and were judged by name only",
            location);
      }
    }

    /**
     * A message sent as a file (.eml, mbox): walked like the message itself, with the MIME limits,
     * and each of its parts inspected as a member one level deeper, so mail inside mail is bounded
     * by the archive depth as well.
     */
    private void mail(boolean mbox, Spool content, String location, int depth) throws IOException {
      try {
        if (!mbox) {
          try (InputStream in = content.openStream()) {
            walked(mailWalker.walk(in, parts(location, depth)), location);
          }
          return;
        }
        int n = 0;
        for (byte[] message : MailFiles.mboxMessages(inMemory(content))) {
          countEntry();
          String at = location + " (mbox message " + ++n + ")";
          walked(mailWalker.walk(new java.io.ByteArrayInputStream(message), parts(at, depth)), at);
        }
      } catch (java.io.UncheckedIOException e) {
        throw e.getCause();
      }
    }

    /** Inspects each part of an attached message as a member. */
    private MimeWalker.Sink parts(String location, int depth) {
      return (part, decoded) -> {
        String partName = part.fileName().isEmpty() ? "part-" + part.path() : part.fileName();
        try {
          countEntry();
          member(
              partName,
              decoded,
              location + " > part " + part.path() + " '" + FileNames.display(partName) + "'",
              depth + 1);
        } catch (IOException e) {
          // The walker turns read errors into findings; a limit passed here must end the walk.
          throw new java.io.UncheckedIOException(e);
        }
      };
    }

    /** The walker's findings about the inner message (too complex, malformed) are ours. */
    private void walked(MimeWalker.Content inner, String location) {
      for (Finding f : inner.findings()) {
        finding(f.rule(), f.label(), f.weight(), "attached message: " + f.reason(), location);
      }
    }

    private void sevenZ(Spool content, String location, int depth, Set<String> categories)
        throws IOException {
      try (SevenZFile sevenZ =
          SevenZFile.builder()
              .setSeekableByteChannel(content.openChannel())
              .setMaxMemoryLimitKb(MAX_DECODER_KIB)
              .get()) {
        SevenZArchiveEntry entry;
        while ((entry = sevenZ.getNextEntry()) != null) {
          countEntry();
          String entryName = entry.getName() == null ? "" : entry.getName();
          String memberLocation = memberAt(location, entryName);
          if (entry.isDirectory() || !entry.hasStream()) {
            continue;
          }
          try {
            member(entryName, sevenZStream(sevenZ), memberLocation, depth + 1);
          } catch (org.apache.commons.compress.PasswordRequiredException e) {
            categories.add(Categories.ENCRYPTED);
            nameOnly(entryName, memberLocation);
          }
        }
      } catch (org.apache.commons.compress.PasswordRequiredException e) {
        categories.add(Categories.ENCRYPTED); // encrypted headers: not even the names are visible
      } catch (org.apache.commons.compress.MemoryLimitException e) {
        throw new BombException("7z decoder needs more than " + MAX_DECODER_KIB / 1024 + " MiB");
      }
    }

    private void streamArchive(String type, Spool content, String location, int depth)
        throws IOException {
      String format =
          switch (type) {
            case "application/x-cpio" -> ArchiveStreamFactory.CPIO;
            case "application/x-arj" -> ArchiveStreamFactory.ARJ;
            default -> ArchiveStreamFactory.TAR;
          };
      try (InputStream raw = content.openStream();
          ArchiveInputStream<? extends ArchiveEntry> archive =
              ArchiveStreamFactory.DEFAULT.createArchiveInputStream(format, raw)) {
        ArchiveEntry entry;
        while ((entry = archive.getNextEntry()) != null) {
          countEntry();
          String entryName = entry.getName();
          String memberLocation = memberAt(location, entryName);
          if (entry.isDirectory()) {
            continue;
          }
          if (!archive.canReadEntryData(entry)) {
            finding(
                "unscannable-archive",
                null,
                1.0,
                "member uses an unsupported compression method",
                memberLocation);
            nameOnly(entryName, memberLocation, "compressed member (not expanded)");
            continue;
          }
          member(entryName, nonClosing(archive), memberLocation, depth + 1);
        }
      } catch (org.apache.commons.compress.archivers.ArchiveException e) {
        throw new IOException(e.getMessage(), e);
      }
    }

    private void compressed(String type, String name, Spool content, String location, int depth)
        throws IOException {
      String inner = FileNames.baseName(name);
      int dot = inner.lastIndexOf('.');
      inner = dot > 0 ? inner.substring(0, dot) : inner + ".out";
      if (inner.toLowerCase(Locale.ROOT).endsWith(".tgz")) {
        inner = inner.substring(0, inner.length() - 4) + ".tar";
      }
      countEntry();
      try (InputStream raw = content.openStream();
          InputStream in =
              switch (type) {
                case "application/gzip" ->
                    GzipCompressorInputStream.builder()
                        .setInputStream(raw)
                        .setDecompressConcatenated(true)
                        .get();
                case "application/x-bzip2" -> new BZip2CompressorInputStream(raw, true);
                default -> new XZCompressorInputStream(raw, true, MAX_DECODER_KIB);
              }) {
        member(inner, in, location + " > '" + FileNames.display(inner) + "'", depth + 1);
      } catch (org.apache.commons.compress.MemoryLimitException e) {
        throw new BombException("xz decoder needs more than " + MAX_DECODER_KIB / 1024 + " MiB");
      }
    }
  }

  /** File extensions Word and Excel open whatever the content, RTF included. */
  private static final Set<String> OFFICE_BINARY_EXT = Set.of("doc", "dot", "docx", "xls", "wbk");

  private static byte[] inMemory(Spool content) throws IOException {
    if (content.size() > MAX_IN_MEMORY) {
      throw new IOException("container larger than " + (MAX_IN_MEMORY >> 20) + " MiB");
    }
    try (InputStream in = content.openStream()) {
      return in.readAllBytes();
    }
  }

  /** A view of an archive stream positioned at a member; closing it leaves the archive open. */
  private static InputStream nonClosing(InputStream archive) {
    return new java.io.FilterInputStream(archive) {
      @Override
      public void close() {
        // The archive owns the stream.
      }
    };
  }

  /** The current 7z entry as a stream (7z is read sequentially; random access would re-decode). */
  private static InputStream sevenZStream(SevenZFile sevenZ) {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        return sevenZ.read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return sevenZ.read(b, off, len);
      }

      @Override
      public void close() {
        // The archive owns the stream; closing a member must not close the archive.
      }
    };
  }

  private static void classify(String trueType, String ext, Set<String> categories) {
    if (EXECUTABLE_TYPES.contains(trueType) || FileNames.EXECUTABLE_EXT.contains(ext)) {
      categories.add(Categories.EXECUTABLE);
    }
    if (SCRIPT_TYPES.contains(trueType) || FileNames.SCRIPT_EXT.contains(ext)) {
      categories.add(Categories.SCRIPT);
    }
    if (DISK_IMAGE_TYPES.contains(trueType) || FileNames.DISK_IMAGE_EXT.contains(ext)) {
      categories.add(Categories.DISK_IMAGE);
    }
    if (trueType.contains("macroenabled") || FileNames.MACRO_EXT.contains(ext)) {
      categories.add(Categories.MACRO_DOCUMENT);
    }
  }

  /**
   * A reason when the content is of a dangerous kind while its name or declared type present it as
   * an inert one (image, PDF, text, media), else null.
   */
  private static String mismatch(
      String trueType, String nameType, String declared, Set<String> categories) {
    boolean dangerousContent =
        EXECUTABLE_TYPES.contains(trueType)
            || DISK_IMAGE_TYPES.contains(trueType)
            || categories.contains(Categories.MACRO_DOCUMENT) && !trueType.contains("macroenabled")
            || trueType.equals("text/html") && !nameType.equals("text/plain");
    if (!dangerousContent) {
      return null;
    }
    for (String shown : new String[] {nameType, declared}) {
      if (shown == null || shown.isEmpty() || related(trueType, shown)) {
        continue;
      }
      if (shown.startsWith("image/")
          || shown.startsWith("audio/")
          || shown.startsWith("video/")
          || shown.equals("application/pdf")
          || shown.equals("text/plain")
          || shown.equals("text/csv")) {
        return "content is " + trueType + " but it is presented as " + shown;
      }
    }
    return null;
  }

  private static boolean related(String a, String b) {
    MediaType ma = MediaType.parse(a);
    MediaType mb = MediaType.parse(b);
    if (ma == null || mb == null) {
      return false;
    }
    return ma.equals(mb)
        || REGISTRY.isSpecializationOf(ma, mb)
        || REGISTRY.isSpecializationOf(mb, ma);
  }

  private static boolean isA(String type, MediaType parent) {
    MediaType t = MediaType.parse(type);
    return t != null && (t.equals(parent) || REGISTRY.isSpecializationOf(t, parent));
  }

  private static String base(MediaType type) {
    return type.getBaseType().toString().toLowerCase(Locale.ROOT);
  }

  private static boolean iso9660(Spool content) throws IOException {
    byte[] head;
    try (InputStream in = content.openPrefix(ISO9660_OFFSETS[2] + 6)) {
      head = in.readAllBytes();
    }
    for (int off : ISO9660_OFFSETS) {
      if (head.length >= off + 5
          && head[off] == 'C'
          && head[off + 1] == 'D'
          && head[off + 2] == '0'
          && head[off + 3] == '0'
          && head[off + 4] == '1') {
        return true;
      }
    }
    return false;
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    if (data.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
