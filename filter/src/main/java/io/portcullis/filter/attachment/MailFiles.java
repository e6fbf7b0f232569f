package io.portcullis.filter.attachment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits an mbox file (RFC 4155): a message starts at a {@code From } line at the start of the file
 * or after an empty line; that separator line is not part of the message. Stateless, thread-safe.
 */
final class MailFiles {

  private static final byte[] FROM = {'F', 'r', 'o', 'm', ' '};
  private static final java.util.regex.Pattern SEPARATOR =
      java.util.regex.Pattern.compile("From \\S+ .*\\d\\d:\\d\\d");
  private static final int MAX_SEPARATOR = 1000;

  private MailFiles() {}

  /** The messages, without their separator lines; text before the first separator is dropped. */
  static List<byte[]> mboxMessages(byte[] mbox) {
    List<Integer> starts = new ArrayList<>();
    boolean lineStart = true;
    boolean previousLineEmpty = true;
    int lineBegin = 0;
    for (int i = 0; i < mbox.length; i++) {
      if (lineStart && previousLineEmpty && separator(mbox, i)) {
        starts.add(i);
      }
      lineStart = false;
      if (mbox[i] == '\n') {
        int length = i - lineBegin;
        previousLineEmpty = length == 0 || length == 1 && mbox[i - 1] == '\r';
        lineStart = true;
        lineBegin = i + 1;
      }
    }
    List<byte[]> messages = new ArrayList<>();
    for (int k = 0; k < starts.size(); k++) {
      int separatorEnd = indexOf(mbox, (byte) '\n', starts.get(k)) + 1;
      int end = k + 1 < starts.size() ? starts.get(k + 1) : mbox.length;
      if (separatorEnd > 0 && separatorEnd < end) {
        messages.add(Arrays.copyOfRange(mbox, separatorEnd, end));
      }
    }
    return messages;
  }

  /**
   * A {@code From } line with a sender and a time of day (RFC 4155 §2: "From " sender date), so
   * that body text beginning with "From " after an empty line, which mboxo leaves unquoted, does
   * not split a message.
   */
  private static boolean separator(byte[] data, int at) {
    if (data.length - at < FROM.length
        || !Arrays.equals(data, at, at + FROM.length, FROM, 0, FROM.length)) {
      return false;
    }
    int end = indexOf(data, (byte) '\n', at);
    int length = Math.min((end < 0 ? data.length : end) - at, MAX_SEPARATOR);
    return SEPARATOR
        .matcher(new String(data, at, length, java.nio.charset.StandardCharsets.ISO_8859_1))
        .lookingAt();
  }

  private static int indexOf(byte[] data, byte b, int from) {
    for (int i = from; i < data.length; i++) {
      if (data[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
