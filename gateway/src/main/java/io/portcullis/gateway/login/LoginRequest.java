package io.portcullis.gateway.login;

import io.portcullis.auth.Credentials;
import io.portcullis.gateway.session.ClientSession;

/**
 * A client's login attempt as the front end decoded it.
 *
 * @param mechanism what the client used: USER (POP3 USER/PASS), LOGIN (IMAP LOGIN) or a SASL name
 */
public record LoginRequest(ClientSession session, Credentials credentials, String mechanism) {}
