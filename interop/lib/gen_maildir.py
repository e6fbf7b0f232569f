#!/usr/bin/env python3
"""Generate a deterministic Maildir of test messages for the interop suite.

Every message carries a unique `X-Interop-Id: NNNN` header so that a message
retrieved by any client can be matched to its original file. Files use LF line
endings (as Dovecot stores them); every message ends with a newline, so what a
protocol must deliver is well defined (POP3/IMAP: the same bytes with CRLF).

Usage: gen_maildir.py MAILDIR [COUNT] [SEED]
"""

import base64
import os
import random
import sys

WORDS = (
    "gateway relay mailbox policy retrieval message header body attachment "
    "secure transport upstream client server verdict quarantine scan filter "
    "portcullis fetch deliver archive invoice report meeting schedule"
).split()

# 8-bit text (UTF-8 and a few Latin-1 bytes) so that 8BITMIME-ish content is exercised.
EIGHT_BIT_LINES = [
    "Grüße aus Köln, façade, naïve, déjà vu — “quotes” ½ €".encode("utf-8"),
    "Ελληνικά, русский текст, 日本語のテキスト, עברית".encode("utf-8"),
    b"latin-1 bytes: caf\xe9 na\xefve \xa9 \xbd",
]


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def text_lines(rng, count, width=72):
    out = []
    for _ in range(count):
        line = words(rng, rng.randint(3, 14))[:width]
        out.append(line.encode("ascii"))
    return out


def dot_lines():
    # A line with a single dot (POP3 end-of-data marker if not stuffed), lines
    # starting with dots, and a line that looks like the CRLF.CRLF terminator.
    return [b".", b"..", b".leading dot", b"...three dots", b". a dot and space", b"."]


def headers(seq, rng, extra=()):
    subject = "Interop %04d %s" % (seq, words(rng, 3))
    h = [
        b"Return-Path: <sender%d@example.org>" % (seq % 7),
        b"From: Sender %d <sender%d@example.org>" % (seq % 7, seq % 7),
        b"To: Test User <pcuser@example.com>",
        b"Subject: " + subject.encode("ascii"),
        b"Date: Mon, 2 Nov 2026 %02d:%02d:%02d +0000" % (seq % 24, seq % 60, (seq * 7) % 60),
        b"Message-ID: <interop-%04d@example.org>" % seq,
        b"X-Interop-Id: %04d" % seq,
    ]
    h.extend(extra)
    return h


def plain(seq, rng, body_lines):
    h = headers(seq, rng, [b"MIME-Version: 1.0", b"Content-Type: text/plain; charset=us-ascii"])
    return h, body_lines


def tiny(seq, rng):
    # A few bytes of body, and a minimal header set.
    return [b"X-Interop-Id: %04d" % seq, b"Subject: t"], [b"x"]


def eight_bit(seq, rng):
    h = headers(
        seq,
        rng,
        [
            b"MIME-Version: 1.0",
            b"Content-Type: text/plain; charset=utf-8",
            b"Content-Transfer-Encoding: 8bit",
        ],
    )
    body = []
    for _ in range(rng.randint(2, 30)):
        body.append(rng.choice(EIGHT_BIT_LINES))
        body.extend(text_lines(rng, rng.randint(0, 3)))
    return h, body


def long_lines(seq, rng, overlong):
    # RFC 5322 caps lines at 998 octets; real mail breaks that. "Overlong" messages (lines past 8 KiB)
    # are marked, because some clients (fetchmail 6.4: an 8 KiB line buffer) cannot store them intact.
    extra = [b"MIME-Version: 1.0", b"Content-Type: text/plain"]
    lengths = [998, 1000, 4096, 8000]
    if overlong:
        extra.append(b"X-Interop-Overlong: yes")
        lengths += [20000, rng.randint(70000, 90000)]
    h = headers(seq, rng, extra)
    body = []
    for n in lengths:
        body.append((b"L" * 10 + words(rng, n // 5).encode("ascii"))[:n])
    body.extend(dot_lines())
    return h, body


def b64_lines(data):
    enc = base64.b64encode(data)
    return [enc[i : i + 76] for i in range(0, len(enc), 76)]


def multipart(seq, rng, attachment_size):
    boundary = b"=_interop_%04d_%d" % (seq, rng.randint(0, 10**9))
    h = headers(
        seq,
        rng,
        [b"MIME-Version: 1.0", b'Content-Type: multipart/mixed; boundary="' + boundary + b'"'],
    )
    blob = bytes(rng.getrandbits(8) for _ in range(min(attachment_size, 4096)))
    # Repeat a random block to reach large sizes quickly; content stays binary-ish.
    data = (blob * (attachment_size // max(len(blob), 1) + 1))[:attachment_size]
    body = [b"This is a multi-part message in MIME format.", b""]
    body += [b"--" + boundary, b"Content-Type: text/plain; charset=utf-8", b""]
    body += text_lines(rng, rng.randint(1, 20)) + dot_lines() + [EIGHT_BIT_LINES[0]]
    body += [
        b"--" + boundary,
        b"Content-Type: application/octet-stream",
        b'Content-Disposition: attachment; filename="blob%04d.bin"' % seq,
        b"Content-Transfer-Encoding: base64",
        b"",
    ]
    body += b64_lines(data)
    body += [b"--" + boundary + b"--", b""]
    return h, body


def build(seq, rng):
    kind = seq % 10
    if seq in (1, 2):
        return tiny(seq, rng)
    if kind in (0, 1, 2):
        return plain(seq, rng, text_lines(rng, rng.randint(1, 60)) + (dot_lines() if seq % 2 else []))
    if kind == 3:
        return eight_bit(seq, rng)
    if kind == 4:
        return long_lines(seq, rng, overlong=seq % 20 == 14)
    if kind in (5, 6, 7):
        return multipart(seq, rng, rng.randint(100, 60_000))
    if kind == 8:
        return multipart(seq, rng, rng.randint(60_000, 150_000))
    # kind 9: a few large messages, up to a few MB.
    size = 3_000_000 if seq % 100 == 9 else rng.randint(150_000, 600_000)
    return multipart(seq, rng, size)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    maildir = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 210
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261124
    rng = random.Random(seed)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    total = 0
    for seq in range(1, count + 1):
        h, body = build(seq, rng)
        msg = b"\n".join(h) + b"\n\n" + b"\n".join(body) + b"\n"
        # Base names sort in sequence order so every server numbers them 1..N alike.
        name = "%d.M%06dP1.interop:2," % (1700000000 + seq, seq)
        with open(os.path.join(maildir, "cur", name), "wb") as f:
            f.write(msg)
        total += len(msg)
    print("generated %d messages, %d bytes, in %s" % (count, total, maildir))


if __name__ == "__main__":
    main()
