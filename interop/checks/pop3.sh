# POP3 checks (issue 2): fetchmail over pop3s and STLS, curl LIST/RETR, byte-exact content, STLS injection.
# Sourced by interop/run after setup (needs POP3S_PORT, POP3_STLS_PORT, CA_CERT, WORK, originals).

section "POP3: fetchmail, curl, STLS injection (pop3s $POP3S_PORT, pop3+starttls $POP3_STLS_PORT)"

POP3_DIR="$WORK/pop3"
rm -rf "$POP3_DIR" && mkdir -p "$POP3_DIR"
COMPARE=("$PYTHON" "$LIB_DIR/compare.py" --originals "$WORK/originals")

# fetchmail_run NAME PORT TLSOPTIONS: keep mode, every message, one file per message via the MDA.
# The MDA writes each message unchanged to a new file. The rc file holds the password (fetchmail reads it from no other non-interactive place), mode 0600.
fetchmail_run() {
  local name=$1 port=$2 tls=$3
  local out="$POP3_DIR/$name" home="$POP3_DIR/$name.home"
  mkdir -p "$out" "$home" && chmod 700 "$home"
  cat >"$home/fetchmailrc" <<EOF
set no syslog
poll 127.0.0.1 protocol pop3 service $port timeout 60
  user "$MAIL_USER" password "$MAIL_PASS" is "$(id -un)" here
  $tls sslcertck sslcertfile "$CA_CERT" sslcommonname "localhost"
  keep fetchall norewrite
  mda "$home/mda"
EOF
  # shellcheck disable=SC2016 # $(mktemp) is for the MDA's shell, not this one
  printf '#!/bin/sh\nexec cat >"$(mktemp "%s/msg.XXXXXXXX")"\n' "$out" >"$home/mda"
  chmod 700 "$home/mda"
  chmod 600 "$home/fetchmailrc"
  # Exit 0: mail retrieved. Anything else (1 = no mail, 2 = socket, 3 = auth, ...) is a failure here.
  FETCHMAILHOME="$home" timeout "$CLIENT_TIMEOUT" fetchmail -f "$home/fetchmailrc" \
    >"$POP3_DIR/$name.log" 2>&1
}

# fetchmail stores with LF line endings and prepends one Received header; lines over 8 KiB are beyond its
# line buffer (documented in docs/interop.md), so those few originals are skipped for fetchmail only.
fetchmail_check() {
  local name=$1 port=$2 tls=$3
  local rc=0
  fetchmail_run "$name" "$port" "$tls" || rc=$?
  if ((rc != 0)); then
    fail "$name" "fetchmail exited $rc: $(grep -v 'reading message' "$POP3_DIR/$name.log" | tail -n 2 | tr '\n' ' ')"
    return
  fi
  check "$name" "${COMPARE[@]}" --form lf --strip-leading-received --skip-overlong --all "$POP3_DIR/$name"
}
fetchmail_ok() { grep -qs identical "$WORK/logs/$1.log"; }

if command -v fetchmail >/dev/null; then
  fetchmail_check pop3s-fetchmail-keep-all-messages-byte-exact "$POP3S_PORT" "ssl"
  fetchmail_check pop3-stls-fetchmail-keep-all-messages-byte-exact "$POP3_STLS_PORT" "sslproto 'tls1.2+'"
  # The comparison must be able to fail: one flipped byte in one retrieved message is caught.
  if ! fetchmail_ok pop3s-fetchmail-keep-all-messages-byte-exact; then
    fail pop3-comparison-catches-one-changed-byte "needs a good fetchmail retrieval first"
  elif "${COMPARE[@]}" --form lf --strip-leading-received --skip-overlong --all --flip-one-byte \
    "$POP3_DIR/pop3s-fetchmail-keep-all-messages-byte-exact" >"$POP3_DIR/flip.log" 2>&1; then
    fail pop3-comparison-catches-one-changed-byte "a message with one flipped byte compared equal"
  else
    pass pop3-comparison-catches-one-changed-byte
  fi
else
  fail pop3s-fetchmail "fetchmail is not installed"
fi

# curl LIST: one line per message, sizes equal to the CRLF size of each original in Maildir order.
curl_pop3() {
  timeout "$CLIENT_TIMEOUT" curl -sS --fail --max-time "$CLIENT_TIMEOUT" --cacert "$CA_CERT" \
    -u "$MAIL_USER:$MAIL_PASS" "$@"
}

if curl_pop3 "pop3s://127.0.0.1:$POP3S_PORT/" -o "$POP3_DIR/curl-list.txt" 2>"$POP3_DIR/curl-list.err"; then
  check pop3s-curl-list-sizes-match-maildir "$PYTHON" - "$POP3_DIR/curl-list.txt" "$WORK/originals" <<'EOF'
import os, sys
listing = [l.split() for l in open(sys.argv[1], "rb").read().decode().splitlines() if l.strip()]
names = sorted(os.listdir(sys.argv[2]))
sizes = [len(open(os.path.join(sys.argv[2], n), "rb").read().replace(b"\n", b"\r\n")) for n in names]
if len(listing) != len(names):
    sys.exit("LIST has %d entries, maildir %d" % (len(listing), len(names)))
for i, (num, size) in enumerate(listing):
    if int(num) != i + 1 or int(size) != sizes[i]:
        sys.exit("LIST entry %s %s, expected %d %d" % (num, size, i + 1, sizes[i]))
print("%d entries" % len(listing))
EOF
else
  fail pop3s-curl-list-sizes-match-maildir "curl: $(tail -n 1 "$POP3_DIR/curl-list.err")"
fi

# curl RETR of a sample: tiny, dot lines, 8-bit, long lines, overlong lines, multipart, the largest, last.
POP3_SAMPLE=()
for n in 1 2 3 4 5 9 14 24 33 "$INTEROP_MESSAGES"; do ((n <= INTEROP_MESSAGES)) && POP3_SAMPLE+=("$n"); done
mkdir -p "$POP3_DIR/curl-retr" "$POP3_DIR/curl-stls-retr"
retr_ok=1 retr_err=""
for n in "${POP3_SAMPLE[@]}"; do
  if ! curl_pop3 "pop3s://127.0.0.1:$POP3S_PORT/$n" -o "$POP3_DIR/curl-retr/$n.eml" 2>"$POP3_DIR/curl-retr.err"; then
    retr_ok=0 retr_err="RETR $n: $(tail -n 1 "$POP3_DIR/curl-retr.err")"
    break
  fi
done
if ((retr_ok)); then
  check pop3s-curl-retr-byte-exact "${COMPARE[@]}" --form crlf --min-count "${#POP3_SAMPLE[@]}" "$POP3_DIR/curl-retr"
else
  fail pop3s-curl-retr-byte-exact "$retr_err"
fi

# The same over STLS: curl --ssl-reqd refuses to continue without STLS.
retr_ok=1
for n in 1 "${POP3_SAMPLE[-1]}"; do
  if ! curl_pop3 --ssl-reqd "pop3://127.0.0.1:$POP3_STLS_PORT/$n" -o "$POP3_DIR/curl-stls-retr/$n.eml" \
    2>"$POP3_DIR/curl-stls.err"; then
    retr_ok=0 retr_err="RETR $n: $(tail -n 1 "$POP3_DIR/curl-stls.err")"
    break
  fi
done
if ((retr_ok)); then
  check pop3-stls-curl-retr-byte-exact "${COMPARE[@]}" --form crlf --min-count 2 "$POP3_DIR/curl-stls-retr"
else
  fail pop3-stls-curl-retr-byte-exact "$retr_err"
fi

check pop3-stls-command-injection-not-executed-after-tls \
  "$PYTHON" "$LIB_DIR/starttls_probe.py" pop3-injection "$POP3_STLS_PORT" "$CA_CERT"

# The gateway refuses plaintext login on a STLS listener; Dovecot allows it on loopback, so gateway only.
if [[ "$INTEROP_TARGET" == gateway ]]; then
  check pop3-stls-listener-refuses-login-before-tls \
    "$PYTHON" "$LIB_DIR/starttls_probe.py" pop3-plaintext-refused "$POP3_STLS_PORT"
fi

# ---------------------------------------------------------------------------------------------------
# Filtering (issue 9): the virtual maildrop. Dangerous samples join the mailbox for these checks only
# (removed afterwards, so later groups see the generated messages alone). The gateway runs the built-in
# default policy: dangerous attachments, bombs and phishing withheld, spam marked X-Spam-Flag, over the
# 50 MiB scan limit tagged [UNSCANNED]. Every dangerous payload embeds a marker string, in clear once
# its transfer encoding is undone; nothing a client stores may contain it.
# ---------------------------------------------------------------------------------------------------
if [[ "$INTEROP_TARGET" == gateway ]]; then
  section "POP3 filtering: fetchmail and poplib through the virtual maildrop"
  FILTER_DIR="$POP3_DIR/filter"
  FILTER_MARKER="PORTCULLIS-DANGEROUS-PAYLOAD-7f3a"
  FILTER_OVERLIMIT_MIB="${INTEROP_FILTER_OVERLIMIT_MIB:-51}"
  mkdir -p "$FILTER_DIR"

  # The samples, LF line endings as Dovecot stores them, each with an X-Interop-Filter header naming it.
  "$PYTHON" - "$WORK/maildir/new" "$REPO_DIR/filter/src/main/resources/io/portcullis/filter/samples" \
    "$FILTER_MARKER" "$FILTER_OVERLIMIT_MIB" <<'EOF'
import base64, io, os, sys, zipfile
new, samples, marker, overlimit_mib = sys.argv[1], sys.argv[2], sys.argv[3].encode(), int(sys.argv[4])

def stored_zip(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name in sorted(entries):
            z.writestr(zipfile.ZipInfo(name, (2026, 11, 24, 9, 0, 0)), entries[name])
    return out.getvalue()

def zero_zip(size):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("zeros.bin", (2026, 11, 24, 9, 0, 0)), bytes(size), zipfile.ZIP_DEFLATED)
    return out.getvalue()

def with_attachment(name, subject, file_name, content_type, content):
    b64 = base64.encodebytes(content).decode().strip()
    return ("From: Accounts <accounts@example.net>\nTo: Test User <pcuser@example.com>\n"
            "Subject: %s\nDate: Tue, 24 Nov 2026 09:00:00 +0000\nMessage-ID: <filter-%s@example.net>\n"
            "X-Interop-Filter: %s\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"
            "--b1\nContent-Type: text/plain; charset=utf-8\n\nSee the attachment.\n"
            "--b1\nContent-Type: %s; name=\"%s\"\nContent-Disposition: attachment; filename=\"%s\"\n"
            "Content-Transfer-Encoding: base64\n\n%s\n--b1--\n"
            % (subject, name, name, content_type, file_name, file_name, b64)).encode()

def sample(name, file_name):
    raw = open(os.path.join(samples, file_name), "rb").read().replace(b"\r\n", b"\n")
    return b"X-Interop-Filter: " + name.encode() + b"\n" + raw

pe = bytearray(256); pe[0:2] = b"MZ"; pe[0x3C] = 0x80; pe[0x80:0x82] = b"PE"; pe[0x84:0x86] = b"\x4c\x01"
docm = stored_zip({
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>'
        b'<Override PartName="/word/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    "word/document.xml": b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>',
    "word/vbaProject.bin": marker})
line = b"quarterly figures, line after line of them, for the scan limit\n"
messages = {
    "clean": sample("clean", "plain.eml"),
    "spam": sample("spam", "spam.eml"),
    "phishing": sample("phishing", "phishing.eml"),
    "exe-in-zip": with_attachment("exe-in-zip", "Invoice 2026-1187", "invoice.zip", "application/zip",
                                  stored_zip({"invoice.pdf.exe": bytes(pe) + marker})),
    "macro-document": with_attachment("macro-document", "Q3 report", "Q3-report.docm",
                                      "application/vnd.ms-word.document.macroEnabled.12", docm),
    "zip-bomb": with_attachment("zip-bomb", "Backup", "backup.zip", "application/zip", zero_zip(20 << 20)),
    "over-limit": (b"From: Reports <reports@example.net>\nTo: Test User <pcuser@example.com>\n"
                   b"Subject: large report\nDate: Tue, 24 Nov 2026 09:00:00 +0000\n"
                   b"Message-ID: <filter-over-limit@example.net>\nX-Interop-Filter: over-limit\n\n"
                   + line * ((overlimit_mib << 20) // len(line) + 1)),
}
for i, (name, raw) in enumerate(messages.items()):
    with open(os.path.join(new, "1800000000.filter%02d.%s" % (i, name)), "wb") as f:
        f.write(raw)
EOF
  if [[ $(id -u) -eq 0 ]]; then
    chown -R pcinterop: "$WORK/maildir"
  fi

  # fetchmail keeps everything it is given; then every stored message is searched, raw and decoded.
  filter_rc=0
  fetchmail_run filter-fetchmail "$POP3S_PORT" "ssl" || filter_rc=$?
  if ((filter_rc != 0)); then
    fail pop3-filter-fetchmail-stores-no-dangerous-byte "fetchmail exited $filter_rc: $(tail -n 2 "$POP3_DIR/filter-fetchmail.log" | tr '\n' ' ')"
  else
    check pop3-filter-fetchmail-stores-no-dangerous-byte "$PYTHON" - "$POP3_DIR/filter-fetchmail" "$FILTER_MARKER" <<'EOF'
import email, email.policy, os, sys
folder, marker = sys.argv[1], sys.argv[2].encode()
seen = {}
for name in sorted(os.listdir(folder)):
    raw = open(os.path.join(folder, name), "rb").read()
    if marker in raw:
        sys.exit("%s holds the marker as stored" % name)
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    for part in msg.walk():
        payload = part.get_payload(decode=True)
        if payload and marker in payload:
            sys.exit("%s holds the marker in a decoded part" % name)
    tag = msg.get("X-Interop-Filter")
    if tag:
        seen[tag] = msg
expected = {"clean", "spam", "over-limit"}
if set(seen) != expected:
    sys.exit("delivered samples %s, expected %s" % (sorted(seen), sorted(expected)))
if seen["spam"].get("X-Spam-Flag", "").strip().upper() != "YES":
    sys.exit("spam delivered without X-Spam-Flag: YES")
if not seen["over-limit"].get("Subject", "").startswith("[UNSCANNED] "):
    sys.exit("the message over the scan limit is not tagged: %r" % seen["over-limit"].get("Subject"))
print("%d messages stored, none with the marker; withheld: exe-in-zip, macro-document, zip-bomb, phishing" % len(os.listdir(folder)))
EOF
  fi

  # poplib: for every message, LIST and STAT sizes equal the octets RETR delivers; UIDLs stable across
  # two sessions; TOP of the tagged spam shows the rendition's header.
  check pop3-filter-poplib-sizes-agree-with-content "$PYTHON" - "$POP3S_PORT" "$CA_CERT" "$MAIL_USER" "$MAIL_PASS" "$FILTER_MARKER" <<'EOF'
import poplib, ssl, sys
port, ca, user, password, marker = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5].encode()
poplib._MAXLINE = 1 << 20
def session():
    p = poplib.POP3_SSL("127.0.0.1", port, context=ssl.create_default_context(cafile=ca), timeout=120)
    p.user(user)
    p.pass_(password)
    return p
p = session()
count, octets = p.stat()
sizes = [int(l.split()[1]) for l in p.list()[1]]
uidls = [l.split()[1] for l in p.uidl()[1]]
if len(sizes) != count or sum(sizes) != octets:
    sys.exit("STAT %d %d disagrees with LIST (%d entries, %d octets)" % (count, octets, len(sizes), sum(sizes)))
spam = None
for n in range(1, count + 1):
    lines = p.retr(n)[1]
    delivered = sum(len(l) + 2 for l in lines)
    if delivered != sizes[n - 1]:
        sys.exit("message %d: LIST says %d octets, RETR delivered %d" % (n, sizes[n - 1], delivered))
    if any(marker in l for l in lines):
        sys.exit("message %d holds the marker" % n)
    if b"X-Interop-Filter: spam" in lines:
        spam = n
p.quit()
if spam is None:
    sys.exit("the spam sample is not in the maildrop")
p = session()
if [l.split()[1] for l in p.uidl()[1]] != uidls:
    sys.exit("UIDLs differ between two sessions")
top = p.top(spam, 0)[1]
p.quit()
if not any(l.upper().startswith(b"X-SPAM-FLAG: YES") for l in top):
    sys.exit("TOP of the spam message does not show X-Spam-Flag")
print("%d messages, %d octets: every LIST size equals the RETR content; UIDLs stable" % (count, octets))
EOF

  # Back to the generated messages only, for the groups that follow.
  find "$WORK/maildir" -type f -name '1800000000.filter*' -delete
fi
