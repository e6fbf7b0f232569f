# IMAP checks (issue 3): mbsync full sync compared with a direct sync, curl imaps fetch, a python imaplib
# conversation (fetch all, append, search, IDLE), STARTTLS injection. Sourced by interop/run after setup
# (needs IMAPS_PORT, IMAP_STARTTLS_PORT, DOVECOT_IMAP_PORT, CA_CERT, WORK). Run alone by hand with
# `interop/run imap` (INTEROP_TARGET=dovecot checks Dovecot directly).

section "IMAP: mbsync, curl, imaplib, STARTTLS injection (imaps $IMAPS_PORT, imap+starttls $IMAP_STARTTLS_PORT)"

IMAP_DIR="$WORK/imap"
rm -rf "$IMAP_DIR" && mkdir -p "$IMAP_DIR"
COMPARE=("$PYTHON" "$LIB_DIR/compare.py")

# mbsync_pull NAME PORT SSLTYPE: full pull of INBOX into $IMAP_DIR/NAME/INBOX (Maildir, LF line endings).
# Host is localhost because mbsync 1.4 checks the certificate's DNS names only (no IP SAN).
mbsync_pull() {
  local name=$1 port=$2 ssltype=$3
  local rc="$IMAP_DIR/$name.mbsyncrc"
  mkdir -p "$IMAP_DIR/$name"
  cat >"$rc" <<EOF
IMAPAccount $name
Host localhost
Port $port
User $MAIL_USER
PassCmd "printenv INTEROP_MAIL_PASS"
SSLType $ssltype
SSLVersions TLSv1.2 TLSv1.3
CertificateFile $CA_CERT
AuthMechs PLAIN LOGIN

IMAPStore $name-far
Account $name

MaildirStore $name-near
Path $IMAP_DIR/$name/
Inbox $IMAP_DIR/$name/INBOX

Channel $name
Far :$name-far:
Near :$name-near:
Patterns INBOX
Create Near
Sync Pull
SyncState *
EOF
  chmod 600 "$rc"
  INTEROP_MAIL_PASS="$MAIL_PASS" timeout "$CLIENT_TIMEOUT" mbsync -q -c "$rc" "$name" \
    >"$IMAP_DIR/$name.log" 2>&1
}

if command -v mbsync >/dev/null; then
  # Direct from Dovecot (STARTTLS on its own port), then through the system under test (implicit TLS).
  rc=0
  mbsync_pull direct "$DOVECOT_IMAP_PORT" STARTTLS || rc=$?
  if ((rc != 0)); then
    fail imap-mbsync-direct-from-dovecot "mbsync exited $rc: $(tail -n 2 "$IMAP_DIR/direct.log" | tr '\n' ' ')"
  else
    check imap-mbsync-direct-from-dovecot-matches-maildir "${COMPARE[@]}" --originals "$WORK/originals" \
      --form lf --strip-x-tuid --all "$IMAP_DIR/direct/INBOX"
  fi
  rc=0
  mbsync_pull target "$IMAPS_PORT" IMAPS || rc=$?
  if ((rc != 0)); then
    fail imaps-mbsync-full-sync-byte-exact "mbsync exited $rc: $(tail -n 2 "$IMAP_DIR/target.log" | tr '\n' ' ')"
  else
    # What mbsync stored through the target, byte for byte against what it stored directly.
    check imaps-mbsync-full-sync-byte-exact "${COMPARE[@]}" --originals "$IMAP_DIR/direct/INBOX" \
      --form lf --strip-x-tuid --all "$IMAP_DIR/target/INBOX"
    if "${COMPARE[@]}" --originals "$IMAP_DIR/direct/INBOX" --form lf --strip-x-tuid --all \
      --flip-one-byte "$IMAP_DIR/target/INBOX" >"$IMAP_DIR/flip.log" 2>&1; then
      fail imap-comparison-catches-one-changed-byte "a message with one flipped byte compared equal"
    else
      pass imap-comparison-catches-one-changed-byte
    fi
  fi
else
  fail imaps-mbsync-full-sync-byte-exact "mbsync (Debian package isync) is not installed"
fi

# curl: FETCH by UID over implicit TLS and over STARTTLS (--ssl-reqd), compared with the CRLF originals.
curl_imap() {
  timeout "$CLIENT_TIMEOUT" curl -sS --fail --max-time "$CLIENT_TIMEOUT" --cacert "$CA_CERT" \
    -u "$MAIL_USER:$MAIL_PASS" "$@"
}
mkdir -p "$IMAP_DIR/curl" "$IMAP_DIR/curl-starttls"
fetch_ok=1 fetch_err=""
for n in 1 2 3 4 5 9 14 24 33 "$INTEROP_MESSAGES"; do
  ((n <= INTEROP_MESSAGES)) || continue
  if ! curl_imap "imaps://127.0.0.1:$IMAPS_PORT/INBOX;UID=$n" -o "$IMAP_DIR/curl/$n.eml" \
    2>"$IMAP_DIR/curl.err"; then
    fetch_ok=0 fetch_err="UID $n: $(tail -n 1 "$IMAP_DIR/curl.err")"
    break
  fi
done
if ((fetch_ok)); then
  check imaps-curl-fetch-byte-exact "${COMPARE[@]}" --originals "$WORK/originals" --form crlf --min-count 5 \
    "$IMAP_DIR/curl"
else
  fail imaps-curl-fetch-byte-exact "$fetch_err"
fi
if curl_imap --ssl-reqd "imap://127.0.0.1:$IMAP_STARTTLS_PORT/INBOX;UID=4" -o "$IMAP_DIR/curl-starttls/4.eml" \
  2>"$IMAP_DIR/curl-starttls.err"; then
  check imap-starttls-curl-fetch-byte-exact "${COMPARE[@]}" --originals "$WORK/originals" --form crlf \
    "$IMAP_DIR/curl-starttls"
else
  fail imap-starttls-curl-fetch-byte-exact "$(tail -n 1 "$IMAP_DIR/curl-starttls.err")"
fi

# python imaplib: fetch all byte-exact, append, search, IDLE with a delivery from a second connection.
INTEROP_MAIL_PASS="$MAIL_PASS" check imaps-imaplib-fetch-append-search-idle \
  "$PYTHON" "$LIB_DIR/imap_client.py" "$IMAPS_PORT" "$CA_CERT" "$WORK/originals" "$MAIL_USER" INTEROP_MAIL_PASS

check imap-starttls-command-injection-not-executed-after-tls \
  "$PYTHON" "$LIB_DIR/starttls_probe.py" imap-injection "$IMAP_STARTTLS_PORT" "$CA_CERT"

# The gateway hides LOGIN before TLS on a STARTTLS listener; Dovecot allows it on loopback, so gateway only.
if [[ "$INTEROP_TARGET" == gateway ]]; then
  check imap-starttls-listener-refuses-login-before-tls \
    "$PYTHON" "$LIB_DIR/starttls_probe.py" imap-plaintext-refused "$IMAP_STARTTLS_PORT"
fi

# Scan on arrival (issue 9): only through the gateway. imaplib against Dovecot directly seeds the mailbox
# "Filtered" and checks the quarantine mailbox there; everything a client sees goes through the gateway.
if [[ "$INTEROP_TARGET" == gateway ]]; then
  FILTER_DIR="$IMAP_DIR/filter"
  mkdir -p "$FILTER_DIR"
  INTEROP_MAIL_PASS="$MAIL_PASS" check imap-filter-scan-on-arrival-with-imaplib \
    "$PYTHON" "$LIB_DIR/imap_filter_check.py" "$IMAPS_PORT" "$DOVECOT_IMAP_PORT" "$CA_CERT" \
    "$REPO_DIR/filter/src/main/resources/io/portcullis/filter/samples/spam.eml" "$FILTER_DIR" \
    "$MAIL_USER" INTEROP_MAIL_PASS
  if command -v mbsync >/dev/null && [[ -s "$FILTER_DIR/marker" ]]; then
    rc="$FILTER_DIR/mbsyncrc"
    cat >"$rc" <<RC
IMAPAccount filter
Host localhost
Port $IMAPS_PORT
User $MAIL_USER
PassCmd "printenv INTEROP_MAIL_PASS"
SSLType IMAPS
SSLVersions TLSv1.2 TLSv1.3
CertificateFile $CA_CERT
AuthMechs PLAIN LOGIN

IMAPStore filter-far
Account filter

MaildirStore filter-near
Path $FILTER_DIR/maildir/
Inbox $FILTER_DIR/maildir/INBOX

Channel filter
Far :filter-far:
Near :filter-near:
Patterns Filtered Junk
Create Near
Sync Pull
SyncState *
RC
    chmod 600 "$rc"
    mkdir -p "$FILTER_DIR/maildir"
    if INTEROP_MAIL_PASS="$MAIL_PASS" timeout "$CLIENT_TIMEOUT" mbsync -q -c "$rc" filter \
      >"$FILTER_DIR/mbsync.log" 2>&1; then
      if grep -rqF -f "$FILTER_DIR/marker" "$FILTER_DIR/maildir"; then
        fail imap-filter-mbsync-never-stores-dangerous-attachment "the executable's bytes are in mbsync's Maildir"
      elif [[ -z "$(ls -A "$FILTER_DIR/maildir/Filtered/cur" "$FILTER_DIR/maildir/Filtered/new" 2>/dev/null)" ]]; then
        fail imap-filter-mbsync-never-stores-dangerous-attachment "mbsync stored nothing"
      else
        pass imap-filter-mbsync-never-stores-dangerous-attachment
      fi
    else
      fail imap-filter-mbsync-never-stores-dangerous-attachment "mbsync exited non-zero: $(tail -n 2 "$FILTER_DIR/mbsync.log" | tr '\n' ' ')"
    fi
  fi
fi
