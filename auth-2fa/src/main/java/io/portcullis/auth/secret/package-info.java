/**
 * Secrets at rest: the master key (0600 key file or environment) and AES-256-GCM sealed envelopes.
 */
package io.portcullis.auth.secret;
