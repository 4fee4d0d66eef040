"""The compiled engine (mypyc) and the Python sources make the very same decisions.

A recorded stream is replayed in a child process that loads the routing sources
(OMNICENTER_PURE_ROUTING=1); its decisions, explanations included, must equal this
process's, which runs the compiled build when the install made one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from omnicenter import routing
from tests.property.test_routing_replay import CONFIG, _stream

_CHILD = """
import json, sys
from omnicenter import routing
from omnicenter.routing.replay import replay
assert not routing.COMPILED, "the child should run the sources"
config, events = json.load(open(sys.argv[1]))
print(json.dumps([repr(d) + " | " + d.explain() for d in replay(config, events)]))
"""


def test_build_is_compiled_where_required() -> None:
    if os.environ.get("OMNICENTER_REQUIRE_TOOLS") and not routing.COMPILED:
        pytest.fail("the routing engine is not compiled: the install found no C compiler")


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_compiled_and_source_engines_agree(seed: int, tmp_path: Path) -> None:
    decisions, events = _stream(seed, 400)
    path = tmp_path / "stream.json"
    path.write_text(json.dumps([CONFIG, events]))
    env = {**os.environ, "OMNICENTER_PURE_ROUTING": "1"}
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], env=env, capture_output=True, text=True
    )
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout) == [repr(d) + " | " + d.explain() for d in decisions]
    assert len(decisions) > 200
