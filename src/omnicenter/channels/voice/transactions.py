"""SIP transactions (RFC 3261 section 17, with RFC 6026's accepted state).

Server side: retransmitted requests get the last response again, INVITE final responses
are retransmitted over UDP until the ACK arrives. Client side: requests are retransmitted
over UDP (timers A/E), time out after 64*T1 (timers B/F) with a synthetic 408, and a
non-2xx final response to INVITE is acknowledged here.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from omnicenter.channels.voice.sip import BRANCH_MAGIC, SipRequest, SipResponse, make_response
from omnicenter.channels.voice.transport import Peer

__all__ = [
    "ClientTransaction",
    "ServerTransaction",
    "Timers",
    "TransactionLayer",
    "new_branch",
]


def new_branch() -> str:
    return BRANCH_MAGIC + os.urandom(8).hex()


@dataclass(frozen=True, slots=True)
class Timers:
    t1: float = 0.5
    t2: float = 4.0

    @property
    def timeout(self) -> float:
        return 64 * self.t1


Send = Callable[[bytes, Peer], None]


@dataclass(eq=False)
class ServerTransaction:
    request: SipRequest
    peer: Peer
    key: tuple[str, str, str]
    last_response: bytes | None = None
    final_status: int | None = None
    acked: bool = False
    cancelled: bool = False
    _retransmit: asyncio.TimerHandle | None = None
    on_cancel: Callable[[], None] | None = None
    local_tag: str | None = None  # the To tag our responses carry (487 after CANCEL)

    @property
    def is_invite(self) -> bool:
        return self.request.method == "INVITE"

    @property
    def completed(self) -> bool:
        return self.final_status is not None


@dataclass(eq=False)
class ClientTransaction:
    request: SipRequest
    peer: Peer
    key: tuple[str, str]
    on_provisional: Callable[[SipResponse], None] | None = None
    final: asyncio.Future[SipResponse] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    provisional: bool = False
    ack: bytes | None = None  # resent when the peer retransmits its 2xx
    _retransmit: asyncio.TimerHandle | None = None
    _timeout: asyncio.TimerHandle | None = None


class TransactionLayer:
    def __init__(self, send: Send, timers: Timers | None = None) -> None:
        self._send = send
        self.timers = timers or Timers()
        self.server: dict[tuple[str, str, str], ServerTransaction] = {}
        self.client: dict[tuple[str, str], ClientTransaction] = {}

    # --- server side -----------------------------------------------------------------------

    @staticmethod
    def server_key(request: SipRequest) -> tuple[str, str, str]:
        via = request.top_via
        method = "INVITE" if request.method == "ACK" else request.method
        return (via.branch or "", f"{via.host}:{via.port or 5060}", method)

    def match_server(self, request: SipRequest) -> ServerTransaction | None:
        return self.server.get(self.server_key(request))

    def find_invite(self, cancel: SipRequest) -> ServerTransaction | None:
        """The INVITE a CANCEL refers to (same branch, RFC 3261 9.2)."""
        branch, sent_by, _ = self.server_key(cancel)
        return self.server.get((branch, sent_by, "INVITE"))

    def absorb(self, request: SipRequest, peer: Peer) -> bool:
        """True when `request` is a retransmission or the ACK of a non-2xx final response."""
        txn = self.match_server(request)
        if txn is None:
            return False
        if request.method == "ACK":
            if txn.final_status is not None and txn.final_status >= 300:
                txn.acked = True
                self._stop(txn)
                return True
            return False  # ACK for a 2xx belongs to the dialog
        if txn.last_response is not None:
            self._send(txn.last_response, txn.peer)
        return True

    def begin_server(self, request: SipRequest, peer: Peer) -> ServerTransaction:
        key = self.server_key(request)
        txn = ServerTransaction(request, peer, key)
        self.server[key] = txn
        return txn

    def respond(self, txn: ServerTransaction, response: SipResponse) -> None:
        data = response.to_bytes()
        txn.last_response = data
        self._send(data, txn.peer)
        if response.status < 200 or txn.completed:
            return
        txn.final_status = response.status
        loop = asyncio.get_running_loop()
        loop.call_later(self.timers.timeout, self.server.pop, txn.key, None)
        if txn.is_invite and not txn.peer.reliable:
            self._schedule_server_retransmit(txn, self.timers.t1)

    def reply(
        self, txn: ServerTransaction, status: int, reason: str | None = None, **kwargs: object
    ) -> SipResponse:
        response = make_response(txn.request, status, reason, **kwargs)  # type: ignore[arg-type]
        self.respond(txn, response)
        return response

    def acknowledged(self, txn: ServerTransaction) -> None:
        """The dialog saw the ACK of our 2xx: stop retransmitting it."""
        txn.acked = True
        self._stop(txn)

    def _schedule_server_retransmit(self, txn: ServerTransaction, interval: float) -> None:
        def fire() -> None:
            if txn.acked or txn.key not in self.server or txn.last_response is None:
                return
            self._send(txn.last_response, txn.peer)
            self._schedule_server_retransmit(txn, min(interval * 2, self.timers.t2))

        txn._retransmit = asyncio.get_running_loop().call_later(interval, fire)

    @staticmethod
    def _stop(txn: ServerTransaction | ClientTransaction) -> None:
        if txn._retransmit is not None:
            txn._retransmit.cancel()
            txn._retransmit = None

    # --- client side -----------------------------------------------------------------------

    def send_request(
        self,
        request: SipRequest,
        peer: Peer,
        on_provisional: Callable[[SipResponse], None] | None = None,
    ) -> ClientTransaction:
        branch = request.top_via.branch or ""
        txn = ClientTransaction(request, peer, (branch, request.method), on_provisional)
        self.client[txn.key] = txn
        data = request.to_bytes()
        self._send(data, peer)
        loop = asyncio.get_running_loop()
        if not peer.reliable:
            self._schedule_client_retransmit(txn, data, self.timers.t1)
        txn._timeout = loop.call_later(self.timers.timeout, self._client_timeout, txn)
        return txn

    def _schedule_client_retransmit(
        self, txn: ClientTransaction, data: bytes, interval: float
    ) -> None:
        def fire() -> None:
            if txn.final.done() or (txn.provisional and txn.request.method == "INVITE"):
                return
            self._send(data, txn.peer)
            self._schedule_client_retransmit(txn, data, min(interval * 2, self.timers.t2))

        txn._retransmit = asyncio.get_running_loop().call_later(interval, fire)

    def _client_timeout(self, txn: ClientTransaction) -> None:
        self._stop(txn)
        self.client.pop(txn.key, None)
        if not txn.final.done():
            txn.final.set_result(make_response(txn.request, 408))

    def on_response(self, response: SipResponse) -> bool:
        """Hand a response to its client transaction; False when none matches (drop it)."""
        branch = response.top_via.branch or ""
        txn = self.client.get((branch, response.cseq.method))
        if txn is None:
            return False
        if response.status < 200:
            txn.provisional = True
            if txn.on_provisional is not None and not txn.final.done():
                txn.on_provisional(response)
            return True
        if txn.final.done():
            # A retransmitted final response: repeat our ACK (2xx via the dialog's ACK).
            if txn.ack is not None:
                self._send(txn.ack, txn.peer)
            return True
        self._stop(txn)
        if txn._timeout is not None:
            txn._timeout.cancel()
        if txn.request.method == "INVITE" and response.status >= 300:
            txn.ack = self._non2xx_ack(txn.request, response).to_bytes()
            self._send(txn.ack, txn.peer)
        asyncio.get_running_loop().call_later(self.timers.timeout, self.client.pop, txn.key, None)
        txn.final.set_result(response)
        return True

    @staticmethod
    def _non2xx_ack(invite: SipRequest, response: SipResponse) -> SipRequest:
        ack = SipRequest(method="ACK", uri=invite.uri)
        ack.headers.add("Via", invite.headers.get_all("Via")[0])
        for name in ("From", "Call-ID", "Route"):
            value = invite.headers.get(name)
            if value is not None:
                ack.headers.add(name, value)
        ack.headers.add("To", response.headers.get("To") or "")
        ack.headers.add("CSeq", f"{invite.cseq.number} ACK")
        ack.headers.add("Max-Forwards", "70")
        return ack

    def close(self) -> None:
        for s in self.server.values():
            self._stop(s)
        for c in self.client.values():
            self._stop(c)
            if c._timeout is not None:
                c._timeout.cancel()
            if not c.final.done():
                c.final.cancel()
