/** OAuth 2.0 bearer token validation: JWT with JWKS (Nimbus) and RFC 7662 introspection. */
package io.portcullis.auth.bearer;
