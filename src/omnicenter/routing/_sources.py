"""Use the routing sources instead of their compiled build when asked or when it is stale.

Imported first by `omnicenter.routing`; never compiled itself.
"""

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import warnings
from pathlib import Path

_PACKAGE = __name__.rpartition(".")[0]
_HERE = Path(__file__).parent


def _stale_build(here: Path) -> bool:
    for ext in here.glob("*.so"):
        source = here / (ext.name.split(".", 1)[0] + ".py")
        if source.exists() and source.stat().st_mtime > ext.stat().st_mtime:
            warnings.warn(
                f"{source.name} changed after the routing engine was compiled: using the "
                "Python sources (run `pip install -e .` again to rebuild)",
                stacklevel=2,
            )
            return True
    return False


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Loads `omnicenter.routing.*` from the .py files even where a compiled module exists."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        if package != _PACKAGE:
            return None
        source = _HERE / f"{name}.py"
        return importlib.util.spec_from_file_location(fullname, source) if source.exists() else None


if os.environ.get("OMNICENTER_PURE_ROUTING") or _stale_build(_HERE):
    sys.meta_path.insert(0, _SourceFinder())
