"""The `omnicenter` command.

Each command group lives in its own module under `omnicenter.commands` and exposes
`register(app: typer.Typer) -> None`; this module only collects them, so adding a command
never means editing a shared file.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption
from typer.main import get_command

import omnicenter.commands as commands_pkg

__all__ = ["app", "main"]

app = typer.Typer(
    name="omnicenter",
    help="Omnichannel contact center: one customer, one timeline, one routing engine.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"omnicenter {importlib.metadata.version('omnicenter')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Omnichannel contact center: one customer, one timeline, one routing engine."""


def _register_commands() -> None:
    for module_info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands_pkg.__name__}.{module_info.name}")
        module.register(app)


_register_commands()


def _plain_help_options(command: TyperCommand | TyperGroup, ctx: typer.Context) -> None:
    """Typer prints every option's type; `--help` and `--version` take no value: no `<bool>`."""
    help_option = command.get_help_option(ctx)  # created once per command, then cached
    for param in [*command.params, *([help_option] if help_option else [])]:
        if isinstance(param, TyperOption) and param.opts[0] in ("--help", "--version"):
            param.metavar = ""
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            if isinstance(sub, TyperCommand | TyperGroup):
                _plain_help_options(sub, typer.Context(sub, info_name=name, parent=ctx))


def main() -> None:
    command = get_command(app)
    if isinstance(command, TyperCommand | TyperGroup):
        _plain_help_options(command, typer.Context(command, info_name="omnicenter"))
    command()
