"""Call legs: one dialog plus its RTP session, inbound (we are UAS) or outbound (UAC).

A B2BUA call is two legs; the legs only know SIP and media, the call script in `calls.py`
decides what to do with them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable

from omnicenter.channels.voice.core import SipCore
from omnicenter.channels.voice.dialog import Dialog, new_tag
from omnicenter.channels.voice.media.dtmf import parse_info_body
from omnicenter.channels.voice.media.sdp import (
    SdpError,
    SessionDescription,
    build_offer,
    negotiate,
    parse_sdp,
)
from omnicenter.channels.voice.media.session import RtpSession
from omnicenter.channels.voice.sip import SipError, SipRequest, SipResponse, make_response
from omnicenter.channels.voice.sip.digest import client_authorization
from omnicenter.channels.voice.transactions import ClientTransaction, ServerTransaction
from omnicenter.channels.voice.transport import Peer

__all__ = ["CallFailed", "CallLeg", "InboundLeg", "OutboundLeg"]

log = logging.getLogger(__name__)
SDP = "application/sdp"


class CallFailed(Exception):
    def __init__(self, status: int, reason: str = "") -> None:
        super().__init__(f"{status} {reason}".strip())
        self.status = status


class CallLeg:
    def __init__(
        self, core: SipCore, rtp: RtpSession, media_host: str, codecs: tuple[str, ...]
    ) -> None:
        self.core = core
        self.rtp = rtp
        self.media_host = media_host
        self.codecs = codecs
        self.dialog: Dialog | None = None
        self.ended: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.digits: asyncio.Queue[str] = asyncio.Queue()
        self.on_hold_change: Callable[[bool], None] | None = None
        # REFER from the peer (an agent's phone transferring): the status to answer with.
        self.on_refer: Callable[[SipRequest], int] | None = None
        # NOTIFY in the dialog (a phone that sent REFER hears how the transfer goes).
        self.on_notify: Callable[[SipRequest], None] | None = None
        self.held = False
        self._sdp_version = 0
        self._session_id = int.from_bytes(os.urandom(3), "big")
        self._acks: list[ServerTransaction] = []
        rtp.on_digit = self.digits.put_nowait
        core.legs.add(self)

    # --- in-dialog requests from the peer --------------------------------------------------

    def on_request(self, request: SipRequest, txn: ServerTransaction | None) -> None:
        method = request.method
        if method == "ACK":
            for pending in self._acks:
                self.core.txns.acknowledged(pending)
            self._acks.clear()
            self.on_ack(request)
            return
        assert txn is not None
        if method == "BYE":
            self.core.txns.reply(txn, 200)
            self._finish("remote_bye")
        elif method == "INFO":
            digit = parse_info_body(request.content_type, request.body)
            if digit is None and request.body:
                self.core.txns.reply(txn, 415)
                return
            self.core.txns.reply(txn, 200)
            if digit is not None:
                self.digits.put_nowait(digit)
        elif method == "INVITE":
            self._on_reinvite(request, txn)
        elif method == "OPTIONS":
            self.core.reply_options(txn)
        elif method == "REFER" and self.on_refer is not None:
            self.core.txns.reply(txn, self.on_refer(request))
        elif method == "NOTIFY" and self.on_notify is not None:
            self.core.txns.reply(txn, 200)
            self.on_notify(request)
        else:
            self.core.txns.reply(txn, 405)

    async def notify_refer(self, status_line: str, *, final: bool) -> None:
        """Tell the transferring phone how its REFER goes (RFC 3515 NOTIFY, sipfrag)."""
        dialog = self.dialog
        if dialog is None or self.ended.done():
            return
        request = dialog.request(
            "NOTIFY",
            self.core.via_host,
            body=f"{status_line}\r\n".encode(),
            content_type="message/sipfrag;version=2.0",
        )
        request.headers.add("Event", "refer")
        state = "terminated;reason=noresource" if final else "active;expires=60"
        request.headers.add("Subscription-State", state)
        txn = self.core.txns.send_request(request, dialog.peer)
        with contextlib.suppress(asyncio.TimeoutError, SipError):
            await asyncio.wait_for(asyncio.shield(txn.final), self.core.txns.timers.timeout)

    def on_ack(self, request: SipRequest) -> None:
        """Subclasses take a late SDP answer from the ACK."""

    def _on_reinvite(self, request: SipRequest, txn: ServerTransaction) -> None:
        try:
            offer = parse_sdp(request.body) if request.body else None
            answer = self.accept_offer(offer) if offer is not None else self.local_sdp()
        except SdpError as exc:
            self.core.txns.reply(txn, exc.status or 488)
            return
        assert self.dialog is not None
        response = make_response(
            txn.request, 200, to_tag=self.dialog.local_tag, body=answer.to_bytes(), content_type=SDP
        )
        response.headers.add("Contact", self.dialog.local_contact)
        self.core.txns.respond(txn, response)
        self._acks.append(txn)
        if offer is not None and offer.on_hold != self.held:
            self.held = offer.on_hold
            if self.on_hold_change is not None:
                self.on_hold_change(self.held)

    # --- media -----------------------------------------------------------------------------

    def local_sdp(self, direction: str = "sendrecv") -> SessionDescription:
        self._sdp_version += 1
        offer = build_offer(self.media_host, self.rtp.local[1], self.codecs)
        from dataclasses import replace

        return replace(
            offer, session_id=self._session_id, version=self._sdp_version, direction=direction
        )

    def accept_offer(self, offer: SessionDescription) -> SessionDescription:
        self._sdp_version += 1
        answer = negotiate(
            offer,
            self.media_host,
            self.rtp.local[1],
            self.codecs,
            session_id=self._session_id,
            version=self._sdp_version,
        )
        self.apply_answer(offer, answer)
        return answer

    def apply_answer(self, remote: SessionDescription, agreed: SessionDescription) -> None:
        codec = agreed.audio[0]
        dtmf = agreed.dtmf
        self.rtp.configure(
            (remote.address, remote.port), codec.name, codec.pt, dtmf.pt if dtmf else None
        )
        # Peer holding us (sendonly/inactive) wants no media; 0.0.0.0 means "send nowhere".
        self.rtp.sending = not (
            remote.direction in ("recvonly", "inactive") or remote.address == "0.0.0.0"
        )

    # --- ending ----------------------------------------------------------------------------

    def _finish(self, reason: str) -> None:
        self.core.legs.discard(self)
        if not self.ended.done():
            self.ended.set_result(reason)
        if self.dialog is not None:
            self.dialog.terminated = True
            self.core.dialogs.pop(self.dialog.key, None)
        self.rtp.close()

    async def hangup(self) -> None:
        """Send BYE (if the dialog is up) and release the media."""
        if self.ended.done():
            return
        dialog = self.dialog
        self._finish("local_bye")
        if dialog is not None:
            with contextlib.suppress(asyncio.TimeoutError, SipError, asyncio.CancelledError):
                await self.core.in_dialog(dialog, "BYE", within=self.core.txns.timers.timeout)

    def close(self) -> None:
        self._finish("closed")


class InboundLeg(CallLeg):
    """The caller's leg: we received the INVITE."""

    def __init__(
        self,
        core: SipCore,
        rtp: RtpSession,
        media_host: str,
        codecs: tuple[str, ...],
        txn: ServerTransaction,
    ) -> None:
        super().__init__(core, rtp, media_host, codecs)
        self.txn = txn
        self.tag = new_tag()
        txn.local_tag = self.tag
        txn.on_cancel = lambda: self._finish("cancelled")
        self.offer = parse_sdp(txn.request.body) if txn.request.body else None
        self.acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @property
    def request(self) -> SipRequest:
        return self.txn.request

    def ring(self) -> None:
        if not self.txn.completed:
            self.core.txns.reply(self.txn, 180, to_tag=self.tag)

    def answer(self) -> None:
        """200 OK with our SDP; the dialog exists from here on."""
        if self.txn.completed:
            raise CallFailed(487, "cancelled before answer")
        body = (
            self.accept_offer(self.offer) if self.offer is not None else self.local_sdp()
        ).to_bytes()
        dialog = Dialog.as_uas(
            self.request, self.tag, self.txn.peer, self.core.contact("ivr", self.txn.peer.protocol)
        )
        self.dialog = dialog
        self.core.dialogs[dialog.key] = self
        response = make_response(self.request, 200, to_tag=self.tag, body=body, content_type=SDP)
        response.headers.add("Contact", dialog.local_contact)
        response.headers.add("Allow", ", ".join(self.core.allowed))
        self.core.txns.respond(self.txn, response)
        self._acks.append(self.txn)

    def reject(self, status: int) -> None:
        if not self.txn.completed:
            self.core.txns.reply(self.txn, status, to_tag=self.tag)
        self._finish(f"rejected_{status}")

    def on_ack(self, request: SipRequest) -> None:
        if self.offer is None and request.body:
            with contextlib.suppress(SdpError):
                remote = parse_sdp(request.body)
                self.apply_answer(remote, remote)
        if not self.acked.done():
            self.acked.set_result(None)


class OutboundLeg(CallLeg):
    """A leg we dial: an agent's phone, or a customer for a callback."""

    def __init__(
        self, core: SipCore, rtp: RtpSession, media_host: str, codecs: tuple[str, ...]
    ) -> None:
        super().__init__(core, rtp, media_host, codecs)
        self._txn: ClientTransaction | None = None
        self._cancel_sent = False

    async def dial(
        self,
        uri: str,
        peer: Peer,
        *,
        from_: str,
        to: str | None = None,
        ring_timeout: float = 20.0,
        on_ringing: Callable[[], None] | None = None,
        credentials: tuple[str, str] | None = None,
        extra_headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """INVITE `uri` and wait for the answer; raises CallFailed (408 on ring timeout)."""
        call_id = f"{os.urandom(10).hex()}@{self.core.host}"
        tag = new_tag()
        cseq = 1
        authorization: tuple[str, str] | None = None
        offer = self.local_sdp()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + ring_timeout
        while True:
            request = self.core.new_request(
                "INVITE",
                uri,
                from_=f"{from_};tag={tag}",
                to=to or f"<{uri}>",
                call_id=call_id,
                cseq=cseq,
                protocol=peer.protocol,
            )
            request.headers.add("Contact", self.core.contact("omnicenter", peer.protocol))
            request.headers.add("Allow", ", ".join(self.core.allowed))
            for name, value in extra_headers:
                request.headers.add(name, value)
            if authorization is not None:
                request.headers.add(*authorization)
            request.headers.add("Content-Type", SDP)
            request.body = offer.to_bytes()
            txn = self._txn = self.core.send_request(
                request, peer, on_provisional=lambda r: self._provisional(r, on_ringing)
            )
            try:
                response = await asyncio.wait_for(
                    asyncio.shield(txn.final), max(deadline - loop.time(), 0.01)
                )
            except TimeoutError:
                self.cancel()
                raise CallFailed(408, "no answer") from None
            except asyncio.CancelledError:
                self.cancel()
                raise
            if response.status in (401, 407) and credentials is not None and authorization is None:
                header = "WWW-Authenticate" if response.status == 401 else "Proxy-Authenticate"
                challenge = response.headers.get(header) or ""
                name = "Authorization" if response.status == 401 else "Proxy-Authorization"
                authorization = (
                    name,
                    client_authorization(
                        challenge,
                        method="INVITE",
                        uri=uri,
                        username=credentials[0],
                        password=credentials[1],
                    ),
                )
                cseq += 1
                continue
            if response.status >= 300:
                raise CallFailed(response.status, response.reason)
            break
        dialog = Dialog.as_uac(request, response, peer)
        self.dialog = dialog
        self.core.dialogs[dialog.key] = self
        self.core.send_ack(dialog, txn)
        try:
            answer = parse_sdp(response.body)
        except SdpError:
            await self.hangup()
            raise CallFailed(488, "bad SDP answer") from None
        self.apply_answer(answer, answer)

    def _provisional(self, response: SipResponse, on_ringing: Callable[[], None] | None) -> None:
        if self._cancel_sent:
            self._send_cancel()
        if response.status in (180, 183) and on_ringing is not None:
            on_ringing()

    def cancel(self) -> None:
        """Stop ringing: CANCEL now if the phone answered provisionally (RFC 3261 9.1)."""
        txn = self._txn
        if txn is None or (txn.final.done() and txn.final.result().status >= 300):
            return
        self._cancel_sent = True
        if txn.provisional:
            self._send_cancel()
        txn.final.add_done_callback(self._late_answer)

    def _send_cancel(self) -> None:
        txn = self._txn
        if txn is None or txn.final.done():
            return
        invite = txn.request
        cancel = SipRequest(method="CANCEL", uri=invite.uri)
        cancel.headers.add("Via", invite.headers.get_all("Via")[0])
        for name in ("Route",):
            for value in invite.headers.get_all(name):
                cancel.headers.add(name, value)
        for name in ("Max-Forwards", "From", "To", "Call-ID"):
            cancel.headers.add(name, invite.headers.get(name) or "")
        cancel.headers.add("CSeq", f"{invite.cseq.number} CANCEL")
        self.core.send_request(cancel, txn.peer)
        self._cancel_sent = False

    def _late_answer(self, future: asyncio.Future[SipResponse]) -> None:
        """The phone answered although we cancelled (a race): acknowledge and hang up."""
        if future.cancelled() or self._txn is None:
            return
        response = future.result()
        if 200 <= response.status < 300 and self.dialog is None:
            dialog = Dialog.as_uac(self._txn.request, response, self._txn.peer)
            self.dialog = dialog
            self.core.send_ack(dialog, self._txn)
            task = asyncio.get_running_loop().create_task(self.hangup())
            _background.add(task)
            task.add_done_callback(_background.discard)
        elif self.dialog is None:
            self._finish("cancelled")


_background: set[asyncio.Task[None]] = set()
