/**
 * Brute-force throttling per source network, per user on a network and per account (NIST SP 800-63B
 * 5.2.2).
 */
package io.portcullis.auth.throttle;
