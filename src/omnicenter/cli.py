"""The `omnicenter` command.

Each command group lives in its own module under `omnicenter.commands` and exposes
`register(app: typer.Typer) -> None`; this module only collects them, so adding a command
never means editing a shared file.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

import omnicenter.commands as commands_pkg

__all__ = ["app", "main"]

app = typer.Typer(
    name="omnicenter",
    help="Omnichannel contact center: one customer, one timeline, one routing engine.",
    no_args_is_help=True,
    add_completion=False,
)


def _register_commands() -> None:
    for module_info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands_pkg.__name__}.{module_info.name}")
        module.register(app)


_register_commands()


def main() -> None:
    app()
