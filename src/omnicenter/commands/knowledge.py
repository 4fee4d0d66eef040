"""`omnicenter knowledge ...`: import catalog files, ask knowledge a question."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

__all__ = ["register"]

knowledge_app = typer.Typer(
    help="Catalog, prices, stock, orders and policies.", no_args_is_help=True
)
console = Console()


def _service(data_dir: Path | None):  # type: ignore[no-untyped-def]
    from omnicenter.knowledge import FileKnowledgeRepository, KnowledgeService

    if data_dir is None:
        from omnicenter.settings import load_settings

        data_dir = load_settings().data_dir
    return KnowledgeService(FileKnowledgeRepository(data_dir))


@knowledge_app.command("import")
def import_files(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)],
    data_dir: Annotated[Path | None, typer.Option(help="default: the data_dir setting")] = None,
    dry_run: Annotated[bool, typer.Option(help="validate only; save nothing")] = False,
) -> None:
    """Import CSV and JSON files as one change: all of it, or nothing and a list of bad rows.

    A file is named after the kind of its rows (products.csv, variants.csv, stock.csv,
    rules.json, tiers.json, accounts.csv, orders.json, policies.json, faq.json,
    hours.csv); a JSON object of kind -> rows may hold several kinds.
    """
    from omnicenter.knowledge import InMemoryKnowledgeRepository, KnowledgeService

    service = _service(data_dir)
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

        report = service.import_files(files, progress=advance)
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(report.counts.items())) or "no rows"
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


@knowledge_app.command("price")
def price(
    sku: str,
    customer: Annotated[str | None, typer.Option(help="customer id")] = None,
    lang: Annotated[str, typer.Option()] = "en",
    data_dir: Annotated[Path | None, typer.Option()] = None,
) -> None:
    """The price of SKU for a customer now, with the rules applied and their sources."""
    from omnicenter.knowledge import NotFound, format_money

    fact = _service(data_dir).base.price(sku, customer)
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


def register(app: typer.Typer) -> None:
    app.add_typer(knowledge_app, name="knowledge")
