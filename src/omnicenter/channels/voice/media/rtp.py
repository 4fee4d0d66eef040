"""RTP packets (RFC 3550 section 5.1) and a minimal RTCP sender report (section 6.4.1)."""

from __future__ import annotations

import struct
import time
from dataclasses import dataclass

__all__ = ["RtpError", "RtpPacket", "build_rtp", "parse_rtp", "sender_report"]

_HEADER = struct.Struct("!BBHII")
_NTP_EPOCH = 2208988800


class RtpError(ValueError):
    """A datagram that is not an RTP packet; the media path drops it."""


@dataclass(frozen=True, slots=True)
class RtpPacket:
    pt: int
    seq: int
    timestamp: int
    ssrc: int
    payload: bytes
    marker: bool = False


def parse_rtp(data: bytes) -> RtpPacket:
    if len(data) < 12:
        raise RtpError("short packet")
    b0, b1, seq, ts, ssrc = _HEADER.unpack_from(data)
    if b0 >> 6 != 2:
        raise RtpError("not RTP version 2")
    offset = 12 + 4 * (b0 & 0x0F)
    if b0 & 0x10:  # header extension: 16-bit profile, 16-bit length in words
        if len(data) < offset + 4:
            raise RtpError("truncated extension")
        offset += 4 + 4 * struct.unpack_from("!H", data, offset + 2)[0]
    end = len(data)
    if b0 & 0x20:
        end -= data[-1]
    if offset > end:
        raise RtpError("truncated packet")
    pt = b1 & 0x7F
    if 72 <= pt <= 76:  # RTCP packet types 200-204 arriving on a muxed port
        raise RtpError("RTCP on the RTP port")
    return RtpPacket(pt, seq, ts, ssrc, bytes(data[offset:end]), bool(b1 & 0x80))


def build_rtp(
    pt: int, seq: int, timestamp: int, ssrc: int, payload: bytes, marker: bool = False
) -> bytes:
    return (
        _HEADER.pack(0x80, (0x80 if marker else 0) | pt, seq & 0xFFFF, timestamp & 0xFFFFFFFF, ssrc)
        + payload
    )


def sender_report(ssrc: int, rtp_timestamp: int, packets: int, octets: int) -> bytes:
    """An RTCP SR without report blocks, followed by an SDES CNAME (a compound packet)."""
    now = time.time() + _NTP_EPOCH
    ntp_hi = int(now)
    ntp_lo = int((now - ntp_hi) * 2**32)
    sr = struct.pack(
        "!BBHIIIIII",
        0x80,
        200,
        6,
        ssrc,
        ntp_hi,
        ntp_lo,
        rtp_timestamp & 0xFFFFFFFF,
        packets & 0xFFFFFFFF,
        octets & 0xFFFFFFFF,
    )
    cname = b"omnicenter"
    item = bytes([1, len(cname)]) + cname + b"\x00"
    item += b"\x00" * (-len(item) % 4)
    sdes = struct.pack("!BBHI", 0x81, 202, (4 + len(item)) // 4, ssrc) + item
    return sr + sdes
