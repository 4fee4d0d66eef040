"""A small scriptable SIP phone built on the same core: for tests, benchmarks and the demo.

It registers with digest auth, places calls, sends DTMF (RFC 4733 or SIP INFO), answers
incoming calls automatically and keeps what it hears, so a test can check that audio
really flowed. The interoperability tests use real phones (sipp, baresip) as well.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from omnicenter.channels.voice.core import SipCore
from omnicenter.channels.voice.legs import CallFailed, CallLeg, InboundLeg, OutboundLeg
from omnicenter.channels.voice.media.clock import MediaClock
from omnicenter.channels.voice.media.ports import PortRange
from omnicenter.channels.voice.media.session import open_rtp_session
from omnicenter.channels.voice.sip import SipRequest, SipResponse
from omnicenter.channels.voice.sip.digest import client_authorization
from omnicenter.channels.voice.transactions import ServerTransaction, Timers
from omnicenter.channels.voice.transport import Peer

__all__ = ["PhoneCall", "Softphone"]

Pcm = npt.NDArray[np.int16]


@dataclass(eq=False)
class PhoneCall:
    leg: CallLeg
    heard: list[Pcm] = field(default_factory=list)

    def audio(self) -> Pcm:
        return np.concatenate(self.heard) if self.heard else np.zeros(0, np.int16)

    def clear(self) -> None:
        self.heard.clear()

    async def dtmf(self, digit: str, *, info: bool = False) -> None:
        if not info:
            await self.leg.rtp.send_digit(digit)
            return
        assert self.leg.dialog is not None
        response = await self.leg.core.in_dialog(
            self.leg.dialog,
            "INFO",
            body=f"Signal={digit}\r\nDuration=160\r\n".encode(),
            content_type="application/dtmf-relay",
            within=5,
        )
        if response.status != 200:
            raise CallFailed(response.status, response.reason)

    async def hangup(self) -> None:
        await self.leg.hangup()


class Softphone(SipCore):
    user_agent = "omnicenter-softphone"

    def __init__(
        self,
        username: str,
        server: tuple[str, int],
        *,
        password: str | None = None,
        host: str = "127.0.0.1",
        protocol: str = "UDP",
        answer_with: Pcm | None = None,
        answer: bool = True,
        t1: float = 0.5,
    ) -> None:
        super().__init__(host, 0, tcp=protocol == "TCP", timers=Timers(t1=t1))
        self.username = username
        self.password = password
        self.server = Peer(protocol, *server)
        self.clock = MediaClock()
        self.ports = PortRange(0)
        self.answer_with = answer_with
        self.auto_answer = answer
        self.incoming: asyncio.Queue[PhoneCall] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.clock.aclose()
        await super().aclose()

    async def register(self, expires: int = 300) -> SipResponse:
        server = f"sip:{self.server.host}:{self.server.port}"
        call_id = f"{os.urandom(8).hex()}@{self.host}"
        authorization: str | None = None
        for cseq in (1, 2):
            request = self.new_request(
                "REGISTER",
                server,
                from_=f"<sip:{self.username}@{self.server.host}>;tag={os.urandom(4).hex()}",
                to=f"<sip:{self.username}@{self.server.host}>",
                call_id=call_id,
                cseq=cseq,
                protocol=self.server.protocol,
            )
            request.headers.add("Contact", self.contact(self.username, self.server.protocol))
            request.headers.add("Expires", str(expires))
            if authorization:
                request.headers.add("Authorization", authorization)
            response = await self.send_request(request, self.server).final
            if response.status != 401 or self.password is None or authorization:
                return response
            authorization = client_authorization(
                response.headers.get("WWW-Authenticate") or "",
                method="REGISTER",
                uri=server,
                username=self.username,
                password=self.password,
            )
        return response

    async def call(
        self, user: str = "ivr", *, caller: str | None = None, ring_timeout: float = 10
    ) -> PhoneCall:
        rtp = await open_rtp_session(self.host, self.ports, self.clock)
        leg = OutboundLeg(self, rtp, self.host, ("PCMU", "PCMA"))
        phone_call = PhoneCall(leg)
        rtp.audio_listeners.append(phone_call.heard.append)
        await leg.dial(
            f"sip:{user}@{self.server.host}:{self.server.port}",
            self.server,
            from_=f"<sip:{caller or self.username}@{self.host}>",
            ring_timeout=ring_timeout,
        )
        return phone_call

    def on_new_request(self, request: SipRequest, txn: ServerTransaction) -> None:
        if request.method != "INVITE":
            super().on_new_request(request, txn)
            return
        task = asyncio.ensure_future(self._incoming(txn))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _incoming(self, txn: ServerTransaction) -> None:
        rtp = await open_rtp_session(self.host, self.ports, self.clock)
        leg = InboundLeg(self, rtp, self.host, ("PCMU", "PCMA"), txn)
        phone_call = PhoneCall(leg)
        rtp.audio_listeners.append(phone_call.heard.append)
        if not self.auto_answer:
            leg.ring()
            await self.incoming.put(phone_call)
            return
        leg.ring()
        leg.answer()
        if self.answer_with is not None:
            rtp.play(self.answer_with, loop=True)
        await self.incoming.put(phone_call)
