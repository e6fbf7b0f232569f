/**
 * Operational metrics (Micrometer, Prometheus text format): the audit log's events as counters,
 * scan latency, live sessions and the JVM, served on an optional HTTP endpoint.
 */
package io.portcullis.gateway.metrics;
