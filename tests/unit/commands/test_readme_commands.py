"""Every `omnicenter ...` command in README.md's shell blocks runs, in order, on a fresh data
directory, from a folder holding the source tree's `examples/`.

`serve` runs forever: here `serve --help` proves the command and its options parse;
starting it is covered by tests/e2e (tests/e2e/server.py starts `omnicenter serve` on free
ports) and tests/browser.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "README.md"
_STARTS = re.compile(r"\s*(\S*/)?omnicenter\s")
EXE = [sys.executable, "-c", "from omnicenter.cli import main; main()"]


def readme_commands(text: str) -> list[list[str]]:
    """The `omnicenter` commands of the README's bash blocks, as argument lists (after
    `omnicenter`), in order: comments dropped, `\\` continuations joined, `&&` chains split."""
    commands: list[list[str]] = []
    for block in re.findall(r"```(?:bash|sh|shell|console)\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            for part in line.split("&&"):
                if _STARTS.match(part):  # other lines may open quotes closed lines later
                    commands.append(shlex.split(part, comments=True)[1:])
    return commands


def test_the_parser_reads_chains_comments_and_continuations() -> None:
    text = (
        "```bash\n# a comment\npython3 -m venv .venv && .venv/bin/omnicenter serve --demo\n"
        "omnicenter staff plan/forecast.csv \\\n  --out plan/   # staffed\ncurl -d '{\n}'\n```\n"
        "```python\nomnicenter not shell\n```\n"
    )
    assert readme_commands(text) == [
        ["serve", "--demo"],
        ["staff", "plan/forecast.csv", "--out", "plan/"],
    ]


# What a command needs on stdin: `flow try` is a terminal chat, ended by /quit.
STDIN = {"flow": "ile kosztuje SHO-42\n/quit\n"}


def test_every_readme_command_runs_on_a_fresh_data_dir(tmp_path: Path) -> None:
    commands = readme_commands(README.read_text(encoding="utf-8"))
    assert any(c[:1] == ["knowledge"] for c in commands), "the README lost its examples"
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OMNICENTER_")},
        "OMNICENTER_DATA_DIR": str(tmp_path / "data"),
        "PYTHONWARNINGS": "ignore",
        "COLUMNS": "120",
    }
    for args in commands:
        if args[:1] == ["serve"]:
            args = ["serve", "--help"]
        done = subprocess.run(
            [*EXE, *args],
            cwd=tmp_path,
            env=env,
            input=STDIN.get(args[0], ""),
            capture_output=True,
            text=True,
            timeout=300,
        )
        shown = " ".join(["omnicenter", *args])
        if done.returncode != 0:
            pytest.fail(f"`{shown}` exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        assert "Traceback" not in done.stderr, f"`{shown}`:\n{done.stderr}"
