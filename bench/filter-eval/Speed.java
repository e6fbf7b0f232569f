// Quick throughput figure (not JMH): messages per second per core, single thread, CPU time, after warm-up.
// Run through run-speed.sh. Optional argument: a spam model file to include the classifier.
import io.portcullis.filter.FilterSettings;
import io.portcullis.filter.MessageAnalyzer;
import io.portcullis.filter.SampleMessages;
import io.portcullis.filter.spam.SpamModel;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

public class Speed {
  public static void main(String[] args) throws Exception {
    Optional<SpamModel> model = args.length > 0 ? Optional.of(SpamModel.load(Path.of(args[0]))) : Optional.empty();
    MessageAnalyzer analyzer = MessageAnalyzer.create(FilterSettings.defaults().withVerdictCache(0, java.time.Duration.ZERO), model);
    Map<String, byte[]> kinds = new LinkedHashMap<>();
    kinds.put("plain text (0.6 KB)", SampleMessages.all().get("plain.eml"));
    kinds.put("HTML newsletter (1.2 KB)", SampleMessages.all().get("newsletter.eml"));
    kinds.put("HTML phishing (0.8 KB)", SampleMessages.all().get("phishing.eml"));
    Map<String, byte[]> files = new LinkedHashMap<>();
    byte[] random = new byte[200_000];
    new Random(1).nextBytes(random);
    for (int i = 0; i < 10; i++) {
      files.put("report-" + i + ".txt", ("quarterly figures line " + i + "\n").repeat(2000).getBytes(StandardCharsets.US_ASCII));
    }
    files.put("photo.jpg", random);
    byte[] zip = SampleMessages.zip(files);
    String docm = new String(SampleMessages.macroDocument(), StandardCharsets.ISO_8859_1);
    kinds.put("attachments: docm + zip of 11 files (" + (zip.length / 1024) + " KB zip)", SampleMessages.withAttachment("files", docm.substring(0, 200), "bundle.zip", "application/zip", zip));
    kinds.put("executable in zip (1 KB)", SampleMessages.executableInZip());
    var mx = ManagementFactory.getThreadMXBean();
    for (var e : kinds.entrySet()) {
      byte[] msg = e.getValue();
      for (int i = 0; i < 3000; i++) {
        analyzer.analyze(new ByteArrayInputStream(msg));
      }
      int n = msg.length > 100_000 ? 500 : 5000;
      long cpu = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        analyzer.analyze(new ByteArrayInputStream(msg));
      }
      double ms = (mx.getCurrentThreadCpuTime() - cpu) / 1e6 / n;
      System.out.printf("%-55s %7.3f ms CPU/message  %8.0f messages/s per core%n", e.getKey(), ms, 1000 / ms);
    }
  }
}
