"""Settings of the voice endpoint, from code, a mapping (TOML/YAML section) or environment."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from omnicenter.channels.voice.menu import DEMO_MENU, MenuDefinition, load_menu

__all__ = ["AgentAccount", "VoiceSettings"]


@dataclass(frozen=True, slots=True)
class AgentAccount:
    """A SIP account an agent's softphone registers with (digest username and password)."""

    username: str
    password: str
    agent_id: str


@dataclass(frozen=True)
class VoiceSettings:
    host: str = "127.0.0.1"  # SIP and RTP bind address
    port: int = 5060  # SIP port, UDP and TCP; 0 picks a free one (tests)
    tcp: bool = True
    media_host: str | None = None  # address written in SDP and Contact; defaults to host
    rtp_port_min: int = 20000  # 0 means any free port (tests)
    rtp_port_max: int = 20999
    codecs: tuple[str, ...] = ("PCMU", "PCMA")  # preference order for our own offers
    realm: str = "omnicenter"
    accounts: tuple[AgentAccount, ...] = ()
    data_dir: Path = Path("data/voice")
    generate_prompts: bool = True
    menu: MenuDefinition = field(default_factory=lambda: MenuDefinition.from_mapping(DEMO_MENU))
    answer_after: float = 0.0  # seconds of ringing (180) before the IVR answers
    ring_timeout: float = 20.0  # seconds an agent's phone rings before the call goes back
    caller_id: str = "omnicenter"  # user part of From on outbound calls (a number for PSTN)
    caller_name: str | None = "omnicenter"
    trunk: str | None = None  # `host:port` of the SIP trunk/proxy for calls to numbers
    trunk_username: str | None = None
    trunk_password: str | None = None
    region: str = "PL"  # for reading national caller numbers as E.164
    recordings_retention_days: int = 90
    recordings_sweep_interval: float = 3600.0  # seconds between retention sweeps; 0 = never
    min_expires: int = 60  # shortest registration a phone may ask for (423 below it)
    t1: float = 0.5  # RFC 3261 timer T1; tests shorten it

    @property
    def advertised_host(self) -> str:
        return self.media_host or self.host

    @property
    def prompts_dir(self) -> Path:
        return self.data_dir / "prompts"

    @property
    def recordings_dir(self) -> Path:
        return self.data_dir / "recordings"

    def account(self, username: str) -> AgentAccount | None:
        return next((a for a in self.accounts if a.username == username), None)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> VoiceSettings:
        """Read a `[voice]` section: plain keys, `accounts` as a list of tables, `menu` as a
        table or a path to a YAML file."""
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise ValueError(f"unknown voice setting {key!r}")
            if key == "accounts":
                value = tuple(AgentAccount(**a) for a in value)
            elif key == "menu":
                value = (
                    load_menu(Path(value))
                    if isinstance(value, str)
                    else MenuDefinition.from_mapping(value)
                )
            elif key == "data_dir":
                value = Path(value)
            elif key == "codecs":
                value = tuple(value)
            values[key] = value
        return cls(**values)

    def with_env(self, environ: Mapping[str, str] | None = None) -> VoiceSettings:
        """Apply `OMNICENTER_SIP_*`/`OMNICENTER_RTP_*`/`OMNICENTER_VOICE_*` variables."""
        env = os.environ if environ is None else environ
        mapping: dict[str, tuple[str, Callable[[str], Any]]] = {
            "OMNICENTER_SIP_HOST": ("host", str),
            "OMNICENTER_SIP_PORT": ("port", int),
            "OMNICENTER_SIP_MEDIA_HOST": ("media_host", str),
            "OMNICENTER_RTP_PORT_MIN": ("rtp_port_min", int),
            "OMNICENTER_RTP_PORT_MAX": ("rtp_port_max", int),
            "OMNICENTER_VOICE_DATA_DIR": ("data_dir", Path),
            "OMNICENTER_VOICE_CALLER_ID": ("caller_id", str),
            "OMNICENTER_VOICE_TRUNK": ("trunk", str),
            "OMNICENTER_VOICE_MENU": ("menu", lambda p: load_menu(Path(p))),
        }
        changes: dict[str, Any] = {}
        for var, (name, conv) in mapping.items():
            if var in env:
                changes[name] = conv(env[var])
        return replace(self, **changes)
