/**
 * Client authentication for the gateway: {@link io.portcullis.auth.Authenticator} is the entry
 * point; credentials, results and principals are immutable values.
 */
package io.portcullis.auth;
