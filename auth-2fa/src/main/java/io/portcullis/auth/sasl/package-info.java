/**
 * Server-side SASL mechanisms (RFC 4422) as pure state machines: PLAIN, LOGIN, XOAUTH2, OAUTHBEARER
 * (RFC 7628), EXTERNAL.
 */
package io.portcullis.auth.sasl;
