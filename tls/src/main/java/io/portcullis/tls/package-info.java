/**
 * TLS for Portcullis: server contexts for listeners ({@link io.portcullis.tls.ServerTls}: profiles,
 * providers, SNI, hot reload, client certificates, rotating ticket keys) and client contexts for
 * upstreams ({@link io.portcullis.tls.UpstreamTls}: PKIX, RFC 6125 identity, SPKI pins). Settings
 * are validated records; everything else is package-private. No method accepts or returns null.
 */
package io.portcullis.tls;
