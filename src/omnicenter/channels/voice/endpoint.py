"""The voice endpoint: SIP registrar for agent phones, IVR for callers, B2BUA between them.

Entry points stay thin: a REGISTER is authenticated and stored, an INVITE becomes an
`InboundCall` task, and every decision goes through the `VoiceService` given at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from omnicenter.channels.voice.calls import CallState, InboundCall, bridge
from omnicenter.channels.voice.config import AgentAccount, VoiceSettings
from omnicenter.channels.voice.core import SipCore
from omnicenter.channels.voice.legs import CallFailed, InboundLeg, OutboundLeg
from omnicenter.channels.voice.media.clock import MediaClock
from omnicenter.channels.voice.media.ports import PortRange, PortsExhausted
from omnicenter.channels.voice.media.sdp import SdpError
from omnicenter.channels.voice.media.session import open_rtp_session
from omnicenter.channels.voice.prompts import PromptStore
from omnicenter.channels.voice.registrar import Registrar, RegistrationError
from omnicenter.channels.voice.service import (
    AgentTarget,
    CallEvent,
    CallEventKind,
    CallInfo,
    SimpleVoiceService,
    VoiceService,
    normalise_number,
)
from omnicenter.channels.voice.sip import SipRequest, make_response
from omnicenter.channels.voice.sip.digest import DigestAuthenticator
from omnicenter.channels.voice.transactions import ServerTransaction, Timers
from omnicenter.channels.voice.transport import Peer
from omnicenter.domain import new_id

__all__ = ["VoiceEndpoint"]

log = logging.getLogger(__name__)


class VoiceEndpoint(SipCore):
    allowed = ("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO", "REGISTER", "REFER")
    user_agent = "omnicenter-voice"

    def __init__(self, settings: VoiceSettings, service: VoiceService | None = None) -> None:
        super().__init__(
            settings.host, settings.port, tcp=settings.tcp, timers=Timers(t1=settings.t1)
        )
        self.settings = settings
        self.service: VoiceService = service if service is not None else SimpleVoiceService()
        self.prompts = PromptStore(settings.prompts_dir, settings.menu.prompts)
        self.clock = MediaClock()
        self.ports = PortRange(settings.rtp_port_min, settings.rtp_port_max)
        self.registrar = Registrar(
            min_expires=settings.min_expires, on_change=self._binding_changed
        )
        self._registrations = asyncio.Event()  # a binding changed: the next expiry may move
        self.auth = DigestAuthenticator(settings.realm, self._password)
        self.calls: dict[str, InboundCall] = {}
        self._tasks: set[asyncio.Future[Any]] = set()
        if isinstance(self.service, SimpleVoiceService):
            self.service.control = self

    async def start(self) -> None:
        if self.settings.generate_prompts:
            await asyncio.to_thread(self.prompts.ensure)
        await super().start()
        self.keep(asyncio.ensure_future(self._expire_bindings()))
        log.info("SIP listening on %s:%d (UDP%s)", self.host, self.port, "+TCP" if self.tcp else "")

    async def aclose(self) -> None:
        for call in list(self.calls.values()):
            await call.hangup()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.clock.aclose()
        await super().aclose()

    def keep(self, task: asyncio.Future[Any]) -> None:
        """Hold a reference to a background task until it finishes."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- SIP entry points ------------------------------------------------------------------

    def on_new_request(self, request: SipRequest, txn: ServerTransaction) -> None:
        if request.method == "INVITE":
            self.keep(asyncio.ensure_future(self._new_call(txn)))
        elif request.method == "REGISTER":
            self._register(request, txn)
        elif request.method == "OPTIONS":
            self.reply_options(txn)
        else:  # BYE/INFO outside a dialog
            self.txns.reply(txn, 481)

    def _register(self, request: SipRequest, txn: ServerTransaction) -> None:
        result = self.auth.verify(request.headers.get("Authorization"), "REGISTER")
        if result.username is None:
            response = make_response(request, 401, to_tag=None)
            response.headers.add("WWW-Authenticate", self.auth.challenge(stale=result.stale))
            self.txns.respond(txn, response)
            return
        try:
            bindings = self.registrar.register(result.username, request, txn.peer)
        except RegistrationError as exc:
            response = make_response(request, exc.status)
            if exc.status == 423:
                response.headers.add("Min-Expires", str(self.registrar.min_expires))
            self.txns.respond(txn, response)
            return
        response = make_response(request, 200, to_tag=None)
        for contact, expires in bindings:
            response.headers.add("Contact", f"<{contact}>;expires={expires}")
        self.txns.respond(txn, response)

    def account(self, username: str) -> AgentAccount | None:
        """The SIP account of `username`; the service layer overrides it to read its agents."""
        return self.settings.account(username)

    def _password(self, username: str) -> str | None:
        account = self.account(username)
        return account.password if account is not None else None

    async def _expire_bindings(self) -> None:
        """Drop each registration when it runs out, so an agent whose phone went away
        stops being offered calls without waiting for the next call to notice."""
        while True:
            timeout = self.registrar.seconds_to_next_expiry()
            with contextlib.suppress(TimeoutError):  # (not `wait_for`: see routing_live)
                async with asyncio.timeout(timeout):
                    await self._registrations.wait()
            self._registrations.clear()
            self.registrar.bindings()

    def _binding_changed(self, username: str, binding: object) -> None:
        self._registrations.set()
        account = self.account(username)
        if account is not None:
            self.service.agent_phone(account.agent_id, username, binding is not None)

    async def _new_call(self, txn: ServerTransaction) -> None:
        request = txn.request
        self.txns.reply(txn, 100)
        try:
            rtp = await open_rtp_session(self.settings.host, self.ports, self.clock)
        except PortsExhausted:
            self.txns.reply(txn, 503)
            return
        try:
            leg = InboundLeg(self, rtp, self.settings.advertised_host, self.settings.codecs, txn)
            if leg.offer is not None:
                leg.accept_offer(leg.offer)  # refuse codecs we lack before ringing
        except SdpError as exc:
            rtp.close()
            self.txns.reply(txn, exc.status or 488)
            return
        if txn.cancelled:
            leg.close()
            return
        caller = request.from_
        info = CallInfo(
            call_id=new_id("call"),
            caller=normalise_number(caller.uri.user or caller.uri.host, self.settings.region),
            called=request.request_uri.user or "",
            started_at=datetime.now(UTC),
            caller_name=caller.display,
            sip_call_id=request.call_id,
        )
        call = InboundCall(self, leg, info)
        self.calls[info.call_id] = call
        await call.run()

    # --- outbound legs ---------------------------------------------------------------------

    async def dial_agent(
        self, agent: AgentTarget, info: CallInfo, *, on_ringing: Callable[[], None] | None = None
    ) -> OutboundLeg:
        binding = self.registrar.lookup(agent.username)
        if binding is None:
            raise CallFailed(480, "agent phone not registered")
        rtp = await open_rtp_session(self.settings.host, self.ports, self.clock)
        leg = OutboundLeg(self, rtp, self.settings.advertised_host, self.settings.codecs)
        display = (info.caller_name or info.caller).replace('"', "")
        try:
            await leg.dial(
                binding.contact,
                binding.peer,
                from_=f'"{display}" <sip:{info.caller}@{self.host}>',
                ring_timeout=self.settings.ring_timeout,
                on_ringing=on_ringing,
                extra_headers=(("X-Omnicenter-Call", info.call_id),),
            )
        except BaseException:
            if leg.dialog is None:
                leg.close()
            raise
        return leg

    def _customer_target(self, number: str) -> tuple[str, Peer]:
        if number.startswith("sip:"):
            from omnicenter.channels.voice.sip import SipUri

            uri = SipUri.parse(number)
            host, port = uri.address()
            return number, Peer("TCP" if uri.transport == "tcp" else "UDP", host, port)
        if self.settings.trunk is None:
            raise CallFailed(503, "no SIP trunk configured for calls to numbers")
        host, _, trunk_port = self.settings.trunk.partition(":")
        return f"sip:{number}@{self.settings.trunk}", Peer("UDP", host, int(trunk_port or 5060))

    async def place_callback(
        self, number: str, agent: AgentTarget, *, caller_id: str | None = None
    ) -> str:
        """Keep a callback promise: ring the agent, then dial the customer with our caller ID."""
        call_id = new_id("call")
        info = CallInfo(call_id, number, "", datetime.now(UTC), direction="outbound")
        emit = self.service.on_event
        try:
            agent_leg = await self.dial_agent(
                agent,
                CallInfo(call_id, number, "", datetime.now(UTC), caller_name=f"Callback {number}"),
            )
        except CallFailed as exc:
            await emit(
                CallEvent(
                    CallEventKind.NO_ANSWER,
                    call_id,
                    datetime.now(UTC),
                    agent.agent_id,
                    {"status": exc.status, "callback": number},
                )
            )
            await emit(
                CallEvent(
                    CallEventKind.ENDED,
                    call_id,
                    datetime.now(UTC),
                    agent.agent_id,
                    {"reason": "agent_no_answer"},
                )
            )
            return call_id
        await self.service.call_started(info)
        agent_leg.rtp.play(self.prompts.get("music_on_hold"), loop=True)
        rtp = await open_rtp_session(self.settings.host, self.ports, self.clock)
        customer = OutboundLeg(self, rtp, self.settings.advertised_host, self.settings.codecs)
        cid = caller_id or self.settings.caller_id
        name = f'"{self.settings.caller_name}" ' if self.settings.caller_name else ""
        reason = "completed"
        try:
            uri, peer = self._customer_target(number)
            credentials = None
            if self.settings.trunk_username and self.settings.trunk_password:
                credentials = (self.settings.trunk_username, self.settings.trunk_password)
            await customer.dial(
                uri,
                peer,
                from_=f"{name}<sip:{cid}@{self.host}>",
                ring_timeout=self.settings.ring_timeout * 2,
                credentials=credentials,
                extra_headers=(("P-Asserted-Identity", f"<sip:{cid}@{self.host}>"),),
            )
        except CallFailed as exc:
            reason = f"customer_failed_{exc.status}"
            customer.close()
            await agent_leg.hangup()
        else:
            await emit(
                CallEvent(
                    CallEventKind.CONNECTED,
                    call_id,
                    datetime.now(UTC),
                    agent.agent_id,
                    {"callback": number},
                )
            )
            bridge(customer, agent_leg)
            await asyncio.wait(
                {customer.ended, agent_leg.ended}, return_when=asyncio.FIRST_COMPLETED
            )
            await customer.hangup()
            await agent_leg.hangup()
        await emit(
            CallEvent(
                CallEventKind.ENDED,
                call_id,
                datetime.now(UTC),
                agent.agent_id,
                {"reason": reason, "callback": number},
            )
        )
        return call_id

    # --- desktop controls ------------------------------------------------------------------

    def find_call(self, call_id: str) -> InboundCall | None:
        return self.calls.get(call_id)

    def active_calls(self) -> dict[str, CallState]:
        return {cid: call.state for cid, call in self.calls.items()}
