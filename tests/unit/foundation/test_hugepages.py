"""Python's arenas on huge pages: placed there, given back, and switched off on request.

Each case runs in a fresh interpreter: the allocator is process-wide and must be installed
before the objects it is to place are made. (The test session itself runs with it on, see
conftest, so every other test exercises it too.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from omnicenter import hugepages

_PLACED = r"""
import gc, json
from omnicenter import hugepages, _hugepages

def vma_flags(address):
    # the smaps block of the mapping holding `address`: its VmFlags line
    flags, inside = None, False
    for line in open("/proc/self/smaps"):
        head = line.split()
        if "-" in head[0] and ":" not in head[0]:
            lo, hi = (int(x, 16) for x in head[0].split("-"))
            inside = lo <= address < hi
        elif inside and line.startswith("VmFlags:"):
            flags = line.split()[1:]
    return flags

def rss():
    for line in open("/proc/self/smaps_rollup"):
        if line.startswith("Rss:"):
            return int(line.split()[1])

state = hugepages.enable()
base = rss()
cells = [[i] for i in range(1_500_000)]  # about 150 MB of small objects, in arenas
grown = rss() - base
flags = vma_flags(id(cells[-1]))
held = _hugepages.stats()
del cells
gc.collect()
print(json.dumps({"state": state, "grown": grown, "flags": flags, "held": held,
                  "after": _hugepages.stats(), "left": rss() - base}))
"""


def _run(code: str, **env: str) -> dict[str, object]:
    child = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    out: dict[str, object] = json.loads(child.stdout)
    return out


def test_objects_land_in_huge_page_chunks_and_are_given_back() -> None:
    reason = hugepages.unavailable()
    if reason is not None:
        if reason == hugepages.NOT_BUILT and os.environ.get("OMNICENTER_REQUIRE_TOOLS"):
            pytest.fail(f"the huge-page allocator is required here: {reason}")
        pytest.skip(reason)
    got = _run(_PLACED)
    assert got["state"] == "on"
    held = got["held"]
    assert isinstance(held, dict)
    assert held["arena_size"] == 1 << 20  # CPython's arenas, two to a 2 MiB chunk
    assert held["chunks"] >= 60, held  # 150 MB of objects
    # the mapping that holds the objects is advised for huge pages ("hg")
    assert isinstance(got["flags"], list) and "hg" in got["flags"], got["flags"]
    # freed: the chunks are unmapped and the memory goes back to the system
    after = got["after"]
    assert isinstance(after, dict) and after["chunks"] <= 2, after
    assert isinstance(got["left"], int) and isinstance(got["grown"], int)
    assert got["left"] < got["grown"] // 10, (got["grown"], got["left"])


def test_switched_off_by_the_environment() -> None:
    got = _run(
        "import json; from omnicenter import hugepages; "
        "print(json.dumps({'state': hugepages.enable(), 'again': hugepages.status()}))",
        OMNICENTER_HUGE_PAGES="0",
    )
    assert got == {"state": "off: OMNICENTER_HUGE_PAGES=0", "again": "off: OMNICENTER_HUGE_PAGES=0"}
