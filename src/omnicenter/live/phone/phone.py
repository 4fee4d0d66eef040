"""The phone line as one live component: the SIP endpoint, the service behind it, and the
recordings sweep. `start_phone` starts it; `Phone.stop` stops it."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from omnicenter.channels.voice import AgentAccount, VoiceEndpoint, VoiceSettings
from omnicenter.live.phone.recordings import keeps_forever, sweep_recordings
from omnicenter.live.phone.service import LiveVoiceService
from omnicenter.live.ports import Ingest, PhoneRouting
from omnicenter.runtime import Runtime
from omnicenter.services.calls import close_stale_calls
from omnicenter.settings import Settings

__all__ = ["Phone", "start_phone", "voice_settings_for"]


class _LiveEndpoint(VoiceEndpoint):
    """The endpoint, with agents' SIP accounts read from the service."""

    def __init__(self, settings: VoiceSettings, service: LiveVoiceService) -> None:
        super().__init__(settings, service)
        self.live = service

    def account(self, username: str) -> AgentAccount | None:
        return self.live.account(username)


@dataclass
class Phone:
    endpoint: VoiceEndpoint
    service: LiveVoiceService

    async def stop(self) -> None:
        await self.endpoint.aclose()
        await self.service.close()


def voice_settings_for(
    settings: Settings, environ: Mapping[str, str] | None = None
) -> VoiceSettings:
    """`[voice]` of the TOML file named by `OMNICENTER_VOICE_CONFIG` (if any), with the
    product's SIP host/port, region and data dir, then `OMNICENTER_SIP_*`/`..._VOICE_*`."""
    env = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    path = env.get("OMNICENTER_VOICE_CONFIG") or settings.voice_config
    if path:
        with open(path, "rb") as fh:
            data = dict(tomllib.load(fh).get("voice", {}))
    data.setdefault("host", settings.sip_host)
    data.setdefault("port", settings.sip_port)
    data.setdefault("region", settings.default_region)
    data.setdefault("data_dir", str(Path(settings.data_dir) / "voice"))
    return VoiceSettings.from_mapping(data).with_env(env)


async def start_phone(
    runtime: Runtime,
    router: PhoneRouting | None,
    settings: VoiceSettings,
    *,
    ingest: Ingest,
    secret: bytes,
    require_ivr_skills: bool = False,
) -> Phone:
    """Close the calls a stopped process left open, then start the SIP endpoint."""
    if router is not None and router.offer_timeout > 0:
        # The ring is the offer: give up ringing before routing gives up the offer.
        ring = min(settings.ring_timeout, max(1.0, router.offer_timeout - 1))
        settings = replace(settings, ring_timeout=ring)
    stale = await runtime.write(close_stale_calls)
    if router is not None:
        for interaction_id in stale:
            task_id = router.task_for_interaction(interaction_id)
            if task_id is not None:
                router.complete(task_id)
    service = LiveVoiceService(
        runtime,
        router,
        ingest=ingest,
        secret=secret,
        accounts=settings.accounts,
        require_ivr_skills=require_ivr_skills,
    )
    await service.load_agents()
    if router is not None:
        # Agents routing holds already get the filter now; later ones as they are added.
        router.add_spec_filter(service.phone_capacity)
        for agent_id in service.known_agents():
            await router.refresh_agent(agent_id)
    endpoint = _LiveEndpoint(settings, service)
    service.control = endpoint
    await endpoint.start()
    if settings.recordings_sweep_interval > 0 and not keeps_forever(settings):
        service.keep_running(sweep_recordings(runtime, settings))
    return Phone(endpoint, service)
