package io.portcullis.filter.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OleInspectorTest {

  /** An [MS-OLEDS] OLE Package stream as Word writes it when a file is dragged into a document. */
  private static byte[] ole10Native(String label, String path, byte[] data) {
    byte[] l = (label + "\0").getBytes(StandardCharsets.ISO_8859_1);
    byte[] p = (path + "\0").getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b =
        ByteBuffer.allocate(4 + 2 + l.length + p.length + 4 + 4 + p.length + 4 + data.length)
            .order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(b.capacity() - 4)
        .putShort((short) 2)
        .put(l)
        .put(p)
        .putShort((short) 0)
        .putShort((short) 3);
    b.putInt(p.length).put(p).putInt(data.length).put(data);
    return b.array();
  }

  @Test
  void packagedFileShouldComeOutWithItsNameAndBytes() {
    byte[] payload = {'M', 'Z', 1, 2, 3};

    OleInspector.Embedded e =
        OleInspector.ole10Native(ole10Native("Clam.exe", "C:\\tmp\\Clam.exe", payload));

    assertThat(e.name()).isEqualTo("Clam.exe");
    assertThat(e.data()).isEqualTo(payload);
  }

  @Test
  void aPackageClaimingMoreDataThanItHoldsShouldKeepTheNameButNoBytes() {
    byte[] stream = ole10Native("evil.exe", "evil.exe", new byte[] {'M', 'Z'});
    ByteBuffer.wrap(stream)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(stream.length - 6, Integer.MAX_VALUE);

    OleInspector.Embedded e = OleInspector.ole10Native(stream);

    assertThat(e.name()).isEqualTo("evil.exe");
    assertThat(e.data()).isEmpty();
  }
}
