"""SDP (RFC 4566) for one audio stream and the offer/answer rules of RFC 3264.

Only what a G.711 voice endpoint needs: connection address, audio port, PCMU/PCMA,
telephone-event (RFC 4733), ptime and the direction attribute used for hold.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, replace

from omnicenter.channels.voice.sip.errors import SipError

__all__ = [
    "DIRECTIONS",
    "MediaFormat",
    "SdpError",
    "SessionDescription",
    "answer_direction",
    "build_offer",
    "negotiate",
    "parse_sdp",
]

DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")
_STATIC = {
    0: ("PCMU", 8000),
    8: ("PCMA", 8000),
    3: ("GSM", 8000),
    9: ("G722", 8000),
    18: ("G729", 8000),
}
_session_ids = itertools.count(int(time.time()))


class SdpError(SipError):
    """An offer we cannot take: 488 Not Acceptable Here (or 400 when unreadable)."""

    def __init__(self, reason: str, status: int = 488) -> None:
        super().__init__(reason, status)


@dataclass(frozen=True, slots=True)
class MediaFormat:
    pt: int
    name: str
    rate: int = 8000
    fmtp: str | None = None

    @property
    def is_dtmf(self) -> bool:
        return self.name.lower() == "telephone-event"


@dataclass(frozen=True, slots=True)
class SessionDescription:
    address: str
    port: int
    formats: tuple[MediaFormat, ...]
    direction: str = "sendrecv"
    ptime: int = 20
    session_id: int = 0
    version: int = 0
    rtcp_port: int | None = None

    @property
    def on_hold(self) -> bool:
        """RFC 3264 8.4 hold, and the older RFC 2543 style `c=0.0.0.0`."""
        return self.direction in ("sendonly", "inactive") or self.address == "0.0.0.0"

    @property
    def audio(self) -> tuple[MediaFormat, ...]:
        return tuple(f for f in self.formats if not f.is_dtmf)

    @property
    def dtmf(self) -> MediaFormat | None:
        return next((f for f in self.formats if f.is_dtmf), None)

    def to_bytes(self) -> bytes:
        pts = " ".join(str(f.pt) for f in self.formats)
        lines = [
            "v=0",
            f"o=omnicenter {self.session_id} {self.version} IN IP4 {self.address}",
            "s=omnicenter",
            f"c=IN IP4 {self.address}",
            "t=0 0",
            f"m=audio {self.port} RTP/AVP {pts}",
        ]
        for f in self.formats:
            lines.append(f"a=rtpmap:{f.pt} {f.name}/{f.rate}")
            if f.fmtp:
                lines.append(f"a=fmtp:{f.pt} {f.fmtp}")
        lines += [f"a=ptime:{self.ptime}", f"a={self.direction}"]
        return ("\r\n".join(lines) + "\r\n").encode()


def parse_sdp(body: bytes) -> SessionDescription:
    """The first audio stream of an SDP body."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise SdpError("SDP is not UTF-8", 400) from None
    session_addr: str | None = None
    media_addr: str | None = None
    port: int | None = None
    pts: list[int] = []
    rtpmap: dict[int, tuple[str, int]] = {}
    fmtp: dict[int, str] = {}
    direction = "sendrecv"
    media_direction: str | None = None
    ptime = 20
    session_id = version = 0
    rtcp_port: int | None = None
    in_audio = seen_audio = False
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if len(line) < 2 or line[1] != "=":
            continue
        kind, value = line[0], line[2:]
        try:
            if kind == "o":
                parts = value.split()
                session_id, version = int(parts[1]), int(parts[2])
            elif kind == "m":
                in_audio = False
                parts = value.split()
                if parts[0] == "audio" and not seen_audio:
                    in_audio = seen_audio = True
                    port = int(parts[1].split("/")[0])
                    pts = [int(p) for p in parts[3:]]
            elif kind == "c":
                addr = value.split()[2].split("/")[0]
                if in_audio:
                    media_addr = addr
                elif not seen_audio:
                    session_addr = addr
            elif kind == "a" and (in_audio or not seen_audio):
                name, _, arg = value.partition(":")
                if name == "rtpmap" and in_audio:
                    pt_text, _, enc = arg.partition(" ")
                    enc_parts = enc.split("/")
                    rtpmap[int(pt_text)] = (
                        enc_parts[0],
                        int(enc_parts[1]) if len(enc_parts) > 1 else 8000,
                    )
                elif name == "fmtp" and in_audio:
                    pt_text, _, params = arg.partition(" ")
                    fmtp[int(pt_text)] = params.strip()
                elif name == "ptime" and in_audio:
                    ptime = int(float(arg))
                elif name == "rtcp" and in_audio:
                    rtcp_port = int(arg.split()[0])
                elif name in DIRECTIONS:
                    if in_audio:
                        media_direction = name
                    else:
                        direction = name
        except (ValueError, IndexError):
            raise SdpError(f"Bad SDP line {line[:40]!r}", 400) from None
    address = media_addr or session_addr
    if port is None or address is None:
        raise SdpError("No audio stream in SDP")
    formats = []
    for pt in pts:
        name, rate = rtpmap.get(pt) or _STATIC.get(pt, ("unknown", 8000))
        formats.append(MediaFormat(pt, name, rate, fmtp.get(pt)))
    return SessionDescription(
        address=address,
        port=port,
        formats=tuple(formats),
        direction=media_direction or direction,
        ptime=ptime,
        session_id=session_id,
        version=version,
        rtcp_port=rtcp_port,
    )


def answer_direction(offered: str) -> str:
    return {"sendonly": "recvonly", "recvonly": "sendonly"}.get(offered, offered)


def build_offer(
    address: str, port: int, codecs: tuple[str, ...] = ("PCMU", "PCMA"), *, dtmf_pt: int = 101
) -> SessionDescription:
    static = {"PCMU": 0, "PCMA": 8}
    formats = [MediaFormat(static[c], c) for c in codecs]
    formats.append(MediaFormat(dtmf_pt, "telephone-event", 8000, "0-16"))
    return SessionDescription(address, port, tuple(formats), session_id=next(_session_ids))


def negotiate(
    offer: SessionDescription,
    address: str,
    port: int,
    codecs: tuple[str, ...] = ("PCMU", "PCMA"),
    *,
    session_id: int | None = None,
    version: int = 0,
) -> SessionDescription:
    """The answer to `offer`: the offerer's first codec we support, plus telephone-event.

    The answer keeps the offer's payload type numbers (RFC 3264 6.1), so the codec and
    DTMF payload types apply unchanged in both directions.
    """
    wanted = {c.upper() for c in codecs}
    codec = next((f for f in offer.audio if f.name.upper() in wanted and f.rate == 8000), None)
    if codec is None:
        raise SdpError("No common codec (PCMU or PCMA needed)")
    formats = [replace(codec, fmtp=None)]
    dtmf = next((f for f in offer.formats if f.is_dtmf and f.rate == 8000), None)
    if dtmf is not None:
        formats.append(MediaFormat(dtmf.pt, "telephone-event", 8000, "0-16"))
    return SessionDescription(
        address=address,
        port=port,
        formats=tuple(formats),
        direction=answer_direction(offer.direction),
        ptime=offer.ptime or 20,
        session_id=session_id if session_id is not None else next(_session_ids),
        version=version,
    )
