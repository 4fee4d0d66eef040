"""Several processes share the knowledge in the database: the CLI imports in one process,
a running service picks the new version up; the bootstrap serves SQL knowledge."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omnicenter.bootstrap import Services
from omnicenter.cli import app
from omnicenter.knowledge import KnowledgeChange, KnowledgeService, RawRow, watch_versions
from omnicenter.knowledge.records import StockLevel
from omnicenter.settings import Settings
from omnicenter.store import Database
from omnicenter.store.knowledge import SqlKnowledgeRepository

from .conftest import CATALOG, NOW

ROOT = Path(__file__).resolve().parents[3]


def url_of(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def warehouse_quantity(service: KnowledgeService, sku: str) -> int:
    record = service.snapshot.of("stock")[f"{sku}@warehouse"]
    assert isinstance(record, StockLevel)
    return record.quantity


async def import_in_another_process(db: Database, tmp_path: Path, csv: str) -> str:
    path = tmp_path / "stock.csv"
    path.write_text(csv, encoding="utf-8")
    env = {
        **os.environ,
        "OMNICENTER_DATABASE_URL": url_of(db),
        "OMNICENTER_DATA_DIR": str(tmp_path),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "omnicenter",
        "knowledge",
        "import",
        str(path),
        "--author",
        "stock-sync",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    assert proc.returncode == 0, out.decode()
    return out.decode()


async def test_a_running_service_reloads_a_version_another_process_imported(
    db: Database, imported: KnowledgeService, tmp_path: Path
) -> None:
    stop = asyncio.Event()
    changed = asyncio.Event()
    served: list[int] = []

    def on_change(version: int) -> None:
        served.append(version)
        changed.set()

    watcher = asyncio.create_task(watch_versions(imported, 0.05, stop, on_change))
    try:
        out = await import_in_another_process(
            db, tmp_path, "sku,location,quantity\nTSH-RED-M,warehouse,11\n"
        )
        assert "imported 1 stock" in out
        await asyncio.wait_for(changed.wait(), timeout=60)
    finally:
        stop.set()
        await watcher
    assert served == [2]
    assert warehouse_quantity(imported, "TSH-RED-M") == 11
    assert imported.history(1)[0].author == "stock-sync"


def test_history_and_rollback_from_the_command_line(
    db: Database, imported: KnowledgeService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMNICENTER_DATABASE_URL", url_of(db))
    monkeypatch.setenv("OMNICENTER_DATA_DIR", str(tmp_path))
    imported.import_rows(
        [
            RawRow(
                "stock.csv", 2, "stock", {"sku": "SHO-42", "location": "warehouse", "quantity": "0"}
            )
        ],
        change=KnowledgeChange("anna", "sold out"),
    )
    runner = CliRunner()
    listed = runner.invoke(app, ["knowledge", "history"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    assert "sold out" in listed.output and "2 (current)" in listed.output
    restored = runner.invoke(app, ["knowledge", "rollback", "1", "--author", "anna"])
    assert restored.exit_code == 0, restored.output
    assert "restored version 1 as version 3" in restored.output
    assert imported.refresh()
    assert warehouse_quantity(imported, "SHO-42") == 2
    unknown = runner.invoke(app, ["knowledge", "rollback", "9"])
    assert unknown.exit_code == 1 and "no knowledge version 9" in unknown.output


async def test_the_service_serves_knowledge_from_the_database(db: Database, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url=url_of(db),
        bot_enabled=True,
        bot_flow=str(ROOT / "examples" / "flows" / "shop.yaml"),
        bot_catalog=str(CATALOG),
        knowledge_reload_s=0.05,
    )
    services = Services(settings)
    await services.start(smtp=False)
    try:
        knowledge = services.knowledge
        assert isinstance(knowledge, KnowledgeService)
        assert services.bot.knowledge is knowledge
        (seeded,) = knowledge.history()
        assert seeded.source == f"catalog {CATALOG}"
        # Another process (here: another repository on its own connection pool) imports.
        other = KnowledgeService(SqlKnowledgeRepository(Database(url_of(db))), clock=lambda: NOW)
        other.import_rows(
            [RawRow("s", 0, "stock", {"sku": "SHO-42", "location": "warehouse", "quantity": "5"})]
        )
        other.repository.db.dispose()  # type: ignore[attr-defined]
        # Whether the service's watcher got there first or not, it serves version 2 now.
        await asyncio.to_thread(knowledge.refresh)
        assert knowledge.snapshot.revision == 2
        assert warehouse_quantity(knowledge, "SHO-42") == 5
    finally:
        await services.stop()
    # A restart finds the knowledge in the database and does not import the catalog again.
    again = Services(settings)
    await again.start(smtp=False)
    try:
        assert again.knowledge.snapshot.revision == 2
    finally:
        await again.stop()
