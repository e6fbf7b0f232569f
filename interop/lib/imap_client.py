#!/usr/bin/env python3
"""imaplib conversation through an implicit-TLS IMAP endpoint (issue 3 interop).

  imap_client.py PORT CAFILE ORIGINALS_DIR USER PASSWORD_ENV_VAR

Login, SELECT, FETCH of every message compared byte for byte (CRLF form) with
its Maildir original and its RFC822.SIZE, APPEND, SEARCH for the appended
message, IDLE with a message APPENDed meanwhile on a second connection (the
EXISTS must arrive during IDLE). The messages it appends are expunged at the
end so that the mailbox is as it found it. The password is read from the
environment variable named by the last argument, never from the command line.
Prints one line per step; exit status 0 only if every step passed.
"""

import imaplib
import os
import re
import socket
import ssl
import sys
import time
import uuid

TIMEOUT = 30.0
IDLE_WAIT = 20.0


class StepFailed(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise StepFailed(msg)


def connect(port, cafile, user, password):
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    conn = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx, timeout=TIMEOUT)
    typ, _ = conn.login(user, password)
    expect(typ == "OK", "LOGIN failed")
    return conn


def id_of(data):
    m = re.search(rb"^X-Interop-Id: (\d+)\r?$", data.split(b"\r\n\r\n", 1)[0], re.MULTILINE)
    return m.group(1).decode() if m else None


def load_originals(directory):
    out = {}
    for name in os.listdir(directory):
        with open(os.path.join(directory, name), "rb") as f:
            data = f.read().replace(b"\n", b"\r\n")
        out[id_of(data)] = data
    return out


def new_message(marker):
    return (
        "From: Interop <interop@example.org>\r\n"
        "To: pcuser@example.com\r\n"
        "Subject: appended by imap_client.py\r\n"
        "X-Interop-Marker: %s\r\n"
        "\r\n"
        "Appended through the gateway.\r\n"
        ".\r\n"
        "..leading dots and 8-bit: caf\u00e9\r\n" % marker
    ).encode("utf-8")


def step_fetch_all(conn, originals):
    typ, data = conn.select("INBOX")
    expect(typ == "OK", "SELECT failed")
    exists = int(data[0])
    expect(exists == len(originals), "SELECT: %d messages, maildir has %d" % (exists, len(originals)))
    typ, data = conn.uid("FETCH", "1:*", "(RFC822.SIZE BODY.PEEK[])")
    expect(typ == "OK", "UID FETCH failed")
    seen = set()
    for item in data:
        if not isinstance(item, tuple):
            continue
        meta, body = item
        size = int(re.search(rb"RFC822\.SIZE (\d+)", meta).group(1))
        mid = id_of(body)
        expect(mid in originals, "fetched a message without a known X-Interop-Id: %r" % meta[:80])
        expect(body == originals[mid], "message %s differs from its original (%d vs %d bytes)"
               % (mid, len(body), len(originals[mid])))
        expect(size == len(body), "message %s: RFC822.SIZE %d but %d bytes" % (mid, size, len(body)))
        seen.add(mid)
    expect(seen == set(originals), "fetched %d of %d messages" % (len(seen), len(originals)))
    return "fetched %d messages, all byte-exact, sizes consistent" % len(seen)


def step_append_search(conn):
    marker = uuid.uuid4().hex
    msg = new_message(marker)
    typ, data = conn.append("INBOX", None, None, msg)
    expect(typ == "OK", "APPEND failed: %r" % data)
    typ, data = conn.uid("SEARCH", None, "HEADER", "X-Interop-Marker", marker)
    expect(typ == "OK", "SEARCH failed")
    uids = data[0].split()
    expect(len(uids) == 1, "SEARCH found %r for the appended marker" % uids)
    typ, data = conn.uid("FETCH", uids[0], "(BODY.PEEK[])")
    expect(typ == "OK" and data[0][1] == msg, "the appended message does not read back byte for byte")
    return uids[0], "appended uid %s, found by SEARCH, reads back byte-exact" % uids[0].decode()


def step_idle(conn, port, cafile, user, password):
    typ, data = conn.select("INBOX")
    expect(typ == "OK", "SELECT failed")
    before = int(data[0])
    tag = conn._new_tag()
    conn.send(tag + b" IDLE\r\n")
    line = conn.readline()
    expect(line.startswith(b"+"), "IDLE not accepted: %r" % line)
    # Deliver a message meanwhile through a second connection.
    other = connect(port, cafile, user, password)
    marker = uuid.uuid4().hex
    typ, _ = other.append("INBOX", None, None, new_message(marker))
    expect(typ == "OK", "APPEND on the second connection failed")
    other.logout()
    conn.sock.settimeout(IDLE_WAIT)
    deadline = time.monotonic() + IDLE_WAIT
    got = None
    try:
        while time.monotonic() < deadline and got is None:
            line = conn.readline()
            expect(line, "connection closed during IDLE")
            m = re.match(rb"\* (\d+) EXISTS", line)
            if m and int(m.group(1)) > before:
                got = int(m.group(1))
    except (socket.timeout, TimeoutError):
        pass
    conn.sock.settimeout(TIMEOUT)
    expect(got is not None, "no EXISTS within %ds of an APPEND on another connection" % IDLE_WAIT)
    conn.send(b"DONE\r\n")
    while True:
        line = conn.readline()
        expect(line, "connection closed after DONE")
        if line.startswith(tag + b" "):
            expect(line.startswith(tag + b" OK"), "IDLE did not end with OK: %r" % line)
            break
    typ, data = conn.uid("SEARCH", None, "HEADER", "X-Interop-Marker", marker)
    expect(typ == "OK" and len(data[0].split()) == 1, "the message delivered during IDLE is not found")
    return data[0].split()[0], "EXISTS %d arrived during IDLE; DONE answered OK" % got


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    port, cafile, originals_dir, user = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    password = os.environ[sys.argv[5]]
    originals = load_originals(originals_dir)
    failures = 0
    conn = connect(port, cafile, user, password)
    print("login: OK")
    for name, fn in (
        ("fetch-all", lambda: (None, step_fetch_all(conn, originals))),
        ("append-search", lambda: step_append_search(conn)),
        ("idle", lambda: step_idle(conn, port, cafile, user, password)),
    ):
        try:
            _, msg = fn()
            print("%s: OK: %s" % (name, msg))
        except (StepFailed, imaplib.IMAP4.error, OSError) as e:
            failures += 1
            print("%s: FAILED: %s" % (name, e))
    try:
        # Every message this script appended carries the marker header (also after a failed step).
        typ, data = conn.uid("SEARCH", None, "HEADER", "X-Interop-Marker", '""')
        if typ == "OK" and data[0]:
            conn.uid("STORE", b",".join(data[0].split()), "+FLAGS.SILENT", r"(\Deleted)")
            conn.expunge()
        conn.logout()
    except (imaplib.IMAP4.error, OSError) as e:
        failures += 1
        print("cleanup: FAILED: %s" % e)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
