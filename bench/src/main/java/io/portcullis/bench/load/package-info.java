/**
 * A load generator for POP3 and IMAP over implicit TLS: login storms, bulk fetches and idle fleets,
 * with JSON results. Blocking sockets on virtual threads: one straight-line session per thread is
 * easy to check against the RFCs, and thousands of parked virtual threads cost little, so the
 * generator never becomes the thing measured. Only loopback targets are accepted.
 */
package io.portcullis.bench.load;
