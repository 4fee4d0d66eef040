"""The UDP port range for RTP: even ports for RTP, the next odd one for RTCP (RFC 3550 11)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["PortRange", "PortsExhausted"]


class PortsExhausted(RuntimeError):
    """No free RTP port pair left: the call is refused with 503."""


@dataclass
class PortRange:
    start: int = 20000
    end: int = 20999
    _next: int = 0

    def __post_init__(self) -> None:
        if self.start % 2:
            self.start += 1
        if not 0 <= self.start < self.end <= 65535:
            raise ValueError("bad RTP port range")
        self._next = self.start

    async def bind_pair(
        self,
        host: str,
        rtp_factory: Callable[[], asyncio.DatagramProtocol],
        rtcp_factory: Callable[[], asyncio.DatagramProtocol],
    ) -> tuple[int, asyncio.DatagramTransport, asyncio.DatagramTransport]:
        """Bind the next free pair; port 0 as start means "any ephemeral pair" (tests)."""
        loop = asyncio.get_running_loop()
        if self.start == 0:
            rtp, _ = await loop.create_datagram_endpoint(rtp_factory, local_addr=(host, 0))
            port = rtp.get_extra_info("sockname")[1]
            try:
                try:
                    rtcp, _ = await loop.create_datagram_endpoint(
                        rtcp_factory, local_addr=(host, port + 1)
                    )
                except OSError:
                    rtcp, _ = await loop.create_datagram_endpoint(
                        rtcp_factory, local_addr=(host, 0)
                    )
            except BaseException:
                rtp.close()
                raise
            return port, rtp, rtcp
        span = (self.end - self.start + 1) // 2
        for _ in range(span):
            port = self._next
            self._next = port + 2 if port + 3 <= self.end else self.start
            try:
                rtp, _ = await loop.create_datagram_endpoint(rtp_factory, local_addr=(host, port))
            except OSError:
                continue
            try:
                rtcp, _ = await loop.create_datagram_endpoint(
                    rtcp_factory, local_addr=(host, port + 1)
                )
            except OSError:
                rtp.close()
                continue
            except BaseException:  # cancelled mid-way: do not leak the RTP socket
                rtp.close()
                raise
            return port, rtp, rtcp
        raise PortsExhausted(f"no free RTP ports in {self.start}-{self.end}")
