# OAuth checks (issue 6): a legacy client logs in to Portcullis with a password, and Portcullis logs in to
# Dovecot with SASL XOAUTH2/OAUTHBEARER and a JWT it obtained by the device grant from
# interop/lib/oauth_server.py; Dovecot's passdb oauth2 validates the JWT locally (HS256). Sourced by
# interop/run after setup (needs DOVECOT_POP3_PORT, DOVECOT_IMAP_PORT, OAUTH_SECRET_FILE, SERVER_CERT,
# SERVER_KEY, CA_CERT, WORK). Gateway target only. Run alone with `interop/run oauth`.

if [[ "$INTEROP_TARGET" != gateway ]]; then
  section "OAuth checks skipped: they test the gateway's broker (INTEROP_TARGET=gateway)"
  return 0
fi

OAUTH_DIR="$WORK/oauth"
rm -rf "$OAUTH_DIR" && mkdir -p "$OAUTH_DIR/data"
read -r OAUTH_AS_PORT OAUTH_POP3S_PORT OAUTH_IMAPS_PORT < <(free_ports 3)
OAUTH_ACCOUNT=dovecot-$MAIL_USER
OAUTH_LOCAL_USER=legacy-client
OAUTH_LOCAL_PASS='Pc-interop-local-7'
OAUTH_CONFIG="$OAUTH_DIR/portcullis.yml"
OAUTH_AS_PID=""
OAUTH_GATEWAY_PID=""

section "OAuth: broker → Dovecot passdb oauth2 (authorization server $OAUTH_AS_PORT, pop3s $OAUTH_POP3S_PORT, imaps $OAUTH_IMAPS_PORT)"

stop_oauth() {
  local pid
  for pid in "$OAUTH_GATEWAY_PID" "$OAUTH_AS_PID"; do
    [[ -n "$pid" ]] || continue
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  OAUTH_GATEWAY_PID=""
  OAUTH_AS_PID=""
}

# Access tokens live 60 s, less than the 5-minute refresh margin: every login refreshes, so each
# login after the first works only if the rotated refresh token of the one before was stored.
setsid "$PYTHON" "$LIB_DIR/oauth_server.py" "$OAUTH_AS_PORT" "$OAUTH_SECRET_FILE" "$MAIL_USER" 60 \
  </dev/null >"$OAUTH_DIR/oauth_server.log" 2>&1 &
OAUTH_AS_PID=$!
wait_port "$OAUTH_AS_PORT" 20 "$OAUTH_AS_PID" || die "oauth_server.py is not listening"

(umask 077 && head -c 32 /dev/urandom | base64 >"$OAUTH_DIR/portcullis.key")
cat >"$OAUTH_CONFIG" <<EOF
data-dir: $OAUTH_DIR/data
listeners:
  - url: pop3s://127.0.0.1:$OAUTH_POP3S_PORT
  - url: imaps://127.0.0.1:$OAUTH_IMAPS_PORT
upstreams:
  - url: pop3://127.0.0.1:$DOVECOT_POP3_PORT
  - url: imap://127.0.0.1:$DOVECOT_IMAP_PORT
tls:
  certificates:
    - cert: $SERVER_CERT
      key: $SERVER_KEY
auth:
  mode: local
  users-file: $OAUTH_DIR/users.yml
  key-file: $OAUTH_DIR/portcullis.key
  second-factor:
    required: none
oauth:
  providers:
    interop:
      type: generic
      client-id: portcullis-interop
      authorization-endpoint: http://127.0.0.1:$OAUTH_AS_PORT/authorize
      token-endpoint: http://127.0.0.1:$OAUTH_AS_PORT/token
      device-endpoint: http://127.0.0.1:$OAUTH_AS_PORT/device
      scopes: [mail, offline_access]
  accounts:
    $OAUTH_ACCOUNT:
      provider: interop
      login-user: $MAIL_USER
EOF

# The local user the legacy client logs in as, mapped to the OAuth account (the CLI writes the user; the
# mapping is one more key under it, as docs/oauth.md shows).
(cd "$REPO_DIR" && printf '%s\n' "$OAUTH_LOCAL_PASS" |
  ./portcullis user --config "$OAUTH_CONFIG" add "$OAUTH_LOCAL_USER") >"$OAUTH_DIR/user-add.log" 2>&1 ||
  die "portcullis user add failed (see $OAUTH_DIR/user-add.log)"
printf '    upstream:\n      oauth-account: %s\n' "$OAUTH_ACCOUNT" >>"$OAUTH_DIR/users.yml"

check oauth-authorize-device bash -c '
  cd "$1" && ./portcullis oauth --config "$2" authorize "$3" --device </dev/null | tee "$4"
  grep -q "authorised $3" "$4" && grep -q "^refresh token: *stored" "$4"
' _ "$REPO_DIR" "$OAUTH_CONFIG" "$OAUTH_ACCOUNT" "$OAUTH_DIR/authorize.log"

check oauth-store-is-sealed bash -c '
  head -c 5 "$1" | grep -q "^pcs1\." || { echo "store is not a sealed envelope"; exit 1; }
  [[ $(stat -c %a "$1") == 600 ]] || { echo "store mode is $(stat -c %a "$1")"; exit 1; }
' _ "$OAUTH_DIR/data/oauth-tokens.json"

(cd "$REPO_DIR" && exec setsid ./portcullis serve --config "$OAUTH_CONFIG" </dev/null \
  >"$OAUTH_DIR/gateway.log" 2>&1) &
OAUTH_GATEWAY_PID=$!
for p in "$OAUTH_POP3S_PORT" "$OAUTH_IMAPS_PORT"; do
  if ! wait_port "$p" "$GATEWAY_START_TIMEOUT" "$OAUTH_GATEWAY_PID"; then
    tail -n 40 "$OAUTH_DIR/gateway.log" >&2 || true
    die "oauth gateway is not listening on $p (log: $OAUTH_DIR/gateway.log)"
  fi
done

# login.py PROTOCOL EXPECT ...: logs in through the gateway with the local password; EXPECT ok: the
# mailbox holds INTEROP_MESSAGES messages; EXPECT refused: the uniform failure.
cat >"$OAUTH_DIR/login.py" <<'EOF'
import imaplib, poplib, ssl, sys
proto, expect, pop3s, imaps, ca, user, password, count = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
try:
    if proto == "imap":
        c = imaplib.IMAP4_SSL("localhost", int(imaps), ssl_context=ctx, timeout=60)
        c.login(user, password)
        typ, data = c.select("INBOX", readonly=True)
        got = int(data[0])
        c.logout()
    else:
        c = poplib.POP3_SSL("localhost", int(pop3s), context=ctx, timeout=60)
        c.user(user)
        c.pass_(password)
        got = c.stat()[0]
        c.quit()
except (imaplib.IMAP4.error, poplib.error_proto) as e:
    text = str(e)
    if expect == "refused" and ("AUTHENTICATIONFAILED" in text or "[AUTH]" in text):
        print("refused as expected:", text)
        sys.exit(0)
    print("login failed:", text)
    sys.exit(1)
if expect != "ok":
    print("logged in, but a refusal was expected")
    sys.exit(1)
if got != int(count):
    print("mailbox has %d messages, expected %s" % (got, count))
    sys.exit(1)
print("%s: %d messages through the token login" % (proto, got))
EOF
OAUTH_LOGIN=("$PYTHON" "$OAUTH_DIR/login.py")
OAUTH_LOGIN_ARGS=("$OAUTH_POP3S_PORT" "$OAUTH_IMAPS_PORT" "$CA_CERT" "$OAUTH_LOCAL_USER"
  "$OAUTH_LOCAL_PASS" "$INTEROP_MESSAGES")

check oauth-imap-token-login "${OAUTH_LOGIN[@]}" imap ok "${OAUTH_LOGIN_ARGS[@]}"
check oauth-pop3-token-login "${OAUTH_LOGIN[@]}" pop3 ok "${OAUTH_LOGIN_ARGS[@]}"

# Dovecot advertises both mechanisms; the gateway prefers OAUTHBEARER (RFC 7628).
check oauth-dovecot-logged-in-with-oauthbearer bash -c '
  grep -q "imap-login: Info: Login: user=<$2>, method=OAUTHBEARER" "$1" &&
    grep -q "pop3-login: Info: Login: user=<$2>, method=OAUTHBEARER" "$1" ||
    { echo "no OAUTHBEARER logins of $2 in $1"; exit 1; }
' _ "$WORK/dovecot/dovecot.log" "$MAIL_USER"

check oauth-refresh-token-rotated-and-stored bash -c '
  curl -fsS "http://127.0.0.1:$1/admin/stats" | "$2" -c "
import json, sys
s = json.load(sys.stdin)
assert s[\"device_grants\"] == 1, s
assert s[\"refreshes\"] >= 2 and s[\"refused\"] == 0, s
assert s[\"live\"] == 1, s
print(\"refreshes:\", s[\"refreshes\"], \"- each with the refresh token the previous one rotated\")
"
' _ "$OAUTH_AS_PORT" "$PYTHON"

curl -fsS -X POST "http://127.0.0.1:$OAUTH_AS_PORT/admin/revoke" >/dev/null
check oauth-revoked-grant-uniform-failure "${OAUTH_LOGIN[@]}" imap refused "${OAUTH_LOGIN_ARGS[@]}"
check oauth-revoked-grant-warns-operator bash -c '
  for _ in $(seq 50); do
    grep -qF "re-authorise with \`portcullis oauth authorize $2\`" "$1" && exit 0
    sleep 0.2
  done
  echo "no re-authorise warning in $1"; exit 1
' _ "$OAUTH_DIR/gateway.log" "$OAUTH_ACCOUNT"

curl -fsS "http://127.0.0.1:$OAUTH_AS_PORT/admin/stats" >"$OAUTH_DIR/issued.json" || true
stop_oauth

# After the gateway stopped, its whole log is searched for every token the server issued.
check oauth-gateway-log-has-no-token bash -c '
  "$1" - "$2" "$3" <<EOF
import json, sys
issued = json.load(open(sys.argv[2]))["issued"]
log = open(sys.argv[1], encoding="utf-8", errors="replace").read()
leaked = [t[:12] for t in issued if t in log]
if leaked or not issued:
    print("tokens in the log:", leaked or "no tokens issued?")
    sys.exit(1)
print(len(issued), "issued tokens, none in the gateway log")
EOF
' _ "$PYTHON" "$OAUTH_DIR/gateway.log" "$OAUTH_DIR/issued.json"
