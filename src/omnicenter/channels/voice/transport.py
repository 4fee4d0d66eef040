"""SIP over UDP and TCP (RFC 3261 section 18) on asyncio.

The transport only moves bytes: a UDP datagram or a TCP message framed by Content-Length
goes up to `on_message(data, peer)`; `send(data, peer)` goes down the same way it came.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Peer", "SipTransports"]

log = logging.getLogger(__name__)
_CONTENT_LENGTH = re.compile(
    rb"^(?:content-length|l)[ \t]*:[ \t]*(\d+)", re.IGNORECASE | re.MULTILINE
)
_MAX_HEAD = 16384
_MAX_BODY = 65535


@dataclass(frozen=True, slots=True)
class Peer:
    """Where a message came from and where its answer goes: protocol plus address."""

    protocol: str  # "UDP" or "TCP"
    host: str
    port: int

    @property
    def addr(self) -> tuple[str, int]:
        return self.host, self.port

    @property
    def reliable(self) -> bool:
        return self.protocol != "UDP"


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, owner: SipTransports) -> None:
        self.owner = owner

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if data.strip(b"\r\n") == b"":
            return  # RFC 5626 keep-alive
        self.owner.on_message(data, Peer("UDP", addr[0], addr[1]))

    def error_received(self, exc: Exception) -> None:
        log.debug("UDP error: %s", exc)


class SipTransports:
    def __init__(self, on_message: Callable[[bytes, Peer], None]) -> None:
        self.on_message = on_message
        self.udp: asyncio.DatagramTransport | None = None
        self.tcp_server: asyncio.Server | None = None
        self._connections: dict[tuple[str, int], asyncio.StreamWriter] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.host = "127.0.0.1"
        self.port = 0

    async def start(self, host: str, port: int, *, tcp: bool = True) -> None:
        """Bind UDP and TCP on the same port; port 0 finds a number free for both."""
        loop = asyncio.get_running_loop()
        for _ in range(1 if port else 20):
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Udp(self), local_addr=(host, port)
            )
            self.host, self.port = transport.get_extra_info("sockname")[:2]
            if not tcp:
                self.udp = transport
                return
            try:
                self.tcp_server = await asyncio.start_server(self._serve_tcp, host, self.port)
            except OSError:
                transport.close()
                if port:
                    raise
                continue  # the ephemeral UDP port is taken on TCP: pick another
            self.udp = transport
            return
        raise OSError(f"no port free for both UDP and TCP on {host}")

    def send(self, data: bytes, peer: Peer) -> None:
        if peer.protocol == "UDP":
            if self.udp is not None:
                self.udp.sendto(data, peer.addr)
            return
        writer = self._connections.get(peer.addr)
        if writer is not None and not writer.is_closing():
            writer.write(data)
            return
        task = asyncio.get_running_loop().create_task(self._connect_and_send(data, peer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _connect_and_send(self, data: bytes, peer: Peer) -> None:
        try:
            reader, writer = await asyncio.open_connection(peer.host, peer.port)
        except OSError as exc:
            log.info("TCP connect to %s failed: %s", peer.addr, exc)
            return
        self._connections[peer.addr] = writer
        writer.write(data)
        await self._read_stream(reader, writer, peer)

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, port = writer.get_extra_info("peername")[:2]
        peer = Peer("TCP", host, port)
        self._connections[peer.addr] = writer
        await self._read_stream(reader, writer, peer)

    async def _read_stream(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: Peer
    ) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if head.strip(b"\r\n") == b"":
                    writer.write(b"\r\n")  # RFC 5626 pong
                    continue
                if len(head) > _MAX_HEAD:
                    break
                match = _CONTENT_LENGTH.search(head)
                length = int(match.group(1)) if match else 0
                if length > _MAX_BODY:
                    break  # cannot resynchronise a stream after a lie this big
                body = await reader.readexactly(length) if length else b""
                self.on_message(head + body, peer)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            if self._connections.get(peer.addr) is writer:
                del self._connections[peer.addr]
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def aclose(self) -> None:
        if self.udp is not None:
            self.udp.close()
        if self.tcp_server is not None:
            self.tcp_server.close()
        for writer in list(self._connections.values()):
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        if self.tcp_server is not None:
            with contextlib.suppress(Exception):
                await self.tcp_server.wait_closed()
