"""The SIP user agent core: checks every message, then hands it to a transaction or dialog.

Everything a hostile or broken peer can send is decided here, before any call logic:
unreadable messages are dropped, readable-but-wrong ones get the RFC 3261 error
(400, 405, 416, 420, 481, 483, 500, 501, 505), and responses whose top Via is not ours are
dropped. The endpoint and the test softphone both build on this class.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from typing import Protocol

from omnicenter.channels.voice.dialog import Dialog
from omnicenter.channels.voice.sip import (
    KNOWN_METHODS,
    SipError,
    SipParseError,
    SipRequest,
    SipResponse,
    can_answer,
    make_response,
    parse_message,
    validate_request,
)
from omnicenter.channels.voice.sip.values import format_params
from omnicenter.channels.voice.transactions import (
    ClientTransaction,
    ServerTransaction,
    Timers,
    TransactionLayer,
    new_branch,
)
from omnicenter.channels.voice.transport import Peer, SipTransports

__all__ = ["DialogUser", "SipCore"]

log = logging.getLogger(__name__)
SUPPORTED_EXTENSIONS = frozenset({"replaces", "norefersub"})


class DialogUser(Protocol):
    """Whoever owns a dialog (a call leg): receives its in-dialog requests."""

    dialog: Dialog | None

    def on_request(self, request: SipRequest, txn: ServerTransaction | None) -> None: ...


class Closable(Protocol):
    def close(self) -> None: ...


class SipCore:
    allowed: tuple[str, ...] = ("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO")
    user_agent = "omnicenter"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 5060,
        *,
        tcp: bool = True,
        timers: Timers | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.tcp = tcp
        self.transports = SipTransports(self._on_message)
        self.txns = TransactionLayer(self.transports.send, timers or Timers())
        self.dialogs: dict[tuple[str, str, str], DialogUser] = {}
        self.legs: set[Closable] = set()  # every live call leg, closed on shutdown
        self.stats: Counter[str] = Counter()

    async def start(self) -> None:
        await self.transports.start(self.host, self.port, tcp=self.tcp)
        self.port = self.transports.port

    async def aclose(self) -> None:
        for leg in list(self.legs):
            leg.close()
        self.txns.close()
        await self.transports.aclose()

    @property
    def via_host(self) -> str:
        return f"{self.host}:{self.port}"

    def contact(self, user: str = "omnicenter", protocol: str = "UDP") -> str:
        transport = ";transport=tcp" if protocol == "TCP" else ""
        return f"<sip:{user}@{self.host}:{self.port}{transport}>"

    # --- receiving -------------------------------------------------------------------------

    def _on_message(self, data: bytes, peer: Peer) -> None:
        try:
            message = parse_message(data, stream=peer.reliable)
            if isinstance(message, SipRequest):
                validate_request(message)
        except SipParseError as exc:
            self._reject_unreadable(exc, peer)
            return
        try:
            if isinstance(message, SipRequest):
                self._mark_received(message, peer)
                self._on_request(message, peer)
            else:
                self._on_response(message, peer)
        except SipError as exc:
            self.stats["errors"] += 1
            if isinstance(message, SipRequest) and exc.status and can_answer(message):
                self._stateless(message, exc.status, exc.reason, peer)
        except Exception:
            self.stats["errors"] += 1
            log.exception("failed to handle SIP message from %s", peer)
            if isinstance(message, SipRequest) and can_answer(message):
                self._stateless(message, 500, None, peer)

    def _reject_unreadable(self, exc: SipParseError, peer: Peer) -> None:
        if exc.status is not None and can_answer(exc.partial):
            assert isinstance(exc.partial, SipRequest)
            self._stateless(exc.partial, exc.status, _reason(exc), peer)
        else:
            self.stats["dropped"] += 1
        log.debug("bad SIP message from %s: %s", peer, exc.reason)

    def _stateless(self, request: SipRequest, status: int, reason: str | None, peer: Peer) -> None:
        response = make_response(request, status, reason)
        response.headers.add("Server", self.user_agent)
        if status >= 400:
            self.stats["rejected"] += 1
        if status == 405:
            response.headers.add("Allow", ", ".join(self.allowed))
        self.transports.send(response.to_bytes(), peer)

    @staticmethod
    def _mark_received(request: SipRequest, peer: Peer) -> None:
        """RFC 3261 18.2.1 `received` and RFC 3581 `rport`: the Via records the real source."""
        via = request.top_via
        params = dict(via.params)
        if via.host.strip("[]") != peer.host:
            params["received"] = peer.host
        if "rport" in params:
            params["rport"] = str(peer.port)
            params.setdefault("received", peer.host)
        if params != via.params:
            port = f":{via.port}" if via.port else ""
            value = f"SIP/2.0/{via.transport} {via.host}{port}{format_params(params)}"
            request.headers.replace_first("Via", value)

    def _on_request(self, request: SipRequest, peer: Peer) -> None:
        if self.txns.absorb(request, peer):
            self.stats["retransmissions"] += 1
            return
        method = request.method
        if method == "ACK":
            user = self.dialogs.get(self._dialog_key(request))
            if user is not None:
                user.on_request(request, None)
            return
        if method == "CANCEL":
            self._on_cancel(request, peer)
            return
        if method not in KNOWN_METHODS:
            self._stateless(request, 501, None, peer)
            return
        if (method not in self.allowed and method != "REGISTER") or not self.accepts_method(method):
            self._stateless(request, 405, None, peer)
            return
        unsupported = [
            e for e in request.headers.get_all("Require") if e.lower() not in SUPPORTED_EXTENSIONS
        ]
        if unsupported:
            response = make_response(request, 420)
            response.headers.add("Unsupported", ", ".join(unsupported))
            self.stats["rejected"] += 1
            self.transports.send(response.to_bytes(), peer)
            return
        if request.to.tag is not None:
            user = self.dialogs.get(self._dialog_key(request))
            if user is None or user.dialog is None:
                self._stateless(request, 481, None, peer)
                return
            if not user.dialog.accepts(request):
                self._stateless(request, 500, "CSeq out of order", peer)
                return
            user.on_request(request, self.txns.begin_server(request, peer))
            return
        txn = self.txns.begin_server(request, peer)
        self.on_new_request(request, txn)

    def accepts_method(self, method: str) -> bool:
        return method in self.allowed

    @staticmethod
    def _dialog_key(request: SipRequest) -> tuple[str, str, str]:
        return (request.call_id, request.to.tag or "", request.from_.tag or "")

    def _on_cancel(self, request: SipRequest, peer: Peer) -> None:
        invite = self.txns.find_invite(request)
        if invite is None:
            self._stateless(request, 481, None, peer)
            return
        self.transports.send(make_response(request, 200).to_bytes(), peer)
        if not invite.completed:
            invite.cancelled = True
            self.txns.reply(invite, 487, to_tag=invite.local_tag)
            if invite.on_cancel is not None:
                invite.on_cancel()

    def _on_response(self, response: SipResponse, peer: Peer) -> None:
        via = response.top_via
        if via.host != self.host or (via.port or 5060) != self.port:
            self.stats["foreign_via"] += 1  # RFC 3261 18.1.2: not ours, drop silently
            return
        if not self.txns.on_response(response):
            self.stats["stray_responses"] += 1

    def on_new_request(self, request: SipRequest, txn: ServerTransaction) -> None:
        """Out-of-dialog INVITE, OPTIONS, REGISTER...; subclasses override."""
        if request.method == "OPTIONS":
            self.reply_options(txn)
        else:
            self.txns.reply(txn, 405)

    def reply_options(self, txn: ServerTransaction) -> None:
        response = make_response(txn.request, 200)
        response.headers.add("Allow", ", ".join(self.allowed))
        response.headers.add("Accept", "application/sdp, application/dtmf-relay")
        response.headers.add("Supported", "")
        response.headers.add("Server", self.user_agent)
        self.txns.respond(txn, response)

    # --- sending ---------------------------------------------------------------------------

    def new_request(
        self,
        method: str,
        uri: str,
        *,
        from_: str,
        to: str,
        call_id: str,
        cseq: int,
        protocol: str = "UDP",
    ) -> SipRequest:
        request = SipRequest(method=method, uri=uri)
        request.headers.add(
            "Via", f"SIP/2.0/{protocol} {self.via_host};branch={new_branch()};rport"
        )
        request.headers.add("Max-Forwards", "70")
        request.headers.add("From", from_)
        request.headers.add("To", to)
        request.headers.add("Call-ID", call_id)
        request.headers.add("CSeq", f"{cseq} {method}")
        request.headers.add("User-Agent", self.user_agent)
        return request

    def send_request(
        self,
        request: SipRequest,
        peer: Peer,
        on_provisional: Callable[[SipResponse], None] | None = None,
    ) -> ClientTransaction:
        return self.txns.send_request(request, peer, on_provisional)

    async def in_dialog(
        self,
        dialog: Dialog,
        method: str,
        *,
        body: bytes = b"",
        content_type: str | None = None,
        within: float | None = None,
    ) -> SipResponse:
        request = dialog.request(method, self.via_host, body=body, content_type=content_type)
        txn = self.txns.send_request(request, dialog.peer)
        return await asyncio.wait_for(asyncio.shield(txn.final), within)

    def send_ack(self, dialog: Dialog, invite_txn: ClientTransaction) -> None:
        ack = dialog.request("ACK", self.via_host)
        ack.headers.set("CSeq", f"{invite_txn.request.cseq.number} ACK")
        invite_txn.ack = ack.to_bytes()
        self.transports.send(invite_txn.ack, dialog.peer)


def _reason(exc: SipParseError) -> str | None:
    """RFC 3261 allows a custom phrase; we say what was wrong for the peer's logs."""
    phrase = exc.reason.replace("\r", " ").replace("\n", " ")
    return f"Bad Request ({phrase})" if exc.status == 400 else None
