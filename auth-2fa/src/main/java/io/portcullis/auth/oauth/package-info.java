/**
 * The upstream OAuth2 broker: providers, accounts, the encrypted token store, the authorization
 * code (PKCE, RFC 7636; loopback redirect, RFC 8252) and device (RFC 8628) flows, and cached,
 * single-flight access-token refresh for the gateway's upstream XOAUTH2/OAUTHBEARER logins.
 */
package io.portcullis.auth.oauth;
