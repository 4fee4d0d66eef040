"""Where the live router's configuration comes from: the file the supervisor last saved
(`data_dir/routing.json`, written by the routing API), else the configured TOML file,
else the packaged default (examples/routing/demo.toml's twin)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

__all__ = ["SAVED_ROUTING", "load_routing_config", "routing_config_for", "save_routing_config"]

SAVED_ROUTING = "routing.json"


def load_routing_config(path: str | None) -> dict[str, Any]:
    """The configured TOML file, or the packaged default."""
    if path:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    default = Path(__file__).resolve().parent.parent / "config" / "routing.toml"
    with default.open("rb") as fh:
        return tomllib.load(fh)


def routing_config_for(data_dir: str | Path, configured: str | None) -> dict[str, Any]:
    saved = Path(data_dir) / SAVED_ROUTING
    if saved.exists():
        raw: dict[str, Any] = json.loads(saved.read_text())
        return raw
    return load_routing_config(configured)


def save_routing_config(data_dir: str | Path, config: dict[str, Any]) -> None:
    """Kept beside the database, so that a restart keeps the rules the admin set."""
    (Path(data_dir) / SAVED_ROUTING).write_text(json.dumps(config, indent=2))
