/**
 * RFC 6238 TOTP, RFC 4648 base32, otpauth URIs, replay protection, recovery codes and terminal QR
 * codes.
 */
package io.portcullis.auth.totp;
