package io.portcullis.auth.secret;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Seals small secrets with AES-256-GCM (NIST SP 800-38D): random 96-bit nonce, 128-bit tag, a
 * versioned envelope {@code pcs1.BASE64URL(version | key id | nonce | ciphertext+tag)} whose header
 * and {@link SecretContext} are authenticated. Thread-safe.
 */
public final class SecretBox {
  private static final String PREFIX = "pcs1.";
  private static final byte VERSION = 1;
  private static final int KEY_ID_BYTES = 4;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int HEADER_BYTES = 1 + KEY_ID_BYTES + NONCE_BYTES;

  private final MasterKey key;
  private final SecureRandom random = new SecureRandom();

  public SecretBox(MasterKey key) {
    this.key = Objects.requireNonNull(key, "key");
  }

  /** Encrypts {@code plaintext} for {@code context}. */
  public String seal(byte[] plaintext, SecretContext context) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] header =
        ByteBuffer.allocate(HEADER_BYTES).put(VERSION).put(key.keyId()).put(nonce).array();
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key.aesKey(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(context.associatedData(header));
      byte[] sealed = cipher.doFinal(plaintext);
      byte[] envelope =
          ByteBuffer.allocate(HEADER_BYTES + sealed.length).put(header).put(sealed).array();
      return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(envelope);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is required of every JDK", e);
    }
  }

  /**
   * Decrypts and authenticates; the caller wipes the result after use.
   *
   * @throws SecretBoxException if the envelope is malformed, from another key, tampered with, or
   *     sealed for another context
   */
  public byte[] open(String envelope, SecretContext context) {
    if (!envelope.startsWith(PREFIX)) {
      throw new SecretBoxException("not a sealed secret (expected the " + PREFIX + " prefix)");
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(envelope.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new SecretBoxException("sealed secret is not valid base64url");
    }
    if (bytes.length < HEADER_BYTES + TAG_BITS / 8) {
      throw new SecretBoxException("sealed secret is truncated");
    }
    if (bytes[0] != VERSION) {
      throw new SecretBoxException("sealed secret has unsupported version " + bytes[0]);
    }
    byte[] keyId = Arrays.copyOfRange(bytes, 1, 1 + KEY_ID_BYTES);
    if (!MessageDigest.isEqual(keyId, key.keyId())) {
      throw new SecretBoxException(
          "sealed with another key (id "
              + HexFormat.of().formatHex(keyId)
              + ", loaded key id "
              + key.keyIdHex()
              + ")");
    }
    byte[] header = Arrays.copyOfRange(bytes, 0, HEADER_BYTES);
    byte[] nonce = Arrays.copyOfRange(bytes, 1 + KEY_ID_BYTES, HEADER_BYTES);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key.aesKey(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(context.associatedData(header));
      return cipher.doFinal(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES);
    } catch (AEADBadTagException e) {
      throw new SecretBoxException(
          "sealed secret failed authentication: tampered with, or sealed for another "
              + "purpose or user than "
              + context.purpose());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is required of every JDK", e);
    }
  }
}
