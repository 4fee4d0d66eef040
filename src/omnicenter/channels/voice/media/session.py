"""One RTP stream (one call leg's media): receive, play, relay, detect DTMF.

The hot path (`datagram_received` -> relay `sink`) parses the 12-byte header and forwards
the payload untouched when both legs use the same codec; decoding happens only when
someone listens to the audio (recording, tests) or the codecs differ.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import numpy.typing as npt

from omnicenter.channels.voice.media import g711
from omnicenter.channels.voice.media.audio import FRAME, frames
from omnicenter.channels.voice.media.clock import MediaClock
from omnicenter.channels.voice.media.dtmf import DtmfDetector, dtmf_events
from omnicenter.channels.voice.media.ports import PortRange
from omnicenter.channels.voice.media.rtp import (
    RtpError,
    RtpPacket,
    build_rtp,
    parse_rtp,
    sender_report,
)

__all__ = ["Player", "RtpSession", "RtpStats", "open_rtp_session"]

log = logging.getLogger(__name__)
Pcm = npt.NDArray[np.int16]
_RTCP_EVERY_TICKS = 250  # 5 s


@dataclass
class RtpStats:
    received: int = 0
    sent: int = 0
    sent_octets: int = 0
    dropped: int = 0  # not RTP, wrong source, unknown payload type
    rtcp_received: int = 0


@dataclass
class Player:
    """A prompt (or music on hold) being sent, one frame per clock tick."""

    chunks: list[Pcm]
    loop: bool = False
    index: int = 0
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def next_frame(self) -> Pcm | None:
        if self.index >= len(self.chunks):
            if not self.loop or not self.chunks:
                return None
            self.index = 0
        frame = self.chunks[self.index]
        self.index += 1
        return frame


class _RtcpProtocol(asyncio.DatagramProtocol):
    def __init__(self, stats: RtpStats) -> None:
        self.stats = stats

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.stats.rtcp_received += 1

    def error_received(self, exc: Exception) -> None:
        pass  # ICMP unreachable from a peer without RTCP: harmless


class RtpSession(asyncio.DatagramProtocol):
    def __init__(self, clock: MediaClock) -> None:
        self.clock = clock
        self.stats = RtpStats()
        self.transport: asyncio.DatagramTransport | None = None
        self.rtcp: asyncio.DatagramTransport | None = None
        self.local: tuple[str, int] = ("0.0.0.0", 0)
        self.remote: tuple[str, int] | None = None
        self.remote_rtcp: tuple[str, int] | None = None
        self._latched = False
        self.codec = "PCMU"
        self.pt = 0
        self.dtmf_pt: int | None = None
        self.ssrc = int.from_bytes(os.urandom(4), "big")
        self._seq = int.from_bytes(os.urandom(2), "big")
        self._ts = int.from_bytes(os.urandom(4), "big")
        self._last_send: float | None = None
        self.sending = True  # False while the peer holds us (recvonly/inactive)
        self.sink: Callable[[RtpSession, RtpPacket], None] | None = None
        self.audio_listeners: list[Callable[[Pcm], None]] = []
        self.on_digit: Callable[[str], None] | None = None
        self._dtmf = DtmfDetector()
        self._player: Player | None = None
        self._tick_handle: int | None = None
        self._ticks = 0
        self._dtmf_map: dict[int, int] = {}  # relayed event start timestamps, theirs -> ours
        self.closed = False

    # --- configuration ---------------------------------------------------------------------

    def configure(self, remote: tuple[str, int], codec: str, pt: int, dtmf_pt: int | None) -> None:
        """Apply the negotiated SDP: where to send, which codec and DTMF payload types."""
        if remote != self.remote:
            self.remote = remote
            self.remote_rtcp = (remote[0], remote[1] + 1)
            self._latched = False
        self.codec, self.pt, self.dtmf_pt = codec.upper(), pt, dtmf_pt

    # --- receiving -------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Python 3.11's selector datagram transport does not subclass DatagramTransport.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def error_received(self, exc: Exception) -> None:
        pass  # ICMP port unreachable while the peer sets up: keep going

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if addr != self.remote:
            if self._latched:
                self.stats.dropped += 1
                return
            # Symmetric RTP: a peer behind NAT sends from another address than its SDP
            # says; the first packet fixes the peer, later strangers are dropped.
            self.remote = addr
            self.remote_rtcp = (addr[0], addr[1] + 1)
        self._latched = True
        try:
            packet = parse_rtp(data)
        except RtpError:
            self.stats.dropped += 1
            return
        self.stats.received += 1
        if packet.pt == self.dtmf_pt:
            digit = self._dtmf.feed(packet.timestamp, packet.payload)
            if digit is not None and self.on_digit is not None:
                self.on_digit(digit)
        elif packet.pt != self.pt:
            self.stats.dropped += 1
            return
        elif self.audio_listeners:
            pcm = g711.decode(self.codec, packet.payload)
            for listener in self.audio_listeners:
                listener(pcm)
        if self.sink is not None:
            self.sink(self, packet)

    # --- sending ---------------------------------------------------------------------------

    def _stamp(self, samples: int) -> tuple[int, bool]:
        """The timestamp for the next packet: it follows wall time across pauses."""
        now = asyncio.get_running_loop().time()
        marker = False
        if self._last_send is None:
            marker = True
        elif now - self._last_send > 0.06:
            gap = int((now - self._last_send) * 8000) - samples
            self._ts += max(gap - gap % FRAME, 0)
            marker = True
        self._last_send = now
        ts = self._ts
        self._ts += samples
        return ts, marker

    def send_payload(self, payload: bytes, *, pt: int | None = None, marker: bool = False) -> None:
        if self.transport is None or self.remote is None or not self.sending or self.closed:
            return
        ts, gap = self._stamp(len(payload))
        self._seq = (self._seq + 1) & 0xFFFF
        packet = build_rtp(
            self.pt if pt is None else pt, self._seq, ts, self.ssrc, payload, marker or gap
        )
        self.transport.sendto(packet, self.remote)
        self.stats.sent += 1
        self.stats.sent_octets += len(payload)

    def send_pcm(self, pcm: Pcm) -> None:
        self.send_payload(g711.encode(self.codec, pcm))

    def relay_from(self, other: RtpSession, packet: RtpPacket) -> None:
        """Forward a packet that arrived on `other`, re-stamped as our own stream."""
        if packet.pt == other.dtmf_pt:
            if self.dtmf_pt is None:
                return
            self._relay_dtmf(packet)
        elif other.codec == self.codec:
            self.send_payload(packet.payload)
        else:
            self.send_pcm(g711.decode(other.codec, packet.payload))

    def _relay_dtmf(self, packet: RtpPacket) -> None:
        if self.transport is None or self.remote is None or not self.sending:
            return
        ours = self._dtmf_map.get(packet.timestamp)
        if ours is None:
            ours, _ = self._stamp(0)
            self._dtmf_map = {packet.timestamp: ours}
        self._seq = (self._seq + 1) & 0xFFFF
        assert self.dtmf_pt is not None
        data = build_rtp(self.dtmf_pt, self._seq, ours, self.ssrc, packet.payload, packet.marker)
        self.transport.sendto(data, self.remote)
        self.stats.sent += 1

    async def send_digit(self, digit: str) -> None:
        """Send one RFC 4733 digit paced at 20 ms (used by test phones and outbound calls)."""
        if self.dtmf_pt is None:
            raise RuntimeError("peer did not negotiate telephone-event")
        ts, _ = self._stamp(0)
        for payload, marker in dtmf_events(digit):
            if self.transport is not None and self.remote is not None:
                self._seq = (self._seq + 1) & 0xFFFF
                data = build_rtp(self.dtmf_pt, self._seq, ts, self.ssrc, payload, marker)
                self.transport.sendto(data, self.remote)
                self.stats.sent += 1
            await asyncio.sleep(0.02)
        self._ts += 160 * 5

    # --- playing ---------------------------------------------------------------------------

    def play(self, pcm: Pcm, *, loop: bool = False) -> asyncio.Future[None]:
        """Start sending `pcm` in 20 ms frames; the future completes when it has been sent."""
        self.stop_playing()
        self._player = Player(frames(pcm), loop=loop)
        if self._tick_handle is None:
            self._tick_handle = self.clock.add(self._tick)
        return self._player.done

    def stop_playing(self) -> None:
        if self._player is not None and not self._player.done.done():
            self._player.done.set_result(None)
        self._player = None

    @property
    def playing(self) -> bool:
        return self._player is not None

    def _tick(self) -> None:
        self._ticks += 1
        if self._ticks % _RTCP_EVERY_TICKS == 0:
            self._send_rtcp()
        player = self._player
        if player is None:
            return
        frame = player.next_frame()
        if frame is None:
            self._player = None
            if not player.done.done():
                player.done.set_result(None)
            return
        self.send_pcm(frame)

    def _send_rtcp(self) -> None:
        if self.rtcp is not None and self.remote_rtcp is not None and self.stats.sent:
            report = sender_report(self.ssrc, self._ts, self.stats.sent, self.stats.sent_octets)
            self.rtcp.sendto(report, self.remote_rtcp)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.stop_playing()
        if self._tick_handle is not None:
            self.clock.remove(self._tick_handle)
            self._tick_handle = None
        self.sink = None
        self.audio_listeners.clear()
        if self.transport is not None:
            self.transport.close()
        if self.rtcp is not None:
            self.rtcp.close()


async def open_rtp_session(host: str, ports: PortRange, clock: MediaClock) -> RtpSession:
    session = RtpSession(clock)
    port, _, rtcp = await ports.bind_pair(
        host, lambda: session, lambda: _RtcpProtocol(session.stats)
    )
    session.local = (host, port)
    session.rtcp = rtcp
    return session
