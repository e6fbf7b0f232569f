# Shared functions of the Portcullis interop suite: results, timeouts, test PKI, Dovecot and gateway
# lifecycle. Sourced by interop/run; not executable on its own. Bash, `set -euo pipefail` friendly.

# ---------------------------------------------------------------------------------------------------
# Settings (all overridable from the environment; documented in docs/interop.md)
# ---------------------------------------------------------------------------------------------------
INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$INTEROP_DIR/.." && pwd)
LIB_DIR="$INTEROP_DIR/lib"
WORK="${INTEROP_WORK:-$INTEROP_DIR/target/run}"
# gateway: clients talk to ./portcullis in front of Dovecot. dovecot: clients talk to Dovecot's own TLS
# listeners (used to validate the suite itself before the gateway exists). Default: gateway when the
# launcher exists.
if [[ -z "${INTEROP_TARGET:-}" ]]; then
  if [[ -x "$REPO_DIR/portcullis" ]]; then INTEROP_TARGET=gateway; else INTEROP_TARGET=dovecot; fi
fi
# Whether the gateway serves IMAP; when 0, IMAP checks run only in dovecot mode. Default: 1 once the
# gateway has its IMAP front end (the imap package exists in the source tree).
if [[ -z "${INTEROP_GATEWAY_IMAP:-}" ]]; then
  if [[ -d "$REPO_DIR/gateway/src/main/java/io/portcullis/gateway/imap" ]]; then
    INTEROP_GATEWAY_IMAP=1
  else
    INTEROP_GATEWAY_IMAP=0
  fi
fi
INTEROP_MESSAGES="${INTEROP_MESSAGES:-210}"
INTEROP_KEY_TYPE="${INTEROP_KEY_TYPE:-ec}"
# Upper bound for any single client call (fetchmail of the whole maildir included).
CLIENT_TIMEOUT="${INTEROP_CLIENT_TIMEOUT:-120}"
GATEWAY_START_TIMEOUT="${INTEROP_GATEWAY_START_TIMEOUT:-300}"
PYTHON="${PYTHON:-python3}"

MAIL_USER=pcuser
MAIL_PASS='Pc-interop-secret-1'

PASSED=0
FAILED=0
FAILED_NAMES=()

# ---------------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------------
section() { printf '\n==== %s ====\n' "$*"; }
info() { printf '  .. %s\n' "$*"; }

pass() {
  PASSED=$((PASSED + 1))
  printf 'PASS %s [%s]\n' "$1" "$INTEROP_TARGET"
}

fail() {
  FAILED=$((FAILED + 1))
  FAILED_NAMES+=("$1")
  printf 'FAIL %s [%s]: %s\n' "$1" "$INTEROP_TARGET" "${2:-failed}"
}

# check NAME CMD...: runs CMD with the client timeout; PASS on exit 0, FAIL with the last output line.
check() {
  local name=$1
  shift
  local out
  mkdir -p "$WORK/logs"
  if out=$(timeout "$CLIENT_TIMEOUT" "$@" 2>&1); then
    printf '%s\n' "$out" >"$WORK/logs/$name.log"
    pass "$name"
  else
    local rc=$?
    [[ $rc -eq 124 ]] && out="timed out after ${CLIENT_TIMEOUT}s"
    printf '%s\n' "$out" >"$WORK/logs/$name.log"
    fail "$name" "$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
  fi
}

summary() {
  printf '\n(%d s)\n' "$SECONDS"
  if ((FAILED > 0)); then
    printf 'failed checks: %s\n' "${FAILED_NAMES[*]}"
  fi
  printf 'interop: %d passed, %d failed\n' "$PASSED" "$FAILED"
}

# die WHY: setup failed; counts as one failure so that the summary line is still the last line.
die() {
  printf 'interop: setup failed: %s\n' "$*" >&2
  fail setup "$*"
  teardown
  summary
  exit 2
}

# ---------------------------------------------------------------------------------------------------
# Ports
# ---------------------------------------------------------------------------------------------------
# free_ports N: prints N distinct free loopback TCP ports (the kernel picks them).
free_ports() {
  "$PYTHON" - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# wait_port PORT SECONDS [PID]: waits until 127.0.0.1:PORT accepts a connection; fails early if PID died.
wait_port() {
  local port=$1 deadline=$((SECONDS + $2)) pid=${3:-}
  while ((SECONDS < deadline)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.2
  done
  return 1
}

# ---------------------------------------------------------------------------------------------------
# Working directory
# ---------------------------------------------------------------------------------------------------
# As root, Dovecot's mail processes run as the system user pcinterop (Dovecot gives no mail access to
# uid 0), which must reach the Maildir through every parent directory. A checkout under /root is not
# reachable: then the working directory moves to a fresh directory under /tmp.
setup_workdir() {
  mkdir -p "$WORK"
  if [[ $(id -u) -eq 0 ]]; then
    id pcinterop >/dev/null 2>&1 ||
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pcinterop
    if ! runuser -u pcinterop -- test -x "$WORK"; then
      WORK=$(mktemp -d /tmp/portcullis-interop.XXXXXX)
      chmod 755 "$WORK"
      info "the checkout is not reachable by user pcinterop: working directory is $WORK"
    fi
  fi
}

# ---------------------------------------------------------------------------------------------------
# Maildir
# ---------------------------------------------------------------------------------------------------
setup_maildir() {
  section "Maildir: generating $INTEROP_MESSAGES messages"
  rm -rf "$WORK/maildir" "$WORK/originals"
  "$PYTHON" "$LIB_DIR/gen_maildir.py" "$WORK/maildir" "$INTEROP_MESSAGES"
  # Dovecot renames files in cur/ (adds ,S= etc. never, but flags may change): keep a pristine copy.
  cp -r "$WORK/maildir/cur" "$WORK/originals"
}

# ---------------------------------------------------------------------------------------------------
# Test PKI: a CA and a server certificate for localhost / 127.0.0.1
# ---------------------------------------------------------------------------------------------------
setup_pki() {
  section "PKI: test CA and server certificate ($INTEROP_KEY_TYPE)"
  # What a real deployment has: 90 days (testssl.sh rates < 30 days HIGH) and a CRL distribution point
  # (rated HIGH when absent). Nothing ever fetches the CRL: clients here do not check revocation.
  local d="$WORK/pki"
  rm -rf "$d" && mkdir -p "$d"
  local keyopts=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256)
  [[ "$INTEROP_KEY_TYPE" == rsa ]] && keyopts=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048)
  openssl genpkey "${keyopts[@]}" -out "$d/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$d/ca.key" -sha256 -days 365 -subj "/CN=Portcullis Interop Test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$d/ca.crt"
  openssl genpkey "${keyopts[@]}" -out "$d/server.key" 2>/dev/null
  openssl req -new -key "$d/server.key" -subj "/CN=localhost" -out "$d/server.csr"
  cat >"$d/server.ext" <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
crlDistributionPoints=URI:http://localhost/portcullis-interop-ca.crl
EOF
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -sha256 -days 90 -extfile "$d/server.ext" -out "$d/server.crt" 2>/dev/null
  chmod 600 "$d"/*.key
  openssl verify -CAfile "$d/ca.crt" "$d/server.crt" >/dev/null || die "generated certificate does not verify"
  CA_CERT="$d/ca.crt"
  SERVER_CERT="$d/server.crt"
  SERVER_KEY="$d/server.key"
  info "CA $CA_CERT, server certificate $SERVER_CERT (SAN localhost, 127.0.0.1)"
}

# ---------------------------------------------------------------------------------------------------
# Dovecot (own config dir, loopback high ports, no system config, no systemd)
# ---------------------------------------------------------------------------------------------------
DOVECOT_PID=""

setup_dovecot() {
  section "Dovecot: starting on loopback"
  command -v dovecot >/dev/null || die "dovecot not installed (apt-get install dovecot-core dovecot-pop3d dovecot-imapd)"
  local d="$WORK/dovecot"
  rm -rf "$d" && mkdir -p "$d/home"
  read -r DOVECOT_POP3_PORT DOVECOT_IMAP_PORT DOVECOT_POP3S_PORT DOVECOT_IMAPS_PORT < <(free_ports 4)

  # Dovecot never gives mail access to uid 0 and its login processes refuse to run as root, so as root
  # the mail store belongs to a dedicated system user; run by hand as a normal user, everything is that user.
  local mail_uid mail_gid login_user internal_user service_user
  if [[ $(id -u) -eq 0 ]]; then
    mail_uid=$(id -u pcinterop)
    mail_gid=$(id -g pcinterop)
    login_user=dovenull
    internal_user=dovecot
    # auth reads the passwd-file inside the working directory; as root that needs no path permissions.
    service_user=root
    chown -R pcinterop: "$WORK/maildir" "$d/home"
    # The mail process must be able to reach the maildir through every parent directory.
    if ! runuser -u pcinterop -- test -w "$WORK/maildir/cur"; then
      die "user pcinterop cannot reach $WORK/maildir (a parent directory is not world-searchable); set INTEROP_WORK to a directory under /tmp"
    fi
  else
    mail_uid=$(id -u)
    mail_gid=$(id -g)
    login_user=$(id -un)
    internal_user=$(id -un)
    service_user=$(id -un)
  fi

  printf '%s:{PLAIN}%s::::::\n' "$MAIL_USER" "$MAIL_PASS" >"$d/passwd"
  chmod 600 "$d/passwd"

  # XOAUTH2/OAUTHBEARER (the oauth group): JWTs from interop/lib/oauth_server.py, validated locally
  # with the shared HS256 secret. Dovecot looks up shared/<azp>/<alg>/<kid> (azp and kid default to
  # "default"); the fs dict stores shared/ keys directly under its prefix.
  OAUTH_SECRET_FILE="$d/oauth-hs256.secret"
  head -c 32 /dev/urandom >"$OAUTH_SECRET_FILE"
  mkdir -p "$d/oauth-keys/default/HS256"
  base64 -w0 "$OAUTH_SECRET_FILE" >"$d/oauth-keys/default/HS256/default"
  printf 'introspection_mode = local\nlocal_validation_key_dict = fs:posix:prefix=%s/\nusername_attribute = sub\n' \
    "$d/oauth-keys" >"$d/oauth2.conf.ext"

  local tls_listeners_pop3="" tls_listeners_imap=""
  if [[ "$INTEROP_TARGET" == dovecot ]]; then
    tls_listeners_pop3="inet_listener pop3s {
    port = $DOVECOT_POP3S_PORT
    ssl = yes
  }"
    tls_listeners_imap="inet_listener imaps {
    port = $DOVECOT_IMAPS_PORT
    ssl = yes
  }"
  fi

  cat >"$d/dovecot.conf" <<EOF
# Generated by interop/lib/common.sh for one interop run. Nothing here touches /etc/dovecot.
instance_name = portcullis-interop-$$
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = pop3 imap
listen = 127.0.0.1
# STLS/STARTTLS offered on the plain ports; pop3s/imaps listeners exist only when Dovecot is the target.
ssl = yes
ssl_cert = <$SERVER_CERT
ssl_key = <$SERVER_KEY
ssl_min_protocol = TLSv1.2
ssl_prefer_server_ciphers = yes
ssl_cipher_list = ECDHE+AESGCM:ECDHE+CHACHA20
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
first_valid_uid = $mail_uid
default_login_user = $login_user
default_internal_user = $internal_user
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $d/oauth2.conf.ext
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/passwd
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$d/home/%u
}
mail_location = maildir:$WORK/maildir
pop3_uidl_format = %08Xu%08Xv
service auth {
  user = $service_user
}
service auth-worker {
  user = $service_user
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    port = $DOVECOT_POP3_PORT
  }
  $tls_listeners_pop3
}
service imap-login {
  chroot =
  inet_listener imap {
    port = $DOVECOT_IMAP_PORT
  }
  $tls_listeners_imap
}
EOF
  # Foreground (-F) as our own child: its pid is known at once, and no daemon outlives the suite.
  dovecot -F -c "$d/dovecot.conf" </dev/null >"$d/dovecot.out" 2>&1 &
  DOVECOT_PID=$!
  if ! { wait_port "$DOVECOT_POP3_PORT" 20 "$DOVECOT_PID" && wait_port "$DOVECOT_IMAP_PORT" 20 "$DOVECOT_PID"; }; then
    cat "$d/dovecot.out" "$d/dovecot.log" >&2 2>/dev/null || true
    die "dovecot is not listening (see $d/dovecot.log)"
  fi
  info "Dovecot $(dovecot --version | cut -d' ' -f1) pid $DOVECOT_PID: pop3 $DOVECOT_POP3_PORT imap $DOVECOT_IMAP_PORT"
}

stop_dovecot() {
  [[ -n "$DOVECOT_PID" ]] || return 0
  kill "$DOVECOT_PID" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  while kill -0 "$DOVECOT_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  kill -9 "$DOVECOT_PID" 2>/dev/null || true
  DOVECOT_PID=""
}

# ---------------------------------------------------------------------------------------------------
# The system under test: endpoint variables used by every check
#   POP3S_PORT POP3_STLS_PORT IMAPS_PORT IMAP_STARTTLS_PORT   (TLS endpoints clients use)
#   IMAP_ENABLED=1 when IMAP checks apply
# ---------------------------------------------------------------------------------------------------
GATEWAY_PID=""

setup_target() {
  if [[ "$INTEROP_TARGET" == dovecot ]]; then
    section "Target: Dovecot directly (no gateway)"
    POP3S_PORT=$DOVECOT_POP3S_PORT
    POP3_STLS_PORT=$DOVECOT_POP3_PORT
    IMAPS_PORT=$DOVECOT_IMAPS_PORT
    IMAP_STARTTLS_PORT=$DOVECOT_IMAP_PORT
    IMAP_ENABLED=1
    if ! { wait_port "$POP3S_PORT" 20 && wait_port "$IMAPS_PORT" 20; }; then
      die "dovecot TLS listeners are not up"
    fi
    return 0
  fi
  [[ "$INTEROP_TARGET" == gateway ]] || die "INTEROP_TARGET must be gateway or dovecot"
  section "Target: Portcullis gateway in front of Dovecot"
  [[ -x "$REPO_DIR/portcullis" ]] || die "launcher $REPO_DIR/portcullis not found"
  local g="$WORK/gateway"
  rm -rf "$g" && mkdir -p "$g/data"
  read -r POP3S_PORT POP3_STLS_PORT IMAPS_PORT IMAP_STARTTLS_PORT < <(free_ports 4)
  local args=(serve
    --listen "pop3s://127.0.0.1:$POP3S_PORT"
    --listen "pop3+starttls://127.0.0.1:$POP3_STLS_PORT"
    --upstream "pop3://127.0.0.1:$DOVECOT_POP3_PORT")
  IMAP_ENABLED=0
  if [[ "$INTEROP_GATEWAY_IMAP" == 1 ]]; then
    IMAP_ENABLED=1
    args+=(--listen "imaps://127.0.0.1:$IMAPS_PORT"
      --listen "imap+starttls://127.0.0.1:$IMAP_STARTTLS_PORT"
      --upstream "imap://127.0.0.1:$DOVECOT_IMAP_PORT")
  fi
  args+=(--cert "$SERVER_CERT" --key "$SERVER_KEY" --data-dir "$g/data")
  info "./portcullis ${args[*]}"
  # Own session (setsid) so that teardown can end the launcher and its JVM as one process group.
  (cd "$REPO_DIR" && exec setsid ./portcullis "${args[@]}" </dev/null >"$g/gateway.log" 2>&1) &
  GATEWAY_PID=$!
  local p
  for p in "$POP3S_PORT" "$POP3_STLS_PORT" $([[ $IMAP_ENABLED == 1 ]] && echo "$IMAPS_PORT $IMAP_STARTTLS_PORT"); do
    if ! wait_port "$p" "$GATEWAY_START_TIMEOUT" "$GATEWAY_PID"; then
      tail -n 40 "$g/gateway.log" >&2 || true
      die "gateway is not listening on $p (log: $g/gateway.log)"
    fi
  done
  info "gateway pid $GATEWAY_PID: pop3s $POP3S_PORT pop3+starttls $POP3_STLS_PORT" \
    "$([[ $IMAP_ENABLED == 1 ]] && echo "imaps $IMAPS_PORT imap+starttls $IMAP_STARTTLS_PORT")"
}

stop_gateway() {
  [[ -n "$GATEWAY_PID" ]] || return 0
  kill -TERM -- "-$GATEWAY_PID" 2>/dev/null || kill -TERM "$GATEWAY_PID" 2>/dev/null || true
  local deadline=$((SECONDS + 20))
  while kill -0 "$GATEWAY_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  kill -KILL -- "-$GATEWAY_PID" 2>/dev/null || true
  GATEWAY_PID=""
}

teardown() {
  if declare -F stop_oauth >/dev/null; then stop_oauth; fi
  stop_gateway
  stop_dovecot
}

# The gateway must never log a credential (DESIGN.md security invariants): after it stopped, its whole
# log is searched for the password, as is and in the base64 forms that SASL PLAIN and LOGIN carry.
check_gateway_log_has_no_password() {
  [[ "$INTEROP_TARGET" == gateway && -f "$WORK/gateway/gateway.log" ]] || return 0
  local forms=("$MAIL_PASS" "$(printf '%s' "$MAIL_PASS" | base64 -w0)"
    "$(printf '\0%s\0%s' "$MAIL_USER" "$MAIL_PASS" | base64 -w0)")
  local f
  for f in "${forms[@]}"; do
    if grep -qF -- "$f" "$WORK/gateway/gateway.log"; then
      fail gateway-log-has-no-password "the password (or its base64 form) is in gateway/gateway.log"
      return 0
    fi
  done
  # Not vacuous: the log is the gateway's (the CLI contract prints "listening" per listener).
  if grep -q 'listening' "$WORK/gateway/gateway.log"; then
    pass gateway-log-has-no-password
  else
    fail gateway-log-has-no-password "no 'listening' line in gateway/gateway.log: was it the gateway's log?"
  fi
}
