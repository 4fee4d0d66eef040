"""`omnicenter engage ...`: check a rules file; the per-rule report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["register"]

engage_app = typer.Typer(
    help="Proactive engagement: rules and their results.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)


@engage_app.command("check")
def check(files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Validate rule files; print every problem as FILE:LINE:COLUMN: message."""
    from omnicenter.engagement import RulesError, load_rules

    failed = False
    for path in files:
        try:
            rules = load_rules(path)
        except RulesError as exc:
            failed = True
            for issue in exc.issues:
                err.print(f"[red]{issue.format(str(path))}[/red]", highlight=False)
            continue
        triggers = sorted({r.trigger for r in rules.rules})
        console.print(
            f"[green]ok[/green] {path}: version {rules.version}, {len(rules.rules)} rules "
            f"on {', '.join(triggers) or 'no events'}",
            highlight=False,
        )
    if failed:
        raise typer.Exit(1)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


@engage_app.command("report")
def report(
    rules_file: Annotated[
        Path | None, typer.Option("--rules", help="rules file (default: settings)")
    ] = None,
) -> None:
    """Per rule: sent, delivered, replied, opted out, converted, uplift, cost per conversion."""
    from omnicenter.engagement import RuleSet, load_rules
    from omnicenter.services.engagement_report import rule_report
    from omnicenter.settings import load_settings
    from omnicenter.store.db import Database

    settings = load_settings()
    path = rules_file or (Path(settings.engagement_rules) if settings.engagement_rules else None)
    rules = load_rules(path) if path else RuleSet()
    db = Database(settings.sqlalchemy_url())
    try:
        db.migrate()  # a fresh data directory has nothing sent yet, and no tables
        with db.reader() as conn:
            stats = rule_report(conn, rules)
    finally:
        db.dispose()
    table = Table(title="Engagement by rule")
    for col in ("rule", "sent", "delivered", "replied", "opted out", "converted", "holdout",
                "uplift", "cost/conv."):  # fmt: skip
        table.add_column(col, justify="left" if col == "rule" else "right")
    for s in stats:
        cpc = s.cost_per_conversion
        table.add_row(
            s.rule_id, str(s.sent), str(s.delivered), str(s.replied), str(s.opted_out),
            f"{s.converted} ({_pct(s.conversion_rate)})",
            f"{s.holdout} ({_pct(s.holdout_rate)})", _pct(s.uplift),
            "-" if cpc is None else f"{cpc:.2f}",
        )  # fmt: skip
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(engage_app, name="engage")
