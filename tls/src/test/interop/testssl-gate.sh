#!/bin/sh
# Runs testssl.sh (Debian package "testssl.sh") against one TLS listener and fails on any finding rated
# HIGH or CRITICAL. Usage: testssl-gate.sh HOST:PORT CA_PEM REPORT_DIR
# Example, with the test listener of the tls module:
#   java -cp "$CP" io.portcullis.tls.InteropServer OPENSSL 9993 target/interop &
#   tls/src/test/interop/testssl-gate.sh localhost:9993 target/interop/ca.pem target/testssl
set -eu
target=$1
ca=$2
out=$3
mkdir -p "$out"
rm -f "$out/testssl.json" "$out/testssl.txt"
# --ip: the listener is on loopback; --add-ca: the test CA, so the chain of trust is judged, not waived.
testssl --quiet --warnings batch --color 0 --ip 127.0.0.1 --add-ca "$ca" \
  --jsonfile "$out/testssl.json" "$target" >"$out/testssl.txt" 2>&1 || true
if [ ! -s "$out/testssl.json" ]; then
  echo "testssl produced no report; see $out/testssl.txt" >&2
  exit 2
fi
bad=$(grep -E '"severity" *: *"(HIGH|CRITICAL)"' "$out/testssl.json" | wc -l)
grep -E '"severity" *: *"(MEDIUM|HIGH|CRITICAL)"' -B3 -A1 "$out/testssl.json" | grep -E '"id"|"finding"' || true
if [ "$bad" -ne 0 ]; then
  echo "testssl: $bad finding(s) rated HIGH or CRITICAL (report: $out/testssl.txt)" >&2
  exit 1
fi
echo "testssl: no finding rated HIGH or CRITICAL (report: $out/testssl.txt)"
