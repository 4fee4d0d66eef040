"""X-Hub-Signature-256 over the raw body, and the subscription handshake."""

from __future__ import annotations

import json

import pytest

from omnicenter.channels.errors import ChannelError
from omnicenter.channels.meta import sign_body, verify_handshake, verify_signature
from tests.unit.channels.fixtures import fixtures_of

SECRET = "meta-app-secret"
BODY = (fixtures_of("whatsapp") / "text_message.json").read_bytes()


def test_the_signature_of_the_raw_body_is_accepted() -> None:
    verify_signature(SECRET, BODY, sign_body(SECRET, BODY))


def test_it_is_hex_hmac_sha256_prefixed_with_the_algorithm() -> None:
    # RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert sign_body("Jefe", b"what do ya want for nothing?") == f"sha256={expected}"


def test_one_byte_off_is_refused() -> None:
    header = sign_body(SECRET, BODY)
    tampered = BODY.replace(b"100234", b"100235")
    with pytest.raises(ChannelError) as info:
        verify_signature(SECRET, tampered, header)
    assert info.value.status == 403
    flipped = header[:-1] + ("0" if header[-1] != "0" else "1")
    with pytest.raises(ChannelError):
        verify_signature(SECRET, BODY, flipped)


@pytest.mark.parametrize("header", [None, "", "sha1=abc", "sha256="])
def test_a_missing_or_malformed_header_is_refused(header: str | None) -> None:
    with pytest.raises(ChannelError) as info:
        verify_signature(SECRET, BODY, header)
    assert info.value.status == 403


def test_another_secret_is_refused() -> None:
    with pytest.raises(ChannelError, match="invalid"):
        verify_signature(SECRET, BODY, sign_body("another-secret", BODY))


def test_re_serialised_json_does_not_verify() -> None:
    # Meta signs the bytes it sent (non-ASCII escaped as \\uXXXX); the same JSON written
    # again with the characters themselves is other bytes, so only the raw body verifies.
    sent = json.dumps(json.loads(BODY), ensure_ascii=True).encode()
    header = sign_body(SECRET, sent)
    verify_signature(SECRET, sent, header)
    again = json.dumps(json.loads(sent), ensure_ascii=False).encode()
    assert json.loads(again) == json.loads(sent) and again != sent
    with pytest.raises(ChannelError):
        verify_signature(SECRET, again, header)


def test_no_secret_configured_refuses_everything() -> None:
    with pytest.raises(ChannelError, match="OMNICENTER_META_APP_SECRET") as info:
        verify_signature("", BODY, sign_body("", BODY))
    assert info.value.status == 503


def test_the_handshake_echoes_the_challenge() -> None:
    assert verify_handshake("verify-me", "subscribe", "verify-me", "1158201444") == "1158201444"


@pytest.mark.parametrize(
    ("mode", "token", "challenge", "status"),
    [
        ("subscribe", "wrong", "1", 403),
        ("subscribe", None, "1", 403),
        ("unsubscribe", "verify-me", "1", 400),
        ("subscribe", "verify-me", None, 400),
    ],
)
def test_a_bad_handshake_is_refused(
    mode: str, token: str | None, challenge: str | None, status: int
) -> None:
    with pytest.raises(ChannelError) as info:
        verify_handshake("verify-me", mode, token, challenge)
    assert info.value.status == status


def test_no_verify_token_configured_refuses_the_handshake() -> None:
    with pytest.raises(ChannelError) as info:
        verify_handshake("", "subscribe", "", "1")
    assert info.value.status == 503
