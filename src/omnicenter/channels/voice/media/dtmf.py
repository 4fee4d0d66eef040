"""DTMF as RFC 4733 telephone-events and as SIP INFO bodies."""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = ["DIGITS", "DtmfDetector", "dtmf_events", "parse_event", "parse_info_body"]

DIGITS = "0123456789*#ABCD"


@dataclass(frozen=True, slots=True)
class TelephoneEvent:
    digit: str
    end: bool
    volume: int
    duration: int


def parse_event(payload: bytes) -> TelephoneEvent | None:
    if len(payload) < 4:
        return None
    event, flags, duration = struct.unpack_from("!BBH", payload)
    if event >= len(DIGITS):
        return None  # flash-hook and tones are not digits
    return TelephoneEvent(DIGITS[event], bool(flags & 0x80), flags & 0x3F, duration)


def dtmf_events(digit: str, *, packets: int = 5, volume: int = 10) -> list[tuple[bytes, bool]]:
    """The payloads of one digit: `packets` updates then three end packets (RFC 4733 2.5.1.4).

    Each item is (payload, marker); all share one RTP timestamp, the event's start.
    """
    code = DIGITS.index(digit.upper())
    out = []
    for i in range(packets):
        out.append((struct.pack("!BBH", code, volume, 160 * (i + 1)), i == 0))
    end = struct.pack("!BBH", code, 0x80 | volume, 160 * packets)
    out += [(end, False)] * 3
    return out


class DtmfDetector:
    """Turns a stream of telephone-event packets into digits, each reported once.

    A digit is reported on the first packet of an event (a new RTP timestamp), so the IVR
    reacts before the key is released; retransmitted end packets are recognised by their
    timestamp and ignored.
    """

    def __init__(self) -> None:
        self._last_ts: int | None = None

    def feed(self, timestamp: int, payload: bytes) -> str | None:
        event = parse_event(payload)
        if event is None or timestamp == self._last_ts:
            return None
        self._last_ts = timestamp
        return event.digit


def parse_info_body(content_type: str, body: bytes) -> str | None:
    """A digit from `application/dtmf-relay` (`Signal=5`) or `application/dtmf` (`5`)."""
    text = body.decode("utf-8", "replace").strip()
    if content_type == "application/dtmf-relay":
        for line in text.splitlines():
            name, _, value = line.partition("=")
            if name.strip().lower() == "signal":
                text = value.strip()
                break
        else:
            return None
    elif content_type != "application/dtmf":
        return None
    if text == "10":
        text = "*"
    elif text == "11":
        text = "#"
    return text.upper() if len(text) == 1 and text.upper() in DIGITS else None
