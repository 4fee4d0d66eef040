from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from omnicenter.cli import app

from .conftest import ROOT

FLOW = str(ROOT / "examples" / "flows" / "shop.yaml")
CATALOG = str(ROOT / "examples" / "catalog")


def test_flow_check_ok_and_failing(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["flow", "check", FLOW])
    assert ok.exit_code == 0 and "flow shop v1" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("flow: x\nversion: 1\nstart: a\nsteps:\n  a:\n    sya: hi\n")
    failed = runner.invoke(app, ["flow", "check", str(bad)])
    assert failed.exit_code == 1
    assert f"{bad}:6:5: unknown step type 'sya'" in failed.output.replace("\n", "")


def test_flow_try_chats_until_the_end() -> None:
    result = CliRunner().invoke(
        app,
        ["flow", "try", FLOW, "--catalog", CATALOG, "--channel", "sms", "--lang", "en"],
        input="3\nmug\n2\n",
    )
    assert result.exit_code == 0, result.output
    assert "Ceramic mug (MUG-WHT): PLN 29.90." in result.output
    assert "Thank you. Have a nice day!" in result.output


def test_knowledge_import_reports_rejected_rows(tmp_path: Path) -> None:
    runner = CliRunner()
    files = sorted(str(p) for p in Path(CATALOG).iterdir())
    ok = runner.invoke(app, ["knowledge", "import", *files, "--data-dir", str(tmp_path)])
    assert ok.exit_code == 0 and "knowledge revision 1" in ok.output
    bad = tmp_path / "stock.csv"
    bad.write_text("sku,location,quantity\nBAD,x,1\n")
    failed = runner.invoke(app, ["knowledge", "import", str(bad), "--data-dir", str(tmp_path)])
    assert failed.exit_code == 1 and "unknown sku 'BAD'" in failed.output
    price = runner.invoke(app, ["knowledge", "price", "MUG-WHT", "--data-dir", str(tmp_path)])
    assert price.exit_code == 0 and "PLN 29.90" in price.output
