"""Fixtures for voice integration tests: an endpoint on ephemeral ports and phones."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from voice_helpers import TEST_MENU, make_prompts

from omnicenter.channels.voice import (
    AgentAccount,
    MenuDefinition,
    SimpleVoiceService,
    VoiceEndpoint,
    VoiceSettings,
)
from omnicenter.channels.voice.softphone import Softphone


@pytest.fixture
def settings(tmp_path: Path) -> VoiceSettings:
    data = tmp_path / "voice"
    make_prompts(data / "prompts")
    return VoiceSettings(
        port=0,
        rtp_port_min=0,
        data_dir=data,
        generate_prompts=False,
        menu=MenuDefinition.from_mapping(TEST_MENU),
        accounts=(
            AgentAccount("agent1", "secret1", "agt_1"),
            AgentAccount("agent2", "secret2", "agt_2"),
        ),
        ring_timeout=3,
        t1=0.1,
    )


@pytest.fixture
async def endpoint(settings: VoiceSettings) -> AsyncIterator[VoiceEndpoint]:
    ep = VoiceEndpoint(settings, SimpleVoiceService())
    await ep.start()
    yield ep
    await ep.aclose()


@pytest.fixture
def service(endpoint: VoiceEndpoint) -> SimpleVoiceService:
    assert isinstance(endpoint.service, SimpleVoiceService)
    return endpoint.service


@pytest.fixture
async def phones(endpoint: VoiceEndpoint) -> AsyncIterator[list[Softphone]]:
    made: list[Softphone] = []
    yield made
    for phone in made:
        await phone.aclose()
