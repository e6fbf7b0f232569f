package io.portcullis.auth.totp;

import io.nayuki.qrcodegen.QrCode;

/**
 * Draws a QR code with Unicode half blocks, two modules per character row, light modules as blocks
 * (for the usual dark terminal, as {@code qrencode -t UTF8} does). Stateless.
 */
public final class QrTerminal {
  /** Quiet zone in modules; ISO 18004 asks for 4, scanners read 2 on a dark terminal. */
  private static final int MARGIN = 2;

  private QrTerminal() {}

  /** The QR code of {@code text} as lines of text ending in {@code \n}. */
  public static String render(String text) {
    QrCode qr = QrCode.encodeText(text, QrCode.Ecc.MEDIUM);
    int size = qr.size;
    StringBuilder out = new StringBuilder();
    for (int y = -MARGIN; y < size + MARGIN; y += 2) {
      for (int x = -MARGIN; x < size + MARGIN; x++) {
        boolean topLight = !dark(qr, x, y);
        boolean bottomLight = !dark(qr, x, y + 1);
        out.append(topLight ? (bottomLight ? '\u2588' : '\u2580') : (bottomLight ? '\u2584' : ' '));
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static boolean dark(QrCode qr, int x, int y) {
    return x >= 0 && y >= 0 && x < qr.size && y < qr.size && qr.getModule(x, y);
  }
}
