"""Limits and MIME bombs: refused with a precise reason, cheaply."""

from __future__ import annotations

import base64

import pytest

from omnicenter.channels.email import EmailLimits, EmailRejected, parse_email
from omnicenter.channels.email.limits import human_size, prescan

HEAD = b"From: a@b.example\r\nSubject: s\r\n"


def _rejected(raw: bytes, limits: EmailLimits = EmailLimits()) -> EmailRejected:  # noqa: B008
    with pytest.raises(EmailRejected) as info:
        parse_email(raw, limits)
    return info.value


def _attachment(name: str, size: int) -> bytes:
    data = base64.encodebytes(b"\0" * size).replace(b"\n", b"\r\n")
    return (
        b"--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        + f'Content-Disposition: attachment; filename="{name}"\r\n\r\n'.encode()
        + data
    )


@pytest.mark.parametrize(
    ("size", "text"),
    [(87, "87 bytes"), (2048, "2 KB"), (10 * 1024 * 1024, "10 MB"), (13002342, "12.4 MB")],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


def test_oversized_message() -> None:
    error = _rejected(HEAD + b"\r\n" + b"x" * 2000, EmailLimits(max_message_bytes=1024))
    assert (error.smtp_code, error.enhanced_status) == (552, "5.3.4")
    assert error.reason == "the message is 2 KB, the limit is 1 KB"


def test_oversized_attachment_names_the_file() -> None:
    raw = HEAD + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
    raw += _attachment("x.pdf", 13002342) + b"--b--\r\n"
    error = _rejected(raw)
    assert (error.smtp_code, error.enhanced_status) == (552, "5.3.4")
    assert error.reason == "attachment 'x.pdf' is 12.4 MB, the limit is 10 MB"


def test_total_attachment_size() -> None:
    limits = EmailLimits(max_attachment_bytes=1000, max_total_attachment_bytes=1500)
    raw = HEAD + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
    raw += _attachment("a.pdf", 800) + _attachment("b.pdf", 800) + b"--b--\r\n"
    error = _rejected(raw, limits)
    assert error.reason == "attachments total 1.6 KB or more, the limit is 1.5 KB"


def test_too_many_header_fields() -> None:
    raw = HEAD + b"X-A: 1\r\n" * 600 + b"\r\nbody"
    error = _rejected(raw)
    assert error.reason == "the message has 602 header fields, the limit is 500"


def test_header_block_too_large() -> None:
    raw = HEAD + b"X-Long: " + b"a" * 300_000 + b"\r\n\r\nbody"
    assert _rejected(raw).reason == "the message header is 293 KB, the limit is 256 KB"


def test_folded_lines_are_one_header_field() -> None:
    raw = HEAD + b"References: <a@b>\r\n" + b" <c@d>\r\n" * 600 + b"\r\nbody"
    assert parse_email(raw).from_address == "a@b.example"


def _nested(depth: int) -> bytes:
    parts = [HEAD]
    for level in range(depth):
        parts.append(
            f"Content-Type: multipart/mixed; boundary=b{level}\r\n\r\n--b{level}\r\n".encode()
        )
    parts.append(b"Content-Type: text/plain\r\n\r\ndeep\r\n")
    parts.extend(f"--b{level}--\r\n".encode() for level in reversed(range(depth)))
    return b"".join(parts)


def test_nesting_within_the_limit_is_fine() -> None:
    assert parse_email(_nested(10)).text.startswith("deep")


def test_nesting_too_deep() -> None:
    error = _rejected(_nested(11))
    assert (error.smtp_code, error.enhanced_status) == (554, "5.6.0")
    assert error.reason == "MIME parts are nested 11 deep, the limit is 10"


def test_deep_nesting_bomb_is_refused_before_parsing() -> None:
    # 5000 levels would exhaust the parser's recursion; the prescan refuses it first.
    with pytest.raises(EmailRejected) as info:
        prescan(_nested(5000), EmailLimits())
    assert info.value.reason == (
        "the message declares 5000 nested multipart or message parts, the limit is 200 parts"
    )


def _many_parts(count: int) -> bytes:
    body = b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(count))
    return HEAD + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + body + b"--b--\r\n"


def test_thousands_of_parts_are_refused_before_parsing() -> None:
    with pytest.raises(EmailRejected) as info:
        prescan(_many_parts(20_000), EmailLimits())
    assert info.value.reason == "the message has 20000 MIME parts, the limit is 200"


def test_parts_without_content_type_still_count() -> None:
    body = b"".join(b"--b\r\n\r\nx\r\n" for _ in range(300))
    raw = HEAD + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + body + b"--b--\r\n"
    assert _rejected(raw).reason == "the message has 300 MIME parts, the limit is 200"


def test_part_limit_checked_exactly_after_parsing() -> None:
    # 150 delimiters pass the prescan at max_parts=200, but not a limit of 100.
    error = _rejected(_many_parts(150), EmailLimits(max_parts=100))
    assert error.reason.startswith("the message has")
    assert error.smtp_code == 554


def test_many_parts_within_the_limit() -> None:
    assert parse_email(_many_parts(150)).text.count("x") == 150


def test_signature_dashes_do_not_count_as_parts() -> None:
    raw = HEAD + b"\r\n" + b"-- \r\nsig\r\n" * 1000
    assert parse_email(raw).text.count("sig") == 1000
