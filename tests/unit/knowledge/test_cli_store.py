"""The `knowledge_store = "file"` setting keeps the JSON snapshot in data_dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omnicenter.cli import app

from .conftest import CATALOG


def test_the_file_store_keeps_knowledge_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMNICENTER_KNOWLEDGE_STORE", "file")
    runner = CliRunner()
    files = [str(p) for p in sorted(CATALOG.iterdir())]
    imported = runner.invoke(app, ["knowledge", "import", *files, "--data-dir", str(tmp_path)])
    assert imported.exit_code == 0, imported.output
    assert json.loads((tmp_path / "knowledge.json").read_text())["revision"] == 1
    assert not (tmp_path / "omnicenter.sqlite3").exists()
    again = runner.invoke(app, ["knowledge", "import", *files, "--data-dir", str(tmp_path)])
    assert again.exit_code == 0 and "nothing changed" in again.output
    history = runner.invoke(app, ["knowledge", "history", "--data-dir", str(tmp_path)])
    assert history.exit_code == 1 and "SQL store" in history.output
