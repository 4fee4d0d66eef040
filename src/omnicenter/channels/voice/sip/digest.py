"""HTTP digest authentication for SIP (RFC 2617 / RFC 7616 MD5, qop=auth; RFC 3261 22).

Nonces are stateless: a timestamp signed with a per-process secret, so any number of agent
phones can register without the endpoint storing a nonce per phone.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "DigestAuthenticator",
    "DigestResult",
    "client_authorization",
    "digest_response",
    "parse_auth_params",
]

_PARAM = re.compile(r'\s*([A-Za-z0-9\-_]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]+)\s*,?')


def parse_auth_params(value: str) -> tuple[str, dict[str, str]]:
    """`Digest realm="x", nonce="y"` -> ("digest", {"realm": "x", "nonce": "y"})."""
    scheme, _, rest = value.strip().partition(" ")
    params: dict[str, str] = {}
    for m in _PARAM.finditer(rest):
        raw = m.group(2)
        if raw.startswith('"'):
            raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        params[m.group(1).lower()] = raw
    return scheme.lower(), params


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def digest_response(
    *,
    username: str,
    password: str,
    realm: str,
    nonce: str,
    method: str,
    uri: str,
    qop: str | None = None,
    nc: str = "00000001",
    cnonce: str = "",
) -> str:
    ha1 = _md5(f"{username}:{realm}:{password}")
    ha2 = _md5(f"{method}:{uri}")
    if qop:
        return _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return _md5(f"{ha1}:{nonce}:{ha2}")


def client_authorization(
    challenge: str, *, method: str, uri: str, username: str, password: str
) -> str:
    """The Authorization value answering a `WWW-Authenticate`/`Proxy-Authenticate` challenge."""
    _, params = parse_auth_params(challenge)
    realm = params.get("realm", "")
    nonce = params.get("nonce", "")
    qop = "auth" if "auth" in params.get("qop", "").split(",") else None
    cnonce = os.urandom(8).hex()
    response = digest_response(
        username=username,
        password=password,
        realm=realm,
        nonce=nonce,
        method=method,
        uri=uri,
        qop=qop,
        cnonce=cnonce,
    )
    parts = [
        f'username="{username}"',
        f'realm="{realm}"',
        f'nonce="{nonce}"',
        f'uri="{uri}"',
        f'response="{response}"',
        "algorithm=MD5",
    ]
    if qop:
        parts += [f"qop={qop}", "nc=00000001", f'cnonce="{cnonce}"']
    if "opaque" in params:
        parts.append(f'opaque="{params["opaque"]}"')
    return "Digest " + ", ".join(parts)


@dataclass(frozen=True, slots=True)
class DigestResult:
    username: str | None  # set when the credentials are right
    stale: bool = False  # right password, expired nonce: the phone retries silently


class DigestAuthenticator:
    """Issues challenges and checks answers against a password lookup."""

    def __init__(
        self,
        realm: str,
        passwords: Callable[[str], str | None],
        *,
        nonce_ttl: float = 300.0,
        secret: bytes | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.realm = realm
        self._passwords = passwords
        self._ttl = nonce_ttl
        self._secret = secret or os.urandom(16)
        self._clock = clock

    def _sign(self, stamp: str) -> str:
        return hmac.new(self._secret, stamp.encode(), hashlib.sha256).hexdigest()[:24]

    def nonce(self) -> str:
        stamp = f"{int(self._clock()):x}"
        return f"{stamp}.{self._sign(stamp)}"

    def challenge(self, *, stale: bool = False) -> str:
        value = f'Digest realm="{self.realm}", nonce="{self.nonce()}", algorithm=MD5, qop="auth"'
        return value + (", stale=true" if stale else "")

    def _nonce_state(self, nonce: str) -> str:
        stamp, _, signature = nonce.partition(".")
        if not hmac.compare_digest(signature, self._sign(stamp)):
            return "forged"
        try:
            issued = int(stamp, 16)
        except ValueError:
            return "forged"
        return "fresh" if self._clock() - issued <= self._ttl else "stale"

    def verify(self, authorization: str | None, method: str) -> DigestResult:
        if not authorization:
            return DigestResult(None)
        scheme, params = parse_auth_params(authorization)
        username = params.get("username")
        if scheme != "digest" or not username or params.get("realm") != self.realm:
            return DigestResult(None)
        if params.get("algorithm", "MD5").upper() != "MD5":
            return DigestResult(None)
        state = self._nonce_state(params.get("nonce", ""))
        password = self._passwords(username)
        if state == "forged" or password is None:
            return DigestResult(None)
        qop = params.get("qop")
        expected = digest_response(
            username=username,
            password=password,
            realm=self.realm,
            nonce=params["nonce"],
            method=method,
            uri=params.get("uri", ""),
            qop=qop,
            nc=params.get("nc", ""),
            cnonce=params.get("cnonce", ""),
        )
        if not hmac.compare_digest(expected, params.get("response", "")):
            return DigestResult(None)
        if state == "stale":
            return DigestResult(None, stale=True)
        return DigestResult(username)
