"""Limits on inbound mail, and the cheap checks that enforce them before parsing.

The stdlib parser builds one object per MIME part and recurses per nesting level, so a
hostile message (thousands of parts, thousands of nested multiparts) would cost far more
to parse than to send. `prescan` looks at the raw bytes with a few `bytes.count` calls and
one regex, and refuses such a message before any tree is built; the exact counts are then
checked again while walking the parsed tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from omnicenter.channels.email.errors import EmailRejected

__all__ = ["EmailLimits", "human_size", "prescan"]

_MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class EmailLimits:
    """What one inbound message may contain. Sizes are in bytes."""

    max_message_bytes: int = 25 * _MB
    max_depth: int = 10
    max_parts: int = 200
    max_attachment_bytes: int = 10 * _MB
    max_total_attachment_bytes: int = 25 * _MB
    max_headers: int = 500
    max_header_bytes: int = 256 * 1024
    max_references: int = 100  # older ids are dropped, not refused: long threads are normal


def human_size(n: int) -> str:
    """`12.4 MB`, `10 MB`, `512 KB`, `87 bytes`: binary units, as mail clients show them."""
    for unit, scale in (("MB", _MB), ("KB", 1024)):
        if n >= scale:
            text = f"{n / scale:.1f}".removesuffix(".0")
            return f"{text} {unit}"
    return f"{n} bytes"


# A part that contains other parts must say so in its Content-Type; counting those
# declarations bounds the nesting depth the parser can be made to recurse into.
_CONTAINER_RE = re.compile(
    rb"^content-type:[ \t]*(?:\r?\n[ \t]+)?(?:multipart|message)/", re.I | re.M
)
_BOUNDARY_RE = re.compile(
    rb"""boundary[ \t]*=[ \t]*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))""", re.I
)


def _header_block(raw: bytes) -> bytes:
    for sep in (b"\r\n\r\n", b"\n\n"):
        end = raw.find(sep)
        if end >= 0:
            return raw[: end + 1]
    return raw


def _check_headers(raw: bytes, limits: EmailLimits) -> None:
    block = _header_block(raw)
    if len(block) > limits.max_header_bytes:
        raise EmailRejected(
            552,
            "5.3.4",
            f"the message header is {human_size(len(block))}, "
            f"the limit is {human_size(limits.max_header_bytes)}",
        )
    # Every line that does not start with white space begins a new header field.
    lines = block.count(b"\n") + 1
    fields = lines - block.count(b"\n ") - block.count(b"\n\t")
    if fields > limits.max_headers:
        raise EmailRejected(
            552,
            "5.3.4",
            f"the message has {fields} header fields, the limit is {limits.max_headers}",
        )


def _count_delimiters(raw: bytes) -> int:
    """Number of MIME parts the declared boundaries would split the message into."""
    boundaries = {m.group(1) or m.group(2) for m in _BOUNDARY_RE.finditer(raw)}
    parts = 0
    for boundary in boundaries:
        line = b"\n--" + boundary
        parts += raw.count(line) - raw.count(line + b"--")
    return parts


def prescan(raw: bytes, limits: EmailLimits) -> None:
    """Refuse oversized or structurally hostile messages without parsing them."""
    if len(raw) > limits.max_message_bytes:
        raise EmailRejected(
            552,
            "5.3.4",
            f"the message is {human_size(len(raw))}, "
            f"the limit is {human_size(limits.max_message_bytes)}",
        )
    _check_headers(raw, limits)
    containers = len(_CONTAINER_RE.findall(raw))
    if containers > limits.max_parts:
        raise EmailRejected(
            554,
            "5.6.0",
            f"the message declares {containers} nested multipart or message parts, "
            f"the limit is {limits.max_parts} parts",
        )
    # Fast path: a delimiter line starts with "--", and most mail has only a handful.
    if raw.count(b"\n--") <= limits.max_parts:
        return
    parts = _count_delimiters(raw)
    if parts > limits.max_parts:
        raise EmailRejected(
            554,
            "5.6.0",
            f"the message has {parts} MIME parts, the limit is {limits.max_parts}",
        )
