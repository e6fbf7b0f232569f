#!/usr/bin/env python3
"""Control server for the "TLS 1.1 refused" check: accepts TLS 1.1 only, on a loopback port.

  legacy_tls_server.py CERT KEY PORTFILE

It proves that the openssl client command the suite uses really offers TLS 1.1 (OpenSSL 3 refuses it
at its default security level), so a refusal seen from the gateway is the gateway's doing. Writes its
port to PORTFILE, serves handshakes until killed or for at most 60 seconds.
"""

import socket
import ssl
import sys
import time
import warnings

warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.1 is deprecated: that is the point

cert, key, portfile = sys.argv[1:4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
ctx.minimum_version = ssl.TLSVersion.TLSv1_1
ctx.maximum_version = ssl.TLSVersion.TLSv1_1
ctx.load_cert_chain(cert, key)
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4)
srv.settimeout(1.0)
with open(portfile, "w") as f:
    f.write(str(srv.getsockname()[1]))
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        conn, _ = srv.accept()
    except (socket.timeout, TimeoutError):
        continue
    conn.settimeout(5.0)
    try:
        with ctx.wrap_socket(conn, server_side=True) as tls:
            tls.sendall(b"+OK legacy control\r\n")
            tls.recv(100)  # the client's QUIT, then close
    except (ssl.SSLError, OSError):
        pass
