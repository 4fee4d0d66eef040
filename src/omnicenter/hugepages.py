"""Python's object arenas on transparent huge pages, for long-running processes.

The routing engine keeps its state in Python objects (a task, an agent, their lanes and
FIFOs) that a decision reads in no particular order, minutes after they were written. On
4 KiB pages most such reads also miss the TLB, and in a virtual machine each miss walks
the guest's and the host's page tables. `enable()` installs a small arena allocator
(`_hugepages.c`) that places CPython's 1 MiB arenas in 2 MiB-aligned chunks marked for huge
pages. `omnicenter serve` enables it at start, as does the routing benchmark;
`OMNICENTER_HUGE_PAGES=0` leaves CPython's own allocator in place. The planning simulator
does not: a run allocates and frees in bulk, and faulting in fresh 2 MiB pages made a
month's run 5–20% slower, where a service that keeps its state for hours gains.

It needs the kernel's transparent huge pages set to `madvise` or `always`
(`/sys/kernel/mm/transparent_hugepage/enabled`) and the extension built at install (with
the compiled engine); otherwise `enable()` changes nothing and says why.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

__all__ = ["NOT_BUILT", "enable", "status", "unavailable"]

_THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")
_state = "not enabled"


def _thp_mode() -> str | None:
    """The kernel's setting ("always", "madvise", "never"), None where there is none."""
    try:
        text = _THP.read_text()
    except OSError:
        return None
    for word in text.split():
        if word.startswith("["):
            return word.strip("[]")
    return None


NOT_BUILT = "the extension is not built (OMNICENTER_PURE or no C compiler)"


def unavailable() -> str | None:
    """Why the allocator cannot work in this install and kernel (None: it can), whatever
    `OMNICENTER_HUGE_PAGES` says."""
    if importlib.util.find_spec("omnicenter._hugepages") is None:
        return NOT_BUILT
    mode = _thp_mode()
    if mode not in {"always", "madvise"}:
        return f"transparent huge pages are {mode or 'not available'}"
    return None


def enable() -> str:
    """Put new arenas on huge pages where possible; says what it did (idempotent)."""
    global _state
    if _state == "on":
        return _state
    if os.environ.get("OMNICENTER_HUGE_PAGES", "1").strip().lower() in {"0", "false", "no", "off"}:
        _state = "off: OMNICENTER_HUGE_PAGES=0"
        return _state
    reason = unavailable()
    if reason is not None:
        _state = f"off: {reason}"
        return _state
    from omnicenter import _hugepages

    _hugepages.enable()
    _state = "on"
    return _state


def status() -> str:
    return _state
