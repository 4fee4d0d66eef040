"""Where each channel's recorded payloads are, and readers for their formats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["ROOT", "fixtures_of", "form_params", "load_json"]

ROOT = Path(__file__).resolve().parents[3]
_CHANNEL_FIXTURES = ROOT / "tests" / "fixtures" / "channels"
# Email's recorded mail predates the channels folder, and the benchmarks read it there.
_ELSEWHERE = {"email": ROOT / "tests" / "fixtures" / "email"}


def fixtures_of(name: str) -> Path:
    """The fixtures folder of the channel package `name` (`sms`, `forms`, ...)."""
    return _ELSEWHERE.get(name, _CHANNEL_FIXTURES / name)


def form_params(path: Path) -> list[tuple[str, str]]:
    """An `application/x-www-form-urlencoded` body, as (name, value) pairs in order."""
    return parse_qsl(path.read_text(encoding="utf-8").strip(), keep_blank_values=True)


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
