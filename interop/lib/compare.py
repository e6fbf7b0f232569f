#!/usr/bin/env python3
"""Byte-for-byte comparison of retrieved messages with their Maildir originals.

Each retrieved file is matched to its original by the `X-Interop-Id` header that
the generator puts in every message, then compared exactly with what the
protocol must deliver:

  --form crlf   the original with every LF turned into CRLF (POP3 RETR, IMAP BODY[])
  --form lf     the original as is (a client that stores with LF, e.g. an MDA)

--strip-x-tuid removes mbsync's random X-TUID header line on both sides.
--originals may also name another client's download (mbsync direct vs through the gateway).
--strip-leading-received removes exactly one leading `Received:` header (with
its continuation lines) that a client such as fetchmail prepends; nothing else
is ever normalised. --all requires every original to be retrieved exactly once.
--flip-one-byte changes one byte of the first retrieved message before
comparing: used by the suite to prove that the comparison catches it.

Exit status 0 when everything matches, 1 otherwise (with the reasons on stdout).
"""

import argparse
import os
import re
import sys

OVERLONG = b"\nX-Interop-Overlong: yes"
X_TUID_RE = re.compile(rb"^X-TUID: [A-Za-z0-9+/]{12}\r?\n", re.MULTILINE)
ID_RE = re.compile(rb"^X-Interop-Id: (\d+)\r?$", re.MULTILINE)


def header_block(data):
    for sep in (b"\r\n\r\n", b"\n\n"):
        i = data.find(sep)
        if i >= 0:
            return data[:i]
    return data


def interop_id(data):
    m = ID_RE.search(header_block(data))
    return m.group(1).decode() if m else None


def strip_leading_received(data):
    if not data.startswith(b"Received:"):
        return data, False
    pos = 0
    while True:
        nl = data.find(b"\n", pos)
        if nl < 0:
            return data, False
        pos = nl + 1
        if data[pos : pos + 1] not in (b" ", b"\t"):
            return data[pos:], True


def strip_x_tuid(data):
    """Removes the one X-TUID header (random per sync) that mbsync writes into each stored message."""
    head = header_block(data)
    new_head, n = X_TUID_RE.subn(b"", head + b"\n", count=1)
    return (new_head[:-1] + data[len(head) :]) if n == 1 else data


def load_originals(directory, x_tuid=False):
    originals = {}
    for path in retrieved_files([directory]):
        name = os.path.basename(path)
        with open(path, "rb") as f:
            data = f.read()
        if x_tuid:
            data = strip_x_tuid(data)
        originals[interop_id(data)] = (name, data)
    return originals


def retrieved_files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                # A Maildir: messages are in cur/ and new/; tmp/ and dot files (client state) are not mail.
                dirs[:] = sorted(d for d in dirs if d != "tmp" and not d.startswith("."))
                for n in sorted(names):
                    if not n.startswith("."):
                        yield os.path.join(root, n)
        else:
            yield p


def first_difference(a, b):
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--originals", required=True)
    ap.add_argument("--form", choices=("crlf", "lf"), required=True)
    ap.add_argument("--strip-leading-received", action="store_true")
    ap.add_argument("--all", action="store_true", help="every original exactly once")
    ap.add_argument("--min-count", type=int, default=1)
    ap.add_argument("--flip-one-byte", action="store_true")
    ap.add_argument(
        "--strip-x-tuid",
        action="store_true",
        help="remove mbsync's X-TUID header from both sides (its value is random per sync)",
    )
    ap.add_argument(
        "--skip-overlong",
        action="store_true",
        help="ignore originals marked X-Interop-Overlong (lines over 8 KiB) for clients that cannot store them",
    )
    ap.add_argument("retrieved", nargs="+")
    args = ap.parse_args()

    originals = load_originals(args.originals, args.strip_x_tuid)
    skipped = 0
    if args.skip_overlong:
        kept = {k: v for k, v in originals.items() if OVERLONG not in header_block(v[1])}
        skipped = len(originals) - len(kept)
        originals = kept
    seen = {}
    problems = []
    flipped = False
    count = 0
    for path in retrieved_files(args.retrieved):
        with open(path, "rb") as f:
            data = f.read()
        count += 1
        if args.skip_overlong and OVERLONG in header_block(data):
            count -= 1
            continue
        if args.flip_one_byte and not flipped:
            i = len(data) // 2
            data = data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]
            flipped = True
        if args.strip_x_tuid:
            data = strip_x_tuid(data)
        if args.strip_leading_received:
            data, stripped = strip_leading_received(data)
            if not stripped:
                problems.append("%s: no leading Received header to strip" % path)
        mid = interop_id(data)
        if mid is None or mid not in originals:
            problems.append("%s: no X-Interop-Id header matching an original" % path)
            continue
        seen[mid] = seen.get(mid, 0) + 1
        name, orig = originals[mid]
        expected = orig.replace(b"\n", b"\r\n") if args.form == "crlf" else orig
        if data != expected:
            at = first_difference(data, expected)
            problems.append(
                "%s: message %s differs from %s at byte %d (got %d bytes, expected %d; got %r, expected %r)"
                % (path, mid, name, at, len(data), len(expected), data[at : at + 12], expected[at : at + 12])
            )
    if count < args.min_count:
        problems.append("only %d messages retrieved, expected at least %d" % (count, args.min_count))
    dup = sorted(k for k, v in seen.items() if v > 1)
    if args.all:
        missing = sorted(set(originals) - set(seen))
        if missing:
            problems.append("%d originals never retrieved (e.g. %s)" % (len(missing), ", ".join(missing[:5])))
        if dup:
            problems.append("%d messages retrieved more than once (e.g. %s)" % (len(dup), ", ".join(dup[:5])))
    for p in problems[:10]:
        print(p)
    if len(problems) > 10:
        print("... and %d more problems" % (len(problems) - 10))
    if problems:
        return 1
    note = ", %d overlong-line originals skipped" % skipped if skipped else ""
    print("%d messages identical to their originals (%s%s)" % (count, args.form, note))
    return 0


if __name__ == "__main__":
    sys.exit(main())
