#!/usr/bin/env python3
"""Scan on arrival through the gateway against a real Dovecot (issue 9 interop).

  imap_filter_check.py GATEWAY_IMAPS_PORT DOVECOT_STARTTLS_PORT CAFILE SPAM_EML WORKDIR USER PASSWORD_ENV_VAR

Puts a clean message, spam, an executable in a zip and a macro document into the mailbox "Filtered"
directly on Dovecot, then through the gateway (built-in default policy): what the client fetches never
contains the executable's bytes, the spam is in Junk with $Junk, the quarantine mailbox is invisible
(LIST, STATUS, SELECT) and holds the originals on Dovecot; a message delivered during IDLE is already in
the quarantine mailbox when the client sees its EXISTS; one appended between two sessions is in it
before the next session's SELECT is answered, with no EXPUNGE in that answer. Writes WORKDIR/marker (the executable's base64
line) for the shell to grep mbsync's Maildir with. The password is read from the environment variable
named by the last argument. One line per step; exit status 0 only if every step passed.
"""

import base64
import imaplib
import io
import os
import re
import select
import ssl
import sys
import time
import uuid
import zipfile

TIMEOUT = 30.0
MAILBOX = "Filtered"
QUARANTINE = "Quarantine"


class StepFailed(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise StepFailed(msg)


def pe_stub():
    pe = bytearray(256)
    pe[0:2] = b"MZ"
    pe[0x3C] = 0x80
    pe[0x80:0x82] = b"PE"
    pe[0x84] = 0x4C
    pe[0x85] = 0x01
    return bytes(pe)


def zip_of(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(entries.items()):
            z.writestr(zipfile.ZipInfo(name, (2023, 11, 14, 22, 13, 20)), data)
    return out.getvalue()


def with_attachment(subject, text, file_name, content_type, content):
    b64 = base64.encodebytes(content).decode().replace("\n", "\r\n")
    return (
        "From: Accounts <accounts@example.net>\r\nTo: pcuser@example.org\r\n"
        f"Subject: {subject}\r\nDate: Tue, 24 Nov 2026 09:00:00 +0000\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@example.net>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{text}\r\n--b1\r\n"
        f'Content-Type: {content_type}; name="{file_name}"\r\n'
        f'Content-Disposition: attachment; filename="{file_name}"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b1--\r\n"
    ).encode()


def samples(spam_path):
    exe_zip = zip_of({"invoice.pdf.exe": pe_stub()})
    marker = base64.encodebytes(exe_zip).decode().split("\n")[0][:60]
    docm = zip_of({
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/content-types"><Override PartName="/word/vbaProject.bin" ContentType='
        b'"application/vnd.ms-office.vbaProject"/></Types>',
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"not a real VBA project",
    })
    with open(spam_path, "rb") as f:
        spam = f.read()
    clean = (b"From: Bob <bob@example.org>\r\nTo: pcuser@example.org\r\nSubject: Lunch\r\n"
             b"Message-ID: <" + uuid.uuid4().hex.encode() + b"@example.org>\r\n\r\nLunch on Thursday?\r\n")
    return marker, {
        "clean": clean,
        "spam": spam,
        "exe": with_attachment("Invoice", "Your invoice.", "invoice.zip", "application/zip", exe_zip),
        "macro": with_attachment("Q3 report", "The report.", "Q3-report.docm",
                                 "application/vnd.ms-word.document.macroEnabled.12", docm),
    }, lambda: with_attachment("Invoice 2", "Another invoice.", "invoice.zip", "application/zip", exe_zip)


def direct(port, cafile, user, password):
    ctx = ssl.create_default_context(cafile=cafile)
    conn = imaplib.IMAP4("127.0.0.1", port, timeout=TIMEOUT)
    conn.starttls(ssl_context=ctx)
    conn.login(user, password)
    return conn


def gateway(port, cafile, user, password):
    ctx = ssl.create_default_context(cafile=cafile)
    conn = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx, timeout=TIMEOUT)
    conn.login(user, password)
    return conn


def count(connect, mailbox):
    # A fresh connection each time: STATUS of a mailbox selected on the same connection may be stale.
    conn = connect()
    try:
        typ, data = conn.status(mailbox, "(MESSAGES)")
        expect(typ == "OK", f"STATUS {mailbox} refused on Dovecot")
        return int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))
    finally:
        conn.logout()


def fetch_all(conn):
    typ, data = conn.fetch("1:*", "(UID BODY.PEEK[])")
    expect(typ == "OK", "FETCH through the gateway failed")
    return b"".join(part[1] for part in data if isinstance(part, tuple))


def main():
    gw_port, dv_port, cafile, spam_path, workdir, user, pw_env = sys.argv[1:8]
    password = os.environ[pw_env]
    marker, mails, second_exe = samples(spam_path)
    with open(os.path.join(workdir, "marker"), "w") as f:
        f.write(marker + "\n")
    failures = 0

    def step(name, fn):
        nonlocal failures
        try:
            fn()
            print(f"ok   {name}")
        except (StepFailed, imaplib.IMAP4.error, OSError) as e:
            failures += 1
            print(f"FAIL {name}: {e}")

    dv = direct(int(dv_port), cafile, user, password)

    def fresh():
        return direct(int(dv_port), cafile, user, password)

    def seed():
        dv.create(MAILBOX)
        for raw in mails.values():
            typ, _ = dv.append(MAILBOX, None, None, raw)
            expect(typ == "OK", "APPEND on Dovecot failed")

    step("seed-dovecot-mailbox", seed)

    gw = gateway(int(gw_port), cafile, user, password)

    def client_never_receives_the_executable():
        typ, _ = gw.select(MAILBOX)
        expect(typ == "OK", "SELECT through the gateway failed")
        content = fetch_all(gw)
        expect(marker.encode() not in content, "the executable's bytes reached the client")
        expect(b"Lunch on Thursday?" in content, "the clean message is missing")

    step("imap-filter-client-never-receives-dangerous-attachment", client_never_receives_the_executable)

    def spam_in_junk():
        typ, _ = gw.select("Junk")
        expect(typ == "OK", "no Junk mailbox")
        typ, data = gw.fetch("1:*", "(FLAGS)")
        expect(typ == "OK" and any(b"$Junk" in d for d in data if isinstance(d, bytes)),
               f"no $Junk message in Junk: {data!r}")

    step("imap-filter-spam-moved-to-junk-with-junk-keyword", spam_in_junk)

    def quarantine_invisible():
        typ, data = gw.list()
        expect(typ == "OK", "LIST failed")
        expect(not any(QUARANTINE.lower().encode() in d.lower() for d in data if d),
               "the quarantine mailbox is listed")
        for command in (lambda: gw.status(QUARANTINE, "(MESSAGES)"), lambda: gw.select(QUARANTINE)):
            try:
                typ, _ = command()
            except imaplib.IMAP4.error:
                typ = "NO"
            expect(typ == "NO", "the quarantine mailbox answered")

    step("imap-filter-quarantine-mailbox-invisible", quarantine_invisible)

    def originals_in_quarantine():
        dv.select(QUARANTINE, readonly=True)
        typ, data = dv.fetch("1:*", "(BODY.PEEK[])")
        content = b"".join(part[1] for part in data if isinstance(part, tuple))
        expect(marker.encode() in content, "the executable's original is not in the quarantine mailbox")
        expect(b"Q3-report.docm" in content, "the macro document's original is not in the quarantine mailbox")

    step("imap-filter-originals-in-quarantine-mailbox", originals_in_quarantine)

    def idle_delivery_scanned_first():
        typ, _ = gw.select(MAILBOX)
        before = count(fresh, QUARANTINE)
        tag = gw._new_tag().decode()
        gw.send(f"{tag} IDLE\r\n".encode())
        expect(gw.readline().startswith(b"+"), "no IDLE continuation")
        dv.append(MAILBOX, None, None, second_exe())
        deadline = time.time() + TIMEOUT
        seen = False
        while time.time() < deadline and not seen:
            r, _, _ = select.select([gw.sock], [], [], deadline - time.time())
            if not r:
                break
            line = gw.readline()
            seen = line.endswith(b"EXISTS\r\n")
        expect(seen, "no EXISTS during IDLE")
        after = count(fresh, QUARANTINE)
        gw.send(b"DONE\r\n")
        while not gw.readline().startswith(tag.encode()):
            pass
        expect(after == before + 1, f"EXISTS shown before the scan acted (quarantine {before} -> {after})")
        expect(marker.encode() not in fetch_all(gw), "the executable's bytes reached the client")

    step("imap-filter-message-delivered-during-idle-scanned-before-shown", idle_delivery_scanned_first)
    gw.logout()
    dv.logout()

    def between_sessions_scanned_before_select_answer():
        # The last session's scans settled the mailbox, so the next SELECT goes to Dovecot at once;
        # its answer shows the message appended in between, so the gateway discards it, scans, and
        # asks again: the client gets one answer, without the executable, and no EXPUNGE.
        before = count(fresh, QUARANTINE)
        seeder = fresh()
        try:
            typ, _ = seeder.append(MAILBOX, None, None, second_exe())
            expect(typ == "OK", "APPEND on Dovecot failed")
        finally:
            seeder.logout()
        nxt = gateway(int(gw_port), cafile, user, password)
        try:
            typ, data = nxt.select(MAILBOX)
            expect(typ == "OK", "SELECT through the gateway failed")
            expect(count(fresh, QUARANTINE) == before + 1, "the SELECT was answered before the scan")
            expect("EXPUNGE" not in nxt.untagged_responses, "the SELECT answer came with EXPUNGE")
            after = count(fresh, MAILBOX)
            expect(data == [str(after).encode()], f"EXISTS {data!r}, the mailbox holds {after}")
            expect(marker.encode() not in fetch_all(nxt), "the executable's bytes reached the client")
        finally:
            nxt.logout()
        # Nothing new since: answered on the settled state, the same mailbox.
        again = gateway(int(gw_port), cafile, user, password)
        try:
            typ, data = again.select(MAILBOX)
            expect(typ == "OK" and data == [str(after).encode()], f"second SELECT: {typ} {data!r}")
        finally:
            again.logout()

    step("imap-filter-mail-between-sessions-scanned-before-select-answer",
         between_sessions_scanned_before_select_answer)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
