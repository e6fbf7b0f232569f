/** The local user directory: one strictly parsed, atomically written YAML file. */
package io.portcullis.auth.directory;
