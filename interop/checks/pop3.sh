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
