// Attachment detection on real test files: every file (or every test-documents/ entry of a Tika -tests
// jar) becomes the attachment of a message, declared application/octet-stream, and is analysed.
// Run through run-attachment-eval.sh.
import io.portcullis.filter.AttachmentInfo;
import io.portcullis.filter.FilterSettings;
import io.portcullis.filter.Label;
import io.portcullis.filter.MessageAnalyzer;
import io.portcullis.filter.SampleMessages;
import io.portcullis.filter.Verdict;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

public class AttachmentEval {
  record Sample(String name, byte[] bytes) {}

  public static void main(String[] args) throws Exception {
    MessageAnalyzer analyzer = MessageAnalyzer.create(FilterSettings.defaults().withVerdictCache(0, java.time.Duration.ZERO), Optional.empty());
    Map<String, Integer> labelCounts = new TreeMap<>();
    int total = 0;
    int flagged = 0;
    for (String arg : args) {
      List<Sample> samples = new ArrayList<>();
      Path p = Path.of(arg);
      if (Files.isDirectory(p)) {
        try (Stream<Path> files = Files.list(p)) {
          for (Path f : files.sorted().toList()) {
            if (Files.isRegularFile(f)) {
              samples.add(new Sample(f.getFileName().toString(), Files.readAllBytes(f)));
            }
          }
        }
      } else {
        try (ZipFile jar = new ZipFile(p.toFile())) {
          for (ZipEntry e : jar.stream().sorted(java.util.Comparator.comparing(ZipEntry::getName)).toList()) {
            if (e.isDirectory() || !e.getName().contains("test-documents/") || e.getSize() > 50 << 20) {
              continue;
            }
            try (InputStream in = jar.getInputStream(e)) {
              samples.add(new Sample(e.getName().substring(e.getName().indexOf("test-documents/") + 15), in.readAllBytes()));
            }
          }
        }
      }
      System.out.println("== " + p.getFileName() + " (" + samples.size() + " files)");
      for (Sample s : samples) {
        String fileName = s.name().contains("/") ? s.name().substring(s.name().lastIndexOf('/') + 1) : s.name();
        byte[] message = SampleMessages.withAttachment("eval", "attached", fileName, "application/octet-stream", s.bytes());
        long t0 = System.nanoTime();
        Verdict v = analyzer.analyze(new ByteArrayInputStream(message));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        total++;
        boolean attachmentLabel = v.labels().stream().anyMatch(l -> l != Label.SPAM && l != Label.PHISHING);
        if (attachmentLabel) {
          flagged++;
        }
        v.labels().forEach(l -> labelCounts.merge(l.id(), 1, Integer::sum));
        AttachmentInfo top = v.attachments().isEmpty() ? null : v.attachments().get(v.attachments().size() - 1);
        String members = v.attachments().size() > 1 ? " members=" + (v.attachments().size() - 1) : "";
        String cats = v.attachments().stream().flatMap(a -> a.categories().stream()).distinct().sorted().collect(Collectors.joining(","));
        System.out.printf("%-55s %-60s [%s] %s%s %dms%n", s.name(), top == null ? "-" : top.trueType(), cats,
            v.labels().stream().filter(l -> l != Label.SPAM && l != Label.PHISHING).map(Label::id).sorted().toList(), members, ms);
      }
    }
    System.out.printf("%n%d files, %d with an attachment label; labels: %s%n", total, flagged, labelCounts);
  }
}
