"""A small OpenID Connect provider for the tests, run as its own process: ``python -m tests.sso.oidc_provider PORT``.

It signs ID tokens (RS256) with a key made at start, publishes it in its JWKS, approves every sign-in at
once (authorization code + PKCE) and answers as ``POST /control`` last told it: who signs in, their
groups, and one misbehaviour to test the client against (wrong_key, wrong_audience, expired, bad_nonce).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID, CLIENT_SECRET = "unison-test-client", "s3cret-of-the-client"
KEY, OTHER_KEY = (rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2))
STATE = {"email": "pat@idp.example.com", "name": "Pat Sso", "groups": ["staff"], "mode": ""}
CODES: dict[str, dict] = {}


def _jwk() -> dict:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    return {**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def _json(self, body, status: int = 200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _form(self) -> dict:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if self.headers.get("Content-Type", "").startswith("application/json"):
            return json.loads(raw or "{}")
        return {k: v[0] for k, v in parse_qs(raw).items()}

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            return self._json(
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": self.issuer + "/authorize",
                    "token_endpoint": self.issuer + "/token",
                    "jwks_uri": self.issuer + "/jwks",
                    "response_types_supported": ["code"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"],
                }
            )
        if url.path == "/jwks":
            return self._json({"keys": [_jwk()]})
        if url.path == "/authorize":
            if query.get("client_id") != CLIENT_ID or query.get("code_challenge_method") != "S256":
                return self._json({"error": "invalid_request"}, 400)
            code = secrets.token_urlsafe(16)
            CODES[code] = {**query, "who": dict(STATE)}
            self.send_response(302)
            self.send_header(
                "Location", f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
            )
            self.end_headers()
            return None
        return self._json({"error": "not_found"}, 404)

    def do_POST(self):
        path = urlparse(self.path).path
        form = self._form()
        if path == "/control":
            STATE.update(form)
            return self._json(STATE)
        if path != "/token":
            return self._json({"error": "not_found"}, 404)
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self._json({"error": "invalid_client"}, 401)
        grant = CODES.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri") or grant["code_challenge"] != challenge:
            return self._json({"error": "invalid_grant"}, 400)
        who, now = grant["who"], int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": who["email"],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            "email": who["email"],
            "email_verified": True,
            "name": who["name"],
            "groups": who["groups"],
        }
        mode = who.get("mode")
        if mode == "wrong_audience":
            claims["aud"] = "another-client"
        elif mode == "expired":
            claims.update(iat=now - 3600, exp=now - 600)
        elif mode == "bad_nonce":
            claims["nonce"] = "not-the-nonce"
        key = OTHER_KEY if mode == "wrong_key" else KEY
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
        return self._json({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "id_token": token})


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print("ready", flush=True)
    server.serve_forever()
