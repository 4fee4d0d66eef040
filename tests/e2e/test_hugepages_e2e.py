"""`omnicenter serve` puts its objects on huge pages, and leaves them when told not to."""

from __future__ import annotations

from pathlib import Path

import pytest

from omnicenter import hugepages
from tests.e2e.server import ServerProcess


def _advised_kb(pid: int) -> int:
    """Size of the process's mappings advised for huge pages (VmFlags "hg")."""
    total, size = 0, 0
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        if line.startswith("Size:"):
            size = int(line.split()[1])
        elif line.startswith("VmFlags:") and "hg" in line.split()[1:]:
            total += size
    return total


@pytest.mark.parametrize("switch", ["1", "0"])
def test_serve_places_arenas_on_huge_pages_unless_switched_off(tmp_path: Path, switch: str) -> None:
    reason = hugepages.unavailable()
    if reason is not None:
        pytest.skip(reason)
    server = ServerProcess(tmp_path, env_extra={"OMNICENTER_HUGE_PAGES": switch})
    server.start(demo=True)
    try:
        assert server.proc is not None
        advised = _advised_kb(server.proc.pid)
        with server.client("sara") as client:
            r = client.get("/routing/snapshot")
        assert r.status_code == 200, r.text
    finally:
        server.stop()
    if switch == "1":
        assert advised >= 2048  # at least one chunk of arenas since the service started
    else:
        assert advised == 0
