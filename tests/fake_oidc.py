"""A small OpenID Connect provider for tests, on 127.0.0.1 in a thread of the test process.

It speaks just enough of the authorisation code flow for mozilla-django-oidc: /authorize answers
at once with a code for whoever `provider.person` says is signed in there, /token checks the client,
the redirect URI and PKCE and returns an RS256 ID token, /jwks publishes the key and /userinfo the
claims. Tests change `person`, `signing_key` or `extra_claims` to play a misbehaving provider.
Every person and organisation it is given is invented.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "ecm-test-client"
CLIENT_SECRET = "fake-provider-client-secret"  # noqa: S105 - a test provider's invented secret
KEY_ID = "fake-key-1"


def new_signing_key() -> RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakePerson:
    """Who is signed in at the provider."""

    email: str
    email_verified: Any = True
    sub: str = field(default_factory=lambda: secrets.token_hex(8))
    amr: list[str] = field(default_factory=lambda: ["pwd"])


@dataclass
class _Grant:
    claims: dict[str, Any]
    redirect_uri: str
    code_challenge: str


class FakeOidcProvider:
    def __init__(self) -> None:
        self.key = new_signing_key()  # published at /jwks
        self.signing_key = self.key  # what ID tokens are signed with: set another to forge them
        self.person: FakePerson | None = None
        self.extra_claims: dict[str, Any] = {}  # merged into the next ID tokens (to spoil aud, nonce...)
        self.token_requests: list[dict[str, str]] = []
        self._grants: dict[str, _Grant] = {}
        self._userinfo: dict[str, dict[str, Any]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-oidc", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeOidcProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def settings_entry(self, *, agency: str, label: str, **overrides: Any) -> dict[str, Any]:
        """This provider as one entry of ECM_OIDC_PROVIDERS."""
        return {
            "agency": agency,
            "label": label,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_endpoint": f"{self.url}/jwks",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "sign_algo": "RS256",
            "issuer": self.url,
            **overrides,
        }

    # The endpoints, called from the handler thread.

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code" or self.person is None:
            return 400, {}, b"invalid_request"
        code = secrets.token_urlsafe(16)
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "sub": self.person.sub,
            "email": self.person.email,
            "email_verified": self.person.email_verified,
            "amr": self.person.amr,
            "nonce": query.get("nonce", ""),
            "iat": now,
            "exp": now + 300,
        }
        self._grants[code] = _Grant(claims, query.get("redirect_uri", ""), query.get("code_challenge", ""))
        location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        return 302, {"Location": location}, b""

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.token_requests.append(form)
        grant = self._grants.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if (
            grant is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != grant.redirect_uri
            or challenge != grant.code_challenge
        ):
            return 400, {"Content-Type": "application/json"}, b'{"error": "invalid_grant"}'
        claims = {**grant.claims, **self.extra_claims}
        id_token = jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": KEY_ID})
        access_token = secrets.token_urlsafe(16)
        self._userinfo[access_token] = {
            key: claims[key] for key in ("sub", "email", "email_verified") if key in grant.claims
        }
        body = {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    def jwks(self) -> tuple[int, dict[str, str], bytes]:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        body = {"keys": [{**jwk, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    def userinfo(self, authorization: str) -> tuple[int, dict[str, str], bytes]:
        claims = self._userinfo.get(authorization.removeprefix("Bearer "))
        if claims is None:
            return 401, {}, b""
        return 200, {"Content-Type": "application/json"}, json.dumps(claims).encode()


def _handler_for(provider: FakeOidcProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            if url.path == "/authorize":
                self._answer(*provider.authorize(query))
            elif url.path == "/jwks":
                self._answer(*provider.jwks())
            elif url.path == "/userinfo":
                self._answer(*provider.userinfo(self.headers.get("Authorization", "")))
            else:
                self._answer(404, {}, b"")

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path == "/token":
                self._answer(*provider.token(form))
            else:
                self._answer(404, {}, b"")

        def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet in test output
            pass

    return Handler
