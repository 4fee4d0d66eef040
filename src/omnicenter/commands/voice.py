"""`omnicenter voice ...`: call recordings housekeeping."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from omnicenter.settings import load_settings

voice_app = typer.Typer(help="Voice: call recordings.", no_args_is_help=True)
console = Console()


@voice_app.command("purge-recordings")
def purge_recordings(
    days: Annotated[
        int | None,
        typer.Option(
            help="keep this many days (default: recordings_retention_days); queues with a "
            "retention_days of their own keep theirs"
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only list what would go")] = False,
) -> None:
    """Delete call recordings older than the retention; their calls' timelines say so."""
    from omnicenter.channels.voice.retention import delete_recordings
    from omnicenter.live.phone.phone import voice_settings_for
    from omnicenter.live.phone.recordings import expired_for, retention_by_queue
    from omnicenter.services.calls import expire_recording
    from omnicenter.services.uow import UnitOfWork
    from omnicenter.store import Database

    settings = load_settings()
    voice = voice_settings_for(settings)
    if days is not None:
        if days < 1:
            console.print("[red]--days must be at least 1[/]")
            raise typer.Exit(2)
        voice = replace(voice, recordings_retention_days=days)
    old = expired_for(voice, datetime.now(UTC))
    own = "".join(f", {q}: {d} days" for q, d in sorted(retention_by_queue(voice).items()))
    if not old:
        console.print(
            f"no recordings older than {voice.recordings_retention_days} days{own} "
            f"in {voice.recordings_dir}"
        )
        return
    if dry_run:
        for rec in old:
            console.print(f"{rec.recorded_at:%Y-%m-%d %H:%M}  {rec.path}")
        console.print(f"{len(old)} recordings would be deleted")
        return
    db = Database(settings.sqlalchemy_url())
    db.migrate()
    marked = 0
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("deleting recordings", total=len(old))
        for rec in delete_recordings(old, lambda _: progress.advance(task)):
            if rec.call_id is None:
                continue
            with db.transaction() as conn:
                marked += expire_recording(UnitOfWork(conn), rec.call_id, str(rec.path))
    db.dispose()
    console.print(
        f"[green]deleted {len(old)} recordings[/] older than "
        f"{voice.recordings_retention_days} days{own}; {marked} timelines marked"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(voice_app, name="voice")
