"""`omnicenter knowledge ...`: import catalog files, list and restore versions, ask a question.

Knowledge lives where the `knowledge_store` setting says: the database (default; every
version kept) or `<data_dir>/knowledge.json` (latest only).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

if TYPE_CHECKING:
    from omnicenter.knowledge import KnowledgeService

__all__ = ["register"]

knowledge_app = typer.Typer(
    help="Catalog, prices, stock, orders and policies.", no_args_is_help=True
)
console = Console()


@contextmanager
def _service(data_dir: Path | None) -> Iterator[KnowledgeService]:
    """The knowledge service on the configured store; `data_dir` overrides the setting."""
    from omnicenter.knowledge import FileKnowledgeRepository, KnowledgeService
    from omnicenter.settings import load_settings

    settings = load_settings(**({"data_dir": data_dir} if data_dir is not None else {}))
    if settings.knowledge_store == "file":
        yield KnowledgeService(FileKnowledgeRepository(settings.data_dir))
        return
    from omnicenter.store import Database
    from omnicenter.store.knowledge import SqlKnowledgeRepository

    db = Database(settings.sqlalchemy_url())
    try:
        db.migrate()
        yield KnowledgeService(SqlKnowledgeRepository(db))
    finally:
        db.dispose()


def _author() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


def _expand(paths: list[Path]) -> list[Path]:
    """A folder's CSV and JSON files in name order, in place of the folder."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".csv", ".json")))
        else:
            found.append(path)
    return found


@knowledge_app.command("import")
def import_files(
    files: Annotated[list[Path], typer.Argument(exists=True, help="files, or a folder of them")],
    data_dir: Annotated[Path | None, typer.Option(help="default: the data_dir setting")] = None,
    dry_run: Annotated[bool, typer.Option(help="validate only; save nothing")] = False,
    author: Annotated[str | None, typer.Option(help="who made the change (history)")] = None,
) -> None:
    """Import CSV and JSON files as one change: all of it, or nothing and a list of bad rows.

    A file is named after the kind of its rows (products.csv, variants.csv, stock.csv,
    rules.json, tiers.json, accounts.csv, orders.json, policies.json, faq.json,
    hours.csv); a JSON object of kind -> rows may hold several kinds. A folder stands for
    its CSV and JSON files (`omnicenter knowledge import examples/catalog`).
    """
    from omnicenter.knowledge import (
        InMemoryKnowledgeRepository,
        KnowledgeChange,
        KnowledgeService,
    )

    files = _expand(files)
    with _service(data_dir) as service:
        if dry_run:
            service = KnowledgeService(InMemoryKnowledgeRepository(service.snapshot))
        with Progress(
            TextColumn("[bold]reading[/bold] {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("files", total=len(files))

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, description=files[done - 1].name)

            change = KnowledgeChange(
                author=author or _author(), source="import " + ", ".join(f.name for f in files)
            )
            report = service.import_files(files, progress=advance, change=change)
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(report.counts.items())) or "no rows"
        if report.applied and report.unchanged:
            console.print(
                f"nothing changed ({counts}); knowledge stays at version {service.snapshot.revision}",
                highlight=False,
            )
            return
        if report.applied:
            verb = "would import" if dry_run else "imported"
            console.print(
                f"[green]{verb}[/green] {counts}; knowledge revision {report.snapshot.revision if report.snapshot else '?'}",
                highlight=False,
            )
            return
        table = Table(title=f"{len(report.rejected)} rejected row(s); nothing was imported")
        for column in ("file", "line", "kind", "reason"):
            table.add_column(column)
        for row in report.rejected:
            table.add_row(row.file, str(row.line), row.kind, row.reason)
        console.print(table)
        raise typer.Exit(1)


@knowledge_app.command("history")
def history(
    limit: Annotated[int, typer.Option(min=1, help="how many versions, newest first")] = 20,
    data_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """Knowledge versions: when, who, from what, how many records changed."""
    from omnicenter.knowledge import NotVersioned

    with _service(data_dir) as service:
        try:
            versions = service.history(limit)
        except NotVersioned as exc:
            console.print(f"[red]{exc}[/red]", highlight=False)
            raise typer.Exit(1) from None
        if not versions:
            console.print("no knowledge imported yet")
            return
        table = Table(title="knowledge versions")
        for column in ("version", "saved (UTC)", "author", "source", "changed", "records"):
            table.add_column(column)
        current = service.snapshot.revision
        for v in versions:
            table.add_row(
                f"{v.version}{' (current)' if v.version == current else ''}",
                v.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                v.author,
                v.source + (f" [{v.delivery_id}]" if v.delivery_id else ""),
                str(v.changed),
                str(v.records),
            )
        console.print(table)


@knowledge_app.command("rollback")
def rollback(
    version: Annotated[int, typer.Argument(min=1, help="the version to restore")],
    data_dir: Annotated[Path | None, typer.Option()] = None,
    author: Annotated[str | None, typer.Option(help="who made the change (history)")] = None,
) -> None:
    """Make VERSION's knowledge current again, as a new version (the history is kept)."""
    from omnicenter.knowledge import KnowledgeChange, NotVersioned

    with _service(data_dir) as service:
        change = KnowledgeChange(
            author=author or _author(), source=f"rollback to version {version}"
        )
        try:
            restored = service.rollback(version, change)
        except (NotVersioned, KeyError) as exc:
            console.print(f"[red]{exc.args[0]}[/red]", highlight=False)
            if isinstance(exc, KeyError):
                console.print(
                    "`omnicenter knowledge history` lists the versions; a fresh data directory "
                    "has none until an import (`omnicenter knowledge import examples/catalog`)",
                    highlight=False,
                )
            raise typer.Exit(1) from None
        console.print(
            f"[green]restored[/green] version {version} as version {restored.revision}",
            highlight=False,
        )


@knowledge_app.command("price")
def price(
    sku: str,
    customer: Annotated[str | None, typer.Option(help="customer id")] = None,
    lang: Annotated[str, typer.Option()] = "en",
    data_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """The price of SKU for a customer now, with the rules applied and their sources."""
    from omnicenter.knowledge import NotFound, format_money

    with _service(data_dir) as service:
        fact = service.base.price(sku, customer)
        if isinstance(fact, NotFound):
            console.print(f"[red]{fact.reason}[/red]")
            raise typer.Exit(1)
        console.print(
            f"{sku}: [bold]{format_money(fact.final_minor, fact.currency, lang)}[/bold] "
            f"(list {format_money(fact.list_minor, fact.currency, lang)}, tier {fact.tier or '-'})",
            highlight=False,
        )
        for discount in fact.discounts:
            console.print(
                f"  -{format_money(discount.amount_minor, fact.currency, lang)} {discount.label(lang)}",
                highlight=False,
            )
        for source in fact.sources:
            console.print(f"  [dim]source: {source.describe()}[/dim]", highlight=False)


@knowledge_app.command("audit")
def audit(
    hours: Annotated[float, typer.Option(help="look back this many hours")] = 24.0,
    window_minutes: Annotated[
        float, typer.Option(help="two answers this close are compared")
    ] = 60.0,
    data_dir: Annotated[Path | None, typer.Option(help="data directory")] = None,
) -> None:
    """Customers told different facts on different channels (by the bot or an agent)."""
    from datetime import UTC, datetime, timedelta

    from omnicenter.services.answer_audit import answer_audit
    from omnicenter.settings import load_settings
    from omnicenter.store import Database

    settings = load_settings(**({"data_dir": data_dir} if data_dir is not None else {}))
    db = Database(settings.sqlalchemy_url())
    try:
        db.migrate()  # a fresh data directory has nothing told yet, and no tables
        with db.reader() as conn:
            since = datetime.now(UTC) - timedelta(hours=hours)
            found = answer_audit(conn, since, timedelta(minutes=window_minutes))
    finally:
        db.dispose()
    if not found:
        console.print(f"No disagreement in the last {hours:g} h: every channel told the same.")
        return
    table = Table(title=f"Different answers in the last {hours:g} h")
    for column in ("customer", "fact", "first told", "then told", "knowledge changed"):
        table.add_column(column)
    for i in found:
        first = f"{i.first.channel}: {i.first.canonical}"
        then = f"{i.second.channel}: {i.second.canonical}"
        table.add_row(i.customer_id, i.key, first, then, "yes" if i.explained_by_update else "no")
    console.print(table)
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(knowledge_app, name="knowledge")
