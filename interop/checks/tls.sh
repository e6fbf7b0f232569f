# TLS checks (issue 4): openssl s_client against implicit TLS and STARTTLS listeners, legacy protocol and
# CBC refusal, testssl.sh scan of one implicit-TLS listener (fails on any HIGH or CRITICAL finding).
# Sourced by interop/run after setup (needs POP3S_PORT, POP3_STLS_PORT, IMAP*_PORT, IMAP_ENABLED, CA_CERT).

section "TLS: openssl s_client, legacy protocols, testssl.sh"

TLS_DIR="$WORK/tls"
rm -rf "$TLS_DIR" && mkdir -p "$TLS_DIR"
TLS_TIMEOUT=30

# s_client NAME COMMAND ARGS...: one handshake with chain and host name verified, then COMMAND (the
# protocol's QUIT/LOGOUT), reading until the server closes (-ign_eof) so that its answers are captured.
s_client() {
  local name=$1 command=$2
  shift 2
  printf '%s\n' "$command" | timeout "$TLS_TIMEOUT" openssl s_client -CAfile "$CA_CERT" -verify_return_error \
    -verify_hostname localhost -servername localhost -crlf -ign_eof "$@" >"$TLS_DIR/$name.out" 2>&1
}
negotiated() { grep -aE '^ +Protocol *: ' "$TLS_DIR/$1.out" | head -n 1 | sed 's/.*: //'; }

# s_client_check NAME PROTOCOL ARGS...: handshake verified, TLS 1.2 or 1.3, the protocol spoken over TLS.
s_client_check() {
  local name=$1 proto=$2
  shift 2
  local command="QUIT" answer='^\+OK'
  [[ "$proto" == imap ]] && command="a LOGOUT" answer='^a OK'
  local rc=0
  s_client "$name" "$command" "$@" || rc=$?
  local out="$TLS_DIR/$name.out"
  if ((rc != 0)); then
    fail "$name" "openssl s_client exited $rc: $(grep -a -m1 -iE 'error|errno' "$out" || tail -n 1 "$out")"
  elif ! grep -aq 'Verify return code: 0 (ok)' "$out"; then
    fail "$name" "certificate chain did not verify: $(grep -a 'Verify return code' "$out")"
  elif [[ ! "$(negotiated "$name")" =~ ^TLSv1\.[23]$ ]]; then
    fail "$name" "unexpected protocol: $(negotiated "$name")"
  elif ! grep -aqE "$answer" "$out"; then
    fail "$name" "no answer to '$command' over TLS"
  else
    pass "$name"
  fi
}

s_client_check pop3s-openssl-s_client-verified pop3 -connect "127.0.0.1:$POP3S_PORT"
s_client_check pop3-starttls-openssl-s_client-verified pop3 -starttls pop3 -connect "127.0.0.1:$POP3_STLS_PORT"
s_client_check pop3s-tls13-negotiated pop3 -tls1_3 -connect "127.0.0.1:$POP3S_PORT"
s_client_check pop3s-tls12-negotiated pop3 -tls1_2 -connect "127.0.0.1:$POP3S_PORT"
if [[ "$IMAP_ENABLED" == 1 ]]; then
  s_client_check imaps-openssl-s_client-verified imap -connect "127.0.0.1:$IMAPS_PORT"
  s_client_check imap-starttls-openssl-s_client-verified imap -starttls imap \
    -connect "127.0.0.1:$IMAP_STARTTLS_PORT"
fi

# refused NAME ARGS...: the handshake must fail, and because of the server (the client did offer it).
refused() {
  local name=$1
  shift
  local rc=0
  s_client "$name" QUIT "$@" || rc=$?
  local out="$TLS_DIR/$name.out"
  if grep -aqiE 'no protocols available|no ciphers available|no cipher match' "$out"; then
    fail "$name" "the client could not offer it (test is void): $(grep -a -m1 -i 'error' "$out")"
  elif [[ -n "$(negotiated "$name")" ]] && ! grep -aq 'Cipher is (NONE)' "$out"; then
    fail "$name" "a session was negotiated: $(negotiated "$name")"
  elif ((rc == 0)); then
    fail "$name" "openssl s_client reported success"
  else
    pass "$name"
  fi
}

LEGACY=(-cipher 'DEFAULT:@SECLEVEL=0')
# Control: the same client command does negotiate TLS 1.1 with a server that allows it (so the refusal
# checks below can fail).
"$PYTHON" "$LIB_DIR/legacy_tls_server.py" "$SERVER_CERT" "$SERVER_KEY" "$TLS_DIR/legacy.port" \
  >"$TLS_DIR/legacy.log" 2>&1 &
LEGACY_PID=$!
deadline=$((SECONDS + 10))
while [[ ! -s "$TLS_DIR/legacy.port" ]] && ((SECONDS < deadline)); do sleep 0.1; done
# (The control server closes without close_notify, so s_client's exit status is not looked at.)
[[ -s "$TLS_DIR/legacy.port" ]] && { s_client tls11-control QUIT "${LEGACY[@]}" -tls1_1 \
  -connect "127.0.0.1:$(cat "$TLS_DIR/legacy.port")" || true; }
if [[ "$(negotiated tls11-control 2>/dev/null)" == TLSv1.1 ]]; then
  pass tls11-client-control-negotiates-with-a-legacy-server
else
  fail tls11-client-control-negotiates-with-a-legacy-server \
    "openssl could not negotiate TLS 1.1 with the control server: $(tail -n 1 "$TLS_DIR/tls11-control.out" 2>/dev/null)"
fi
kill "$LEGACY_PID" 2>/dev/null || true
wait "$LEGACY_PID" 2>/dev/null || true

refused pop3s-tls11-refused "${LEGACY[@]}" -tls1_1 -connect "127.0.0.1:$POP3S_PORT"
refused pop3s-tls10-refused "${LEGACY[@]}" -tls1 -connect "127.0.0.1:$POP3S_PORT"
refused pop3-starttls-tls11-refused "${LEGACY[@]}" -tls1_1 -starttls pop3 -connect "127.0.0.1:$POP3_STLS_PORT"
# Intermediate profile: no CBC suites (the client offers CBC suites only).
refused pop3s-cbc-only-client-refused -tls1_2 \
  -cipher 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256' \
  -connect "127.0.0.1:$POP3S_PORT"
if [[ "$IMAP_ENABLED" == 1 ]]; then
  refused imaps-tls11-refused "${LEGACY[@]}" -tls1_1 -connect "127.0.0.1:$IMAPS_PORT"
fi

# testssl.sh: protocols (-p), cipher categories (-s), forward secrecy (-f), server preference (-P),
# server defaults and certificate (-S), vulnerabilities (-U). Skipped to stay near a minute: -e (each
# of ~370 ciphers: the categories and protocols already cover weak ones) and -c (client simulation:
# informational, never rated). The test CA is added so the chain is judged as a client that trusts it.
if [[ "${INTEROP_SKIP_TESTSSL:-0}" == 1 ]]; then
  info "testssl.sh skipped (INTEROP_SKIP_TESTSSL=1): for quick runs by hand only"
elif command -v testssl >/dev/null; then
  report="$WORK/testssl"
  mkdir -p "$report"
  rm -f "$report"/*
  info "testssl.sh against pop3s 127.0.0.1:$POP3S_PORT (about 1-2 minutes); report in $report"
  ts_rc=0
  timeout 600 testssl --quiet --color 0 --warnings batch --add-ca "$CA_CERT" \
    --connect-timeout 10 --openssl-timeout 10 -p -s -f -P -S -U \
    --jsonfile "$report/testssl.json" --csvfile "$report/testssl.csv" \
    "127.0.0.1:$POP3S_PORT" >"$report/testssl.txt" 2>&1 || ts_rc=$?
  if [[ ! -s "$report/testssl.json" ]]; then
    fail testssl-no-high-or-critical-findings "testssl.sh exited $ts_rc without a report: $(tail -n 2 "$report/testssl.txt")"
  else
    check testssl-no-high-or-critical-findings "$PYTHON" - "$report/testssl.json" <<'EOF'
import collections, json, sys
findings = json.load(open(sys.argv[1]))
if isinstance(findings, dict):
    findings = [f for scan in findings.get("scanResult", []) for v in scan.values() if isinstance(v, list) for f in v]
counts = collections.Counter(f.get("severity") for f in findings)
print("testssl.sh severities:", dict(sorted(counts.items())))
bad = [f for f in findings if f.get("severity") in ("HIGH", "CRITICAL")]
for f in bad:
    print("%s %s: %s" % (f["severity"], f["id"], f["finding"]))
if any(f.get("id") == "scanProblem" for f in findings):
    sys.exit("testssl.sh reported a scan problem")
if len(findings) < 30:
    sys.exit("only %d findings: the scan did not run" % len(findings))
sys.exit(1 if bad else 0)
EOF
    grep -h "severities" "$WORK/logs/testssl-no-high-or-critical-findings.log" | sed 's/^/  .. /' || true
  fi
else
  fail testssl-no-high-or-critical-findings "testssl.sh (Debian package testssl.sh) is not installed"
fi
