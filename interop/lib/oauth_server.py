#!/usr/bin/env python3
"""A small OAuth2 authorization server for the interop suite (loopback HTTP, stdlib only).

Device endpoint (RFC 8628, consent given at the second poll), token endpoint (device_code and
refresh_token with strict rotation), HS256 JWT access tokens that Dovecot's passdb oauth2 validates
locally with the same secret, and two admin endpoints: GET /admin/stats, POST /admin/revoke.
It stands in for Google and Microsoft, which the suite cannot reach.

Usage: oauth_server.py PORT SECRET_FILE SUBJECT ACCESS_TOKEN_LIFETIME_SECONDS
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
SECRET = open(sys.argv[2], "rb").read()
SUBJECT = sys.argv[3]
LIFETIME = int(sys.argv[4])
CLIENT_ID = "portcullis-interop"

lock = threading.Lock()
devices = {}          # device_code -> polls so far
refresh_tokens = set()
issued = []           # every token handed out, for the "never logged" check
stats = {"device": 0, "device_grants": 0, "refreshes": 0, "refused": 0}


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt():
    now = int(time.time())
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps({"sub": SUBJECT, "iat": now, "nbf": now, "exp": now + LIFETIME,
                              "iss": "portcullis-interop", "jti": b64(os.urandom(9))}).encode())
    signature = b64(hmac.new(SECRET, (header + "." + payload).encode(), hashlib.sha256).digest())
    return header + "." + payload + "." + signature


def tokens():
    access, refresh = jwt(), "rt-" + b64(os.urandom(24))
    refresh_tokens.add(refresh)
    issued.extend([access, refresh])
    return {"access_token": access, "token_type": "Bearer", "expires_in": LIFETIME,
            "refresh_token": refresh, "scope": "mail offline_access"}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def form(self):
        length = int(self.headers.get("Content-Length", "0"))
        return dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))

    def do_GET(self):
        if self.path == "/admin/stats":
            with lock:
                self.reply(200, dict(stats, issued=issued, live=len(refresh_tokens)))
        else:
            self.reply(404, {"error": "not_found"})

    def do_POST(self):
        with lock:
            if self.path == "/admin/revoke":
                refresh_tokens.clear()
                return self.reply(200, {})
            f = self.form()
            if f.get("client_id") != CLIENT_ID:
                return self.reply(401, {"error": "invalid_client"})
            if self.path == "/device":
                stats["device"] += 1
                code = b64(os.urandom(18))
                devices[code] = 0
                return self.reply(200, {"device_code": code, "user_code": "INTR-OPAB",
                                        "verification_uri": "http://127.0.0.1:%d/activate" % PORT,
                                        "expires_in": 300, "interval": 1})
            if self.path != "/token":
                return self.reply(404, {"error": "not_found"})
            grant = f.get("grant_type")
            if grant == "urn:ietf:params:oauth:grant-type:device_code":
                code = f.get("device_code")
                if code not in devices:
                    return self.reply(400, {"error": "invalid_grant"})
                devices[code] += 1
                if devices[code] < 2:  # the user consents while the first poll waits
                    return self.reply(400, {"error": "authorization_pending"})
                del devices[code]
                stats["device_grants"] += 1
                return self.reply(200, tokens())
            if grant == "refresh_token":
                old = f.get("refresh_token")
                if old not in refresh_tokens:
                    stats["refused"] += 1
                    return self.reply(400, {"error": "invalid_grant"})
                refresh_tokens.discard(old)  # strict rotation: the old one is dead now
                stats["refreshes"] += 1
                return self.reply(200, tokens())
            return self.reply(400, {"error": "unsupported_grant_type"})


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
