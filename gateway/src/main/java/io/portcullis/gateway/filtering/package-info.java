/**
 * Filtering in the data path (DESIGN.md "Data flow"): the policy's scan plan and message decisions
 * applied to messages the POP3 and IMAP sessions fetch, the originals kept in the quarantine store
 * before anything changes upstream, and the durable verdicts, marks and release requests that make
 * a restart or a second session consistent with the first.
 */
package io.portcullis.gateway.filtering;
