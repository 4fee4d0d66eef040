"""`omnicenter flow ...`: check a flow file, or chat with it in the terminal as a customer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

__all__ = ["register"]

flow_app = typer.Typer(help="Bot and IVR flows: check and try them.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@flow_app.command("check")
def check(files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Validate flow files; print every problem as FILE:LINE:COLUMN: message."""
    from omnicenter.flows import FlowError, load_flow

    failed = False
    for path in files:
        try:
            flow = load_flow(path)
        except FlowError as exc:
            failed = True
            for issue in exc.issues:
                err.print(f"[red]{issue.format(str(path))}[/red]", highlight=False)
            continue
        inputs = sum(
            1 for s in flow.steps.values() if type(s).__name__ in ("Ask", "Choose", "Collect")
        )
        console.print(
            f"[green]ok[/green] {path}: flow [bold]{flow.id}[/bold] v{flow.version}, "
            f"{len(flow.steps)} steps ({inputs} waiting for input), {len(flow.intents)} intents",
            highlight=False,
        )
    if failed:
        raise typer.Exit(1)


@flow_app.command("try")
def try_flow(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    channel: Annotated[
        str, typer.Option(help="webchat, messenger, sms, email or voice")
    ] = "webchat",
    lang: Annotated[str | None, typer.Option(help="pl or en; default: detect")] = None,
    customer: Annotated[str | None, typer.Option(help="customer id, for loyalty prices")] = None,
    catalog: Annotated[
        Path | None, typer.Option(help="import this catalog folder into memory first")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="use the knowledge saved here (default: settings)")
    ] = None,
    sources: Annotated[
        bool, typer.Option(help="show the sources of facts, as agents see them")
    ] = True,
) -> None:
    """Chat with a flow in the terminal, typing as a customer. /quit or Ctrl-D ends."""
    from omnicenter.domain import Channel, new_id
    from omnicenter.flows import FlowEngine, FlowError, load_flow, render
    from omnicenter.knowledge import (
        FileKnowledgeRepository,
        InMemoryKnowledgeRepository,
        KnowledgeService,
    )

    try:
        flow = load_flow(file)
    except FlowError as exc:
        err.print(f"[red]{exc}[/red]", highlight=False)
        raise typer.Exit(1) from None
    if catalog is not None:
        knowledge = KnowledgeService(InMemoryKnowledgeRepository())
        report = knowledge.import_files(sorted(p for p in catalog.iterdir() if p.is_file()))
        if not report.applied:
            for row in report.rejected:
                err.print(f"[red]{row}[/red]", highlight=False)
            raise typer.Exit(1)
    else:
        if data_dir is None:
            from omnicenter.settings import load_settings

            data_dir = load_settings().data_dir
        knowledge = KnowledgeService(FileKnowledgeRepository(data_dir))
    target = Channel(channel)
    engine = FlowEngine(knowledge)
    turn = engine.start(
        flow, conversation_id=new_id("cnv"), channel=target.value, customer_id=customer, lang=lang
    )
    console.print(f"[dim]{flow.id} v{flow.version} on {target.value}; /quit to stop[/dim]")
    while True:
        for message in render(turn.outputs, target, turn.state.lang):
            console.print(f"[bold cyan]bot>[/bold cyan] {message.text}", highlight=False)
            if message.buttons:
                labels = " ".join(f"[{b.label}]" for b in message.buttons)
                console.print(f"     [magenta]{labels}[/magenta]", highlight=False)
            if message.dtmf:
                console.print(f"     [magenta]keys: {message.dtmf}[/magenta]", highlight=False)
            if sources:
                for fact in message.facts:
                    console.print(
                        f"     [dim]source: {', '.join(fact['sources'])}[/dim]", highlight=False
                    )
        if turn.handover is not None:
            context = turn.handover.to_context()
            console.print(
                f"[yellow]handover to queue {context['queue']} ({context['reason']}), intent "
                f"{context['intent']}, fields {context['fields']}[/yellow]",
                highlight=False,
            )
            return
        if turn.ended:
            return
        try:
            text = console.input("[bold green]you>[/bold green] ")
        except EOFError:
            return
        if text.strip() == "/quit":
            return
        if target in (Channel.WEBCHAT, Channel.MESSENGER) and turn.prompt is not None:
            # Typing a button's label counts as pressing it, as in the widget.
            for option in turn.prompt.options:
                if text.strip().lower() == option.label.lower():
                    text = option.value
        turn = engine.handle(flow, turn.state, text)


def register(app: typer.Typer) -> None:
    app.add_typer(flow_app, name="flow")
