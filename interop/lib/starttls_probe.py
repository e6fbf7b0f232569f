#!/usr/bin/env python3
"""Raw-socket probes of STLS/STARTTLS listeners (THREATS.md S1, S2).

  starttls_probe.py pop3-injection  PORT CAFILE   STLS\\r\\nCAPA\\r\\n in one write: no CAPA answer after TLS
  starttls_probe.py imap-injection  PORT CAFILE   A STARTTLS\\r\\nB NOOP\\r\\n in one write: no B answer after TLS
  starttls_probe.py pop3-plaintext-refused PORT   before STLS: CAPA lists no USER/SASL, USER is refused
  starttls_probe.py imap-plaintext-refused PORT   before STARTTLS: LOGINDISABLED, no AUTH=, LOGIN refused

Exit 0 when the server behaves safely, 1 (with the reason) otherwise.
"""

import socket
import ssl
import sys

TIMEOUT = 10.0
QUIET_PERIOD = 2.0  # how long to listen for an (unwanted) answer to the injected command


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buf = b""

    def readline(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; got %r" % self.buf[:200])
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_quietly(self, seconds):
        """Everything the server sends within `seconds` (b"" if nothing, None if it closed)."""
        self.sock.settimeout(seconds)
        data = self.buf
        self.buf = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return data if data else None
                data += chunk
        except (socket.timeout, TimeoutError):
            return data
        finally:
            self.sock.settimeout(TIMEOUT)

    def send(self, data):
        self.sock.sendall(data)

    def starttls(self, cafile):
        ctx = ssl.create_default_context(cafile=cafile)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        # Bytes buffered before the handshake would be the server's plaintext answer to the injected
        # command: that is not the attack (it ran in plaintext), but it breaks the handshake.
        self.sock = ctx.wrap_socket(self.sock, server_hostname="localhost")
        self.buf = b""


def ok(msg):
    print(msg)
    return 0


def bad(msg):
    print(msg)
    return 1


def pop3_injection(port, cafile):
    c = Conn(port)
    greeting = c.readline()
    if not greeting.startswith(b"+OK"):
        return bad("unexpected greeting %r" % greeting)
    c.send(b"STLS\r\nCAPA\r\n")
    try:
        answer = c.readline()
    except (EOFError, OSError):
        return ok("connection closed after pipelined STLS: nothing executed after TLS")
    if not answer.startswith(b"+OK"):
        return ok("STLS with pipelined data refused: %r" % answer[:80])
    try:
        c.starttls(cafile)
    except (ssl.SSLError, OSError) as e:
        return ok("TLS refused after pipelined STLS (%s): nothing executed after TLS" % type(e).__name__)
    after = c.read_quietly(QUIET_PERIOD)
    if after is None:
        return ok("connection closed after TLS: injected CAPA not executed")
    if after:
        return bad("server sent %r after TLS: the injected CAPA was executed" % after[:120])
    # The session still works and answers exactly once to a fresh CAPA (no queued injected CAPA).
    c.send(b"CAPA\r\n")
    data = c.read_quietly(QUIET_PERIOD)
    if data is None or not data.startswith(b"+OK"):
        return bad("no answer to a CAPA sent after TLS: %r" % data)
    if data.count(b"+OK") != 1:
        return bad("two CAPA answers after TLS: the injected CAPA was executed late: %r" % data[:200])
    return ok("injected CAPA ignored; fresh CAPA answered once after TLS")


def imap_injection(port, cafile):
    c = Conn(port)
    greeting = c.readline()
    if not greeting.startswith(b"* OK"):
        return bad("unexpected greeting %r" % greeting)
    c.send(b"A STARTTLS\r\nB NOOP\r\n")
    try:
        while True:
            line = c.readline()
            if line.startswith(b"B "):
                # B answered in plaintext before TLS: not the attack, but the server must then not
                # start TLS with B's effects; treat as unsafe to keep the rule simple and strict.
                return bad("B answered in plaintext before TLS: %r" % line)
            if line.startswith(b"A "):
                break
    except (EOFError, OSError):
        return ok("connection closed after pipelined STARTTLS: nothing executed after TLS")
    if not line.startswith(b"A OK"):
        return ok("STARTTLS with pipelined data refused: %r" % line[:80])
    try:
        c.starttls(cafile)
    except (ssl.SSLError, OSError) as e:
        return ok("TLS refused after pipelined STARTTLS (%s): nothing executed after TLS" % type(e).__name__)
    after = c.read_quietly(QUIET_PERIOD)
    if after is None:
        return ok("connection closed after TLS: injected B NOOP not executed")
    if b"B " in after:
        return bad("server answered the injected command after TLS: %r" % after[:120])
    c.send(b"C NOOP\r\n")
    data = after + (c.read_quietly(QUIET_PERIOD) or b"")
    lines = data.split(b"\r\n")
    if not any(l.startswith(b"C OK") for l in lines):
        return bad("no answer to C NOOP after TLS: %r" % data[:200])
    if any(l.startswith(b"B ") for l in lines):
        return bad("the injected B NOOP was answered after TLS: %r" % data[:200])
    return ok("injected B NOOP ignored; C NOOP answered after TLS")


def pop3_plaintext_refused(port):
    c = Conn(port)
    c.readline()
    c.send(b"CAPA\r\n")
    first = c.readline()
    caps = []
    if first.startswith(b"+OK"):
        while True:
            line = c.readline()
            if line == b".":
                break
            caps.append(line.upper())
    if any(cap == b"USER" or cap.startswith(b"SASL") for cap in caps):
        return bad("CAPA before STLS advertises login: %r" % caps)
    if b"STLS" not in caps:
        return bad("CAPA before STLS does not offer STLS: %r" % caps)
    c.send(b"USER pcuser\r\n")
    answer = c.readline()
    if not answer.startswith(b"-ERR"):
        return bad("USER accepted before STLS: %r" % answer)
    return ok("no USER/SASL before STLS; USER refused with %r" % answer[:60])


def imap_plaintext_refused(port):
    c = Conn(port)
    c.readline()
    c.send(b"A CAPABILITY\r\n")
    caps = b""
    while True:
        line = c.readline()
        if line.startswith(b"* CAPABILITY"):
            caps = line.upper()
        if line.startswith(b"A "):
            break
    if b"LOGINDISABLED" not in caps or b"AUTH=" in caps or b"STARTTLS" not in caps:
        return bad("CAPABILITY before STARTTLS: %r" % caps)
    c.send(b"B LOGIN pcuser x\r\n")
    while True:
        line = c.readline()
        if line.startswith(b"B "):
            break
    if line.startswith(b"B OK"):
        return bad("LOGIN accepted before STARTTLS")
    return ok("LOGINDISABLED, no AUTH=, LOGIN refused with %r" % line[:60])


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, port = sys.argv[1], int(sys.argv[2])
    try:
        if cmd == "pop3-injection":
            return pop3_injection(port, sys.argv[3])
        if cmd == "imap-injection":
            return imap_injection(port, sys.argv[3])
        if cmd == "pop3-plaintext-refused":
            return pop3_plaintext_refused(port)
        if cmd == "imap-plaintext-refused":
            return imap_plaintext_refused(port)
    except (OSError, EOFError) as e:
        return bad("%s: %s" % (type(e).__name__, e))
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
