/**
 * IMAP scan on arrival (DESIGN.md "IMAP"): a side connection of the session's own, the scanner that
 * scans each mailbox above its durable high-water mark and carries the policy's actions out
 * upstream (copy before delete, a journaled step at a time), and the mailbox operations it uses.
 * The relay ({@code ImapRelay}) decides when to scan and what the client may see meanwhile.
 */
package io.portcullis.gateway.imap.scan;
