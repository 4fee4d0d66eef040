"""The IVR menu as data: nodes with a prompt and digit options, and per-queue settings.

A menu is a mapping (YAML, TOML or JSON) so that it can be changed without code. It answers
calls when no flow runs on the phone (`services/voice_flows.py`); its queue settings (music,
callback key, recording) also apply to a flow's handover queue of the same name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "DEMO_MENU",
    "MenuDefinition",
    "MenuError",
    "MenuNode",
    "MenuOption",
    "QueueSettings",
    "load_menu",
]

ACTIONS = ("queue", "menu", "callback", "hangup", "repeat")


class MenuError(ValueError):
    """A menu definition that does not hold together (unknown node, queue or action)."""


@dataclass(frozen=True, slots=True)
class MenuOption:
    action: str
    target: str | None = None  # queue name for `queue`, node name for `menu`
    skills: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MenuNode:
    name: str
    prompt: str
    options: dict[str, MenuOption]
    timeout: float = 5.0
    retries: int = 2
    on_timeout: MenuOption | None = None  # after the retries; None hangs up


@dataclass(frozen=True, slots=True)
class QueueSettings:
    name: str
    skills: dict[str, int] = field(default_factory=dict)
    announce_wait: bool = True
    callback_digit: str | None = "9"
    recording: bool = False
    music: str = "music_on_hold"
    # days its recordings are kept (its own folder); None: `recordings_retention_days`
    retention_days: int | None = None


@dataclass(frozen=True, slots=True)
class MenuDefinition:
    start: str
    nodes: dict[str, MenuNode]
    queues: dict[str, QueueSettings]
    prompts: dict[str, str] = field(default_factory=dict)  # name -> text for generated prompts

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> MenuDefinition:
        try:
            queues = {
                name: QueueSettings(
                    name=name,
                    skills=dict(q.get("skills", {})),
                    announce_wait=bool(q.get("announce_wait", True)),
                    callback_digit=None
                    if q.get("callback_digit") is None
                    else str(q["callback_digit"]),
                    recording=bool(q.get("recording", False)),
                    music=str(q.get("music", "music_on_hold")),
                    retention_days=None
                    if q.get("retention_days") is None
                    else int(q["retention_days"]),
                )
                for name, q in dict(data.get("queues", {})).items()
            }
            nodes = {}
            for name, node in dict(data["nodes"]).items():
                options = {str(d): _option(o) for d, o in dict(node.get("options", {})).items()}
                timeout_opt = node.get("on_timeout")
                nodes[name] = MenuNode(
                    name=name,
                    prompt=str(node["prompt"]),
                    options=options,
                    timeout=float(node.get("timeout", 5.0)),
                    retries=int(node.get("retries", 2)),
                    on_timeout=_option(timeout_opt) if timeout_opt is not None else None,
                )
            menu = cls(
                start=str(data.get("start", next(iter(nodes)))),
                nodes=nodes,
                queues=queues,
                prompts={str(k): str(v) for k, v in dict(data.get("prompts", {})).items()},
            )
        except (KeyError, TypeError, ValueError, StopIteration) as exc:
            raise MenuError(f"bad menu definition: {exc!r}") from None
        menu.check()
        return menu

    def check(self) -> None:
        if self.start not in self.nodes:
            raise MenuError(f"start node {self.start!r} is not defined")
        for queue in self.queues.values():
            if queue.retention_days is not None and queue.retention_days < 0:
                raise MenuError(f"queue {queue.name}: retention_days must be 0 (keep) or more")
        for node in self.nodes.values():
            for digit, option in node.options.items():
                if len(digit) != 1 or digit not in "0123456789*#":
                    raise MenuError(f"{node.name}: {digit!r} is not a phone key")
                self._check_option(node.name, option)
            if node.on_timeout is not None:
                self._check_option(node.name, node.on_timeout)

    def _check_option(self, node: str, option: MenuOption) -> None:
        if option.action not in ACTIONS:
            raise MenuError(f"{node}: unknown action {option.action!r}")
        if option.action == "queue" and option.target not in self.queues:
            raise MenuError(f"{node}: unknown queue {option.target!r}")
        if option.action == "menu" and option.target not in self.nodes:
            raise MenuError(f"{node}: unknown menu {option.target!r}")


def _option(raw: Any) -> MenuOption:
    if isinstance(raw, str):  # shorthand: "queue:sales", "menu:hours", "hangup"
        action, _, target = raw.partition(":")
        return MenuOption(action, target or None)
    return MenuOption(str(raw["action"]), raw.get("target"), dict(raw.get("skills", {})))


def load_menu(path: Path) -> MenuDefinition:
    with path.open(encoding="utf-8") as f:
        return MenuDefinition.from_mapping(yaml.safe_load(f))


DEMO_MENU: dict[str, Any] = {
    "start": "main",
    "prompts": {
        "welcome": "Welcome to omnicenter. For sales, press 1. For support, press 2. "
        "For our opening hours, press 3.",
        "hours": "We are open every day from eight to eight.",
        "goodbye": "Thank you for calling. Goodbye.",
        "invalid": "Sorry, that is not an option.",
        "queued": "All our agents are busy. Please hold, or press 9 to be called back.",
        "callback_ok": "Thank you. We will call you back as soon as an agent is free. Goodbye.",
        "recording_notice": "This call may be recorded.",
        "wait_short": "Your estimated waiting time is less than a minute.",
        **{f"wait_{n}": f"Your estimated waiting time is about {n} minutes." for n in range(2, 11)},
        "wait_long": "Your estimated waiting time is more than ten minutes.",
        "wait_1": "Your estimated waiting time is about one minute.",
    },
    "nodes": {
        "main": {
            "prompt": "welcome",
            "timeout": 5,
            "retries": 2,
            "options": {
                "1": {"action": "queue", "target": "sales"},
                "2": {"action": "queue", "target": "support"},
                "3": "menu:hours",
                "0": "repeat",
            },
            "on_timeout": "queue:support",
        },
        "hours": {"prompt": "hours", "options": {"0": "menu:main"}, "timeout": 1, "retries": 0},
    },
    "queues": {
        "sales": {"skills": {"sales": 1}, "callback_digit": "9", "recording": False},
        "support": {"skills": {"support": 1}, "callback_digit": "9", "recording": True},
    },
}
