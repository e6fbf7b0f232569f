/**
 * Password hashing: Argon2id PHC strings, Dovecot imports, bounded off-loop hashing, digests of
 * generated secrets.
 */
package io.portcullis.auth.password;
