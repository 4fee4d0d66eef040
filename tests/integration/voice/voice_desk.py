"""The live server over real HTTP with the SIP endpoint attached: for call-control tests.

`running_desk` serves the FastAPI app with uvicorn on a free port in the test's event loop,
attaches the voice endpoint (ephemeral SIP/RTP ports, tone prompts), and gives helpers to
make agents with passwords, log them in, register their softphones and place calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import uvicorn
from tests.conftest import free_port
from voice_helpers import PROMPT_TONES, TEST_MENU, Timeline, make_prompts

from omnicenter.api.app import create_app
from omnicenter.bootstrap import Services
from omnicenter.channels.voice import MenuDefinition, VoiceSettings
from omnicenter.channels.voice.media.audio import goertzel_power, tone
from omnicenter.channels.voice.softphone import PhoneCall, Softphone
from omnicenter.domain import Channel, Presence
from omnicenter.live.phone.accounts import sip_password
from omnicenter.live.phone.phone import Phone
from omnicenter.services.agents import NewAgent, create_agent, set_presence
from omnicenter.settings import Settings

CALLER = "+48601234567"
PASSWORD = "desk-password-1"


@dataclass
class Desk:
    services: Services
    voice: Phone
    base: str
    timeline: Timeline
    phones: list[Softphone] = field(default_factory=list)
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    async def agent(self, username: str, *, role: str = "agent") -> str:
        from omnicenter.domain import AgentRole

        new = NewAgent(
            username,
            username.title(),
            role=AgentRole(role),
            password=PASSWORD,
            channels=(Channel.VOICE, Channel.WEBCHAT),
        )
        agent = await self.services.runtime.write(create_agent, new, actor="test")
        await self.presence(agent.id, Presence.AVAILABLE)
        await self.voice.service.drain()  # voice has learnt the new agent's SIP account
        return agent.id

    async def presence(self, agent_id: str, presence: Presence) -> None:
        await self.services.runtime.write(set_presence, agent_id, presence, None, actor="test")

    async def client(self, username: str) -> httpx.AsyncClient:
        api = httpx.AsyncClient(base_url=f"{self.base}/api/v1", timeout=30)
        r = await api.post("/auth/token", json={"username": username, "password": PASSWORD})
        r.raise_for_status()
        api.headers["Authorization"] = f"Bearer {r.json()['token']}"
        self.clients.append(api)
        return api

    async def phone(self, user: str, **kwargs: Any) -> Softphone:
        ep = self.voice.endpoint
        made = Softphone(user, (ep.host, ep.port), t1=0.1, **kwargs)
        await made.start()
        self.phones.append(made)
        return made

    async def agent_phone(self, username: str, freq: float, *, expires: int = 300) -> Softphone:
        made = await self.phone(
            username,
            password=sip_password(self.services.secret, username),
            answer_with=tone(freq, 1.0),
        )
        assert (await made.register(expires)).status == 200
        await self.voice.service.drain()  # its voice capacity is applied
        return made

    async def queue_call(self, digit: str = "1") -> PhoneCall:
        caller = await self.phone(CALLER)
        call = await caller.call("ivr")
        await heard(call, PROMPT_TONES["welcome"])
        await call.dtmf(digit)
        return call


async def heard(call: PhoneCall, freq: float, within: float = 8.0) -> None:
    """The last 0.2 s the phone received is mostly `freq`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        audio = call.audio()
        if len(audio) >= 1600 and goertzel_power(audio[-1600:], freq) > 0.6:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"never heard {freq} Hz")


def energy(call: PhoneCall) -> float:
    audio = call.audio()[-1600:].astype(np.float64)
    return float(np.sqrt(np.mean(audio**2))) if len(audio) else 0.0


def voice_settings(data: Path, **changes: Any) -> VoiceSettings:
    make_prompts(data / "prompts")
    base: dict[str, Any] = {
        "port": 0,
        "rtp_port_min": 0,
        "data_dir": data,
        "generate_prompts": False,
        "menu": MenuDefinition.from_mapping(TEST_MENU),
        "ring_timeout": 3,
        "t1": 0.1,
        "min_expires": 1,
    }
    return VoiceSettings(**{**base, **changes})


@asynccontextmanager
async def running_desk(
    tmp_path: Path, *, database_url: str = "", **voice: Any
) -> AsyncIterator[Desk]:
    settings = Settings(
        data_dir=tmp_path,
        secret_key="voice-desk-secret",  # type: ignore[arg-type]
        database_url=database_url,
    )
    app = create_app(settings, smtp=False)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # uvicorn exposes a flag, not an event
        if serving.done():
            serving.result()
        await asyncio.sleep(0.02)
    services: Services = app.state.services
    timeline = Timeline()
    services.bus.subscribe(timeline)
    handle = await services.attach_voice(voice_settings(tmp_path / "voice", **voice))
    desk = Desk(services, handle, f"http://127.0.0.1:{port}", timeline)
    try:
        yield desk
    finally:
        for client in desk.clients:
            await client.aclose()
        for phone in desk.phones:
            await phone.aclose()
        server.should_exit = True
        await serving
