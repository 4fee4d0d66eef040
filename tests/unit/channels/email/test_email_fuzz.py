"""Fuzzing: whatever the bytes, parse_email returns or raises EmailRejected, nothing else.

The parser has a last-resort guard that turns an unexpected exception into an
"internal parser error" rejection; these tests also fail when that guard fires, so a
real parser bug cannot hide behind it.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnicenter.channels.email import EmailLimits, EmailRejected, parse_email

FIXTURES = sorted((Path(__file__).resolve().parents[4] / "tests/fixtures/email").glob("*.eml"))
SAMPLES = [path.read_bytes() for path in FIXTURES]
SMALL = EmailLimits(max_message_bytes=64 * 1024, max_parts=20, max_depth=4)

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(raw: bytes, limits: EmailLimits = EmailLimits()) -> None:  # noqa: B008
    try:
        parsed = parse_email(raw, limits)
    except EmailRejected as rejected:
        assert "internal parser error" not in rejected.reason, rejected.reason
        assert 500 <= rejected.smtp_code < 600
        assert "\n" not in rejected.reason
        return
    assert "@" in parsed.from_address
    assert parsed.message_id
    assert parsed.date is None or parsed.date.utcoffset() is not None
    assert isinstance(parsed.text, str)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(raw: bytes) -> None:
    _check(raw)


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_after_a_valid_header(tail: bytes) -> None:
    _check(b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n" + tail)


_TOKENS = [
    b"\r\n", b"\n", b"\r\n\r\n", b"--", b"=?", b"?=", b"=?utf-8?B?", b"=?x?Q?=FF", b"\xff\xfe",
    b"Content-Type: multipart/mixed; boundary=\"", b"Content-Type: message/rfc822\r\n",
    b"Content-Transfer-Encoding: base64\r\n", b"Content-Transfer-Encoding: x-uuencode\r\n",
    b"charset=\"zlib\"", b"charset=utf-7", b"filename*=utf-8''%FF%00", b"; name=\"=?bad?Q?x?=\"",
    b"Date: Tue, 99 Foo 99999 99:99:99 +9999\r\n", b"From: <>\r\n", b"From: \"a,b\" <x@y>\r\n",
    b"\x00", b"begin 644 a\r\n", b"Message-ID: <<>>\r\n", b"References: <\r\n",
]  # fmt: skip


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(raw)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        if action == "insert":
            raw[pos:pos] = draw(st.sampled_from(_TOKENS) | st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del raw[pos : pos + draw(st.integers(1, 200))]
        elif action == "replace":
            raw[pos : pos + 1] = draw(st.binary(min_size=1, max_size=1))
        else:
            del raw[pos:]
    return bytes(raw)


@FUZZ
@given(_mutated())
def test_structured_mutations_of_recorded_messages(raw: bytes) -> None:
    _check(raw)
    _check(raw, SMALL)


@FUZZ
@given(st.lists(st.sampled_from(_TOKENS) | st.text(max_size=20).map(str.encode), max_size=60))
def test_token_soup(tokens: list[bytes]) -> None:
    _check(b"From: a@b.example\r\n" + b"".join(tokens))
