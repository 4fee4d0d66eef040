"""Build hook: compile the routing engine with mypyc (pure Python stays the fallback).

The engine (`omnicenter.routing`) is typed under `mypy --strict`, so mypyc turns it into a C
extension with the same behaviour and a few times the speed; the live service and the
planning simulator both gain. Wheels carry the extension; an editable install
(`pip install -e .`) builds it in place beside the sources, and `omnicenter.routing` falls
back to the sources when they are newer than the build (see `routing/__init__.py`).

The same build compiles `omnicenter/_hugepages.c`, the allocator that puts Python's arenas
on huge pages (see `omnicenter/hugepages.py`).

Set OMNICENTER_PURE=1 to skip compiling. A failed compile (no C compiler, no headers) warns
and leaves the pure Python engine, which passes the same tests.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# Every routing module but the package (its source-fallback guard must stay Python), the
# exceptions (builtin subclasses) and the replay helper (test and CLI tooling).
COMPILED = (
    "config",
    "decisions",
    "engine",
    "explain",
    "hours",
    "matching",
    "skills",
    "snapshots",
    "specs",
    "state",
    "trail",
    "views",
)
GROUP = "omnicenter_routing"


class MypycHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or os.environ.get("OMNICENTER_PURE"):
            return
        src = Path(self.root) / "src"
        editable = version == "editable"
        try:
            built = _compile(src, inplace=editable)
        except Exception as exc:  # any failure leaves the pure engine
            print(
                f"omnicenter: routing engine not compiled ({exc}); using pure Python",
                file=sys.stderr,
            )
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if not editable:
            for path, rel in built:
                build_data["force_include"][str(path)] = rel


def _compile(src: Path, *, inplace: bool) -> list[tuple[Path, str]]:
    from mypyc.build import mypycify
    from setuptools import Distribution, Extension

    work = Path(tempfile.mkdtemp(prefix="omnicenter-mypyc-"))
    cwd = os.getcwd()
    os.chdir(src)  # module names come from paths relative to here
    try:
        for stale in (src / "omnicenter" / "routing").glob("*.so"):
            stale.unlink()
        for stale in src.glob(f"{GROUP}__mypyc*.so"):
            stale.unlink()
        for stale in (src / "omnicenter").glob("_hugepages*.so"):
            stale.unlink()
        paths = [f"omnicenter/routing/{name}.py" for name in COMPILED]
        extensions = mypycify(
            paths, opt_level="3", group_name=GROUP, target_dir=str(work / "c"), verbose=False
        )
        # Python's arenas on huge pages (see omnicenter/hugepages.py): plain C, built with it
        extensions.append(Extension("omnicenter._hugepages", ["omnicenter/_hugepages.c"]))
        dist = Distribution({"ext_modules": extensions, "script_name": "setup.py"})
        cmd: Any = dist.get_command_obj("build_ext")
        cmd.inplace = inplace
        cmd.build_lib = str(work / "lib")
        cmd.build_temp = str(work / "tmp")
        dist.run_command("build_ext")
        out_root = src if inplace else work / "lib"
        built = [(p, str(p.relative_to(out_root))) for p in out_root.rglob("*.so")]
        if not built:
            raise RuntimeError("mypyc produced no extension")
        return built
    finally:
        os.chdir(cwd)
        if inplace:
            shutil.rmtree(work, ignore_errors=True)
