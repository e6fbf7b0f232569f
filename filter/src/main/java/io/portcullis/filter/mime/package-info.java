/** Streaming MIME parsing with limits (Mime4j), IMAP-style part numbers, RFC 2047/2231 decoding. */
package io.portcullis.filter.mime;
