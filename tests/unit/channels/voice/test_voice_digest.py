"""Digest authentication: RFC 2617 reference vector, our challenges and stale nonces."""

from __future__ import annotations

from omnicenter.channels.voice.sip.digest import (
    DigestAuthenticator,
    client_authorization,
    digest_response,
    parse_auth_params,
)


def test_rfc2617_example_vector() -> None:
    response = digest_response(
        username="Mufasa",
        password="Circle Of Life",
        realm="testrealm@host.com",
        nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
        method="GET",
        uri="/dir/index.html",
        qop="auth",
        nc="00000001",
        cnonce="0a4f113b",
    )
    assert response == "6629fae49393a05397450978507c4ef1"


def test_parse_keeps_commas_inside_quotes() -> None:
    scheme, params = parse_auth_params('Digest realm="a, b", nonce="n", qop="auth,auth-int"')
    assert scheme == "digest"
    assert params == {"realm": "a, b", "nonce": "n", "qop": "auth,auth-int"}


def test_a_phone_answering_our_challenge_is_accepted() -> None:
    now = [1000.0]
    auth = DigestAuthenticator("omnicenter", {"agent1": "secret"}.get, clock=lambda: now[0])
    header = client_authorization(
        auth.challenge(),
        method="REGISTER",
        uri="sip:127.0.0.1",
        username="agent1",
        password="secret",
    )
    assert auth.verify(header, "REGISTER").username == "agent1"
    assert auth.verify(header, "INVITE").username is None  # method is signed
    wrong = client_authorization(
        auth.challenge(), method="REGISTER", uri="sip:127.0.0.1", username="agent1", password="x"
    )
    assert auth.verify(wrong, "REGISTER").username is None
    unknown = header.replace('username="agent1"', 'username="nobody"')
    assert auth.verify(unknown, "REGISTER").username is None
    now[0] += 301
    result = auth.verify(header, "REGISTER")
    assert result.username is None and result.stale


def test_forged_nonce_is_refused() -> None:
    auth = DigestAuthenticator("omnicenter", {"agent1": "secret"}.get)
    other = DigestAuthenticator("omnicenter", {"agent1": "secret"}.get)
    header = client_authorization(
        other.challenge(), method="REGISTER", uri="sip:h", username="agent1", password="secret"
    )
    assert auth.verify(header, "REGISTER").username is None
    assert auth.verify(None, "REGISTER").username is None
    assert auth.verify("Basic abc", "REGISTER").username is None
