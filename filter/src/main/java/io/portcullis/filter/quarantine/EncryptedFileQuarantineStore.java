package io.portcullis.filter.quarantine;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Quarantine in a directory: each original is encrypted in 64 KiB AES-256-GCM chunks (nonce =
 * random prefix + chunk index, the index and a final-chunk flag authenticated, so chunks cannot be
 * reordered or the file truncated), written to a temp file, fsynced, renamed into place and the
 * directory fsynced. Metadata is encrypted JSON beside it. A 50 MB original never sits whole in
 * memory. Thread-safe.
 */
final class EncryptedFileQuarantineStore implements QuarantineStore {

  private static final byte[] OBJECT_MAGIC = "PCQ1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] META_MAGIC = "PCM1".getBytes(StandardCharsets.US_ASCII);
  private static final int CHUNK = 64 * 1024;
  private static final int TAG_BITS = 128;
  private static final int PREFIX_BYTES = 8;
  private static final Pattern ID = Pattern.compile("^[0-9a-f]{64}$");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;
  private final Path objects;
  private final Path tmp;
  private final SecretKey key;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Object lock = new Object();

  EncryptedFileQuarantineStore(Path root, SecretKey key, Clock clock) throws IOException {
    if (!"AES".equalsIgnoreCase(key.getAlgorithm())
        || key.getEncoded() == null
        || key.getEncoded().length != 32) {
      throw new IllegalArgumentException("quarantine key must be a 256-bit AES key");
    }
    this.root = root;
    this.objects = root.resolve("objects");
    this.tmp = root.resolve("tmp");
    this.key = key;
    this.clock = clock;
    Files.createDirectories(objects);
    Files.createDirectories(tmp);
  }

  /** JSON shape of the metadata; instants as ISO-8601 strings. */
  record MetaJson(
      String account,
      String storedAt,
      long size,
      List<String> labels,
      double score,
      List<String> reasons,
      String from,
      String subject,
      String released) {}

  @Override
  public String put(InputStream original, QuarantineMetadata metadata) throws IOException {
    Path temp = Files.createTempFile(tmp, "put", ".part");
    try {
      MessageDigest sha = sha256();
      long size;
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        OutputStream out = java.nio.channels.Channels.newOutputStream(ch);
        byte[] prefix = new byte[PREFIX_BYTES];
        random.nextBytes(prefix);
        byte[] header = header(prefix);
        out.write(header);
        byte[] chunk = new byte[CHUNK];
        long index = 0;
        size = 0;
        int n = original.readNBytes(chunk, 0, CHUNK);
        while (true) {
          sha.update(chunk, 0, n);
          size += n;
          byte[] next = new byte[CHUNK];
          int m = n == CHUNK ? original.readNBytes(next, 0, CHUNK) : 0;
          boolean last = m == 0;
          writeChunk(out, header, prefix, index++, last, chunk, n);
          if (last) {
            break;
          }
          chunk = next;
          n = m;
        }
        out.flush();
        ch.force(true);
      }
      String id = HexFormat.of().formatHex(sha.digest());
      synchronized (lock) {
        Path object = objectPath(id);
        Files.createDirectories(object.getParent());
        if (Files.exists(object)) {
          Files.delete(temp);
        } else {
          Files.move(temp, object, StandardCopyOption.ATOMIC_MOVE);
        }
        if (!Files.exists(metaPath(id))) {
          writeMeta(id, metadata.stored(clock.instant(), size));
        }
        fsyncDir(object.getParent());
        fsyncDir(objects);
      }
      return id;
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  public List<Entry> list(Optional<String> account) throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (DirectoryStream<Path> shards = Files.newDirectoryStream(objects)) {
      for (Path shard : shards) {
        try (DirectoryStream<Path> metas = Files.newDirectoryStream(shard, "*.meta")) {
          for (Path meta : metas) {
            String id = meta.getFileName().toString().replace(".meta", "");
            QuarantineMetadata m = readMeta(id);
            if (account.isEmpty() || account.get().equals(m.account())) {
              entries.add(new Entry(id, m));
            }
          }
        }
      }
    }
    entries.sort(
        Comparator.comparing((Entry e) -> e.metadata().storedAt()).thenComparing(Entry::id));
    return entries;
  }

  @Override
  public Optional<Entry> show(String id) throws IOException {
    if (!ID.matcher(id).matches() || !Files.exists(metaPath(id))) {
      return Optional.empty();
    }
    return Optional.of(new Entry(id, readMeta(id)));
  }

  @Override
  public InputStream release(String id) throws IOException {
    if (!ID.matcher(id).matches() || !Files.exists(objectPath(id))) {
      throw new NoSuchElementException("no quarantined message " + id);
    }
    synchronized (lock) {
      if (Files.exists(metaPath(id))) {
        writeMeta(id, readMeta(id).releasedAt(clock.instant()));
      }
    }
    return new DecryptingStream(
        new DataInputStream(
            new java.io.BufferedInputStream(Files.newInputStream(objectPath(id)), CHUNK + 64)),
        id);
  }

  @Override
  public int purgeOlderThan(Duration maxAge) throws IOException {
    Instant cutoff = clock.instant().minus(maxAge);
    int purged = 0;
    synchronized (lock) {
      for (Entry e : list(Optional.empty())) {
        if (e.metadata().storedAt().isBefore(cutoff)) {
          Files.deleteIfExists(metaPath(e.id()));
          Files.deleteIfExists(objectPath(e.id()));
          fsyncDir(objectPath(e.id()).getParent());
          purged++;
        }
      }
    }
    return purged;
  }

  private Path objectPath(String id) {
    return objects.resolve(id.substring(0, 2)).resolve(id + ".pcq");
  }

  private Path metaPath(String id) {
    return objects.resolve(id.substring(0, 2)).resolve(id + ".meta");
  }

  private static byte[] header(byte[] prefix) {
    ByteBuffer b = ByteBuffer.allocate(OBJECT_MAGIC.length + 1 + PREFIX_BYTES);
    b.put(OBJECT_MAGIC).put((byte) 1).put(prefix);
    return b.array();
  }

  private void writeChunk(
      OutputStream out,
      byte[] header,
      byte[] prefix,
      long index,
      boolean last,
      byte[] data,
      int len)
      throws IOException {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce(prefix, index)));
      c.updateAAD(aad(header, index, last));
      byte[] ct = c.doFinal(data, 0, len);
      ByteBuffer lenAndFlag = ByteBuffer.allocate(5).putInt(len).put((byte) (last ? 1 : 0));
      out.write(lenAndFlag.array());
      out.write(ct);
    } catch (GeneralSecurityException e) {
      throw new IOException("quarantine encryption failed", e);
    }
  }

  private static byte[] nonce(byte[] prefix, long index) {
    if (index > Integer.MAX_VALUE) {
      throw new IllegalStateException("too many chunks");
    }
    return ByteBuffer.allocate(12).put(prefix).putInt((int) index).array();
  }

  private static byte[] aad(byte[] header, long index, boolean last) {
    return ByteBuffer.allocate(header.length + 9)
        .put(header)
        .putLong(index)
        .put((byte) (last ? 1 : 0))
        .array();
  }

  /** Decrypts chunk by chunk and checks the SHA-256 against the id at the end. */
  private final class DecryptingStream extends InputStream {
    private final DataInputStream in;
    private final String id;
    private final MessageDigest sha = sha256();
    private byte[] header;
    private byte[] prefix;
    private byte[] plain = new byte[0];
    private int pos;
    private long index;
    private boolean done;

    DecryptingStream(DataInputStream in, String id) {
      this.in = in;
      this.id = id;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (pos == plain.length) {
        if (done) {
          return -1;
        }
        nextChunk();
      }
      int n = Math.min(len, plain.length - pos);
      System.arraycopy(plain, pos, b, off, n);
      pos += n;
      return n;
    }

    private void nextChunk() throws IOException {
      try {
        if (header == null) {
          byte[] h = new byte[OBJECT_MAGIC.length + 1 + PREFIX_BYTES];
          in.readFully(h);
          if (!java.util.Arrays.equals(h, 0, 4, OBJECT_MAGIC, 0, 4) || h[4] != 1) {
            throw new IOException("not a quarantine object");
          }
          header = h;
          prefix = java.util.Arrays.copyOfRange(h, 5, h.length);
        }
        int len = in.readInt();
        boolean last = in.readByte() == 1;
        if (len < 0 || len > CHUNK) {
          throw new IOException("quarantine object corrupt");
        }
        byte[] ct = new byte[len + TAG_BITS / 8];
        in.readFully(ct);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce(prefix, index)));
        c.updateAAD(aad(header, index, last));
        plain = c.doFinal(ct);
        pos = 0;
        index++;
        sha.update(plain);
        if (last) {
          done = true;
          if (!MessageDigest.isEqual(HexFormat.of().parseHex(id), sha.digest())) {
            throw new IOException("quarantine object does not match its id");
          }
        }
      } catch (EOFException e) {
        throw new IOException("quarantine object truncated", e);
      } catch (GeneralSecurityException e) {
        throw new IOException("quarantine object failed authentication", e);
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  private void writeMeta(String id, QuarantineMetadata m) throws IOException {
    MetaJson json =
        new MetaJson(
            m.account(),
            String.valueOf(m.storedAt()),
            m.size(),
            m.labels(),
            m.score(),
            m.reasons(),
            m.from(),
            m.subject(),
            m.released() == null ? null : m.released().toString());
    byte[] plain = JSON.writeValueAsBytes(json);
    try {
      byte[] nonce = new byte[12];
      random.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(metaAad(id));
      byte[] ct = c.doFinal(plain);
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      all.write(META_MAGIC);
      all.write(nonce);
      all.write(ct);
      Path temp = Files.createTempFile(tmp, "meta", ".part");
      try {
        Files.write(temp, all.toByteArray(), StandardOpenOption.WRITE);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
        Files.move(
            temp,
            metaPath(id),
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
      fsyncDir(metaPath(id).getParent());
    } catch (GeneralSecurityException e) {
      throw new IOException("quarantine metadata encryption failed", e);
    }
  }

  private QuarantineMetadata readMeta(String id) throws IOException {
    byte[] all;
    try {
      all = Files.readAllBytes(metaPath(id));
    } catch (NoSuchFileException e) {
      throw new NoSuchElementException("no quarantined message " + id);
    }
    if (all.length < 4 + 12 + 16 || !java.util.Arrays.equals(all, 0, 4, META_MAGIC, 0, 4)) {
      throw new IOException("quarantine metadata corrupt");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 4, 12));
      c.updateAAD(metaAad(id));
      byte[] plain = c.doFinal(all, 16, all.length - 16);
      MetaJson j = JSON.readValue(plain, MetaJson.class);
      return new QuarantineMetadata(
          j.account(),
          Instant.parse(j.storedAt()),
          j.size(),
          j.labels(),
          j.score(),
          j.reasons(),
          j.from(),
          j.subject(),
          j.released() == null ? null : Instant.parse(j.released()));
    } catch (GeneralSecurityException e) {
      throw new IOException("quarantine metadata failed authentication", e);
    }
  }

  private static byte[] metaAad(String id) {
    return ("PCM1:" + id).getBytes(StandardCharsets.US_ASCII);
  }

  private static void fsyncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  @Override
  public String toString() {
    return "EncryptedFileQuarantineStore[" + root + "]";
  }
}
