"""The registry, and that every channel package in it has all its parts: manifest, adapter
(receive, async send), fixtures, unit tests and a docs page."""

from __future__ import annotations

import importlib
import inspect

import pytest

from omnicenter.channels.registry import (
    MANIFESTS,
    PACKAGES,
    ChannelPackage,
    is_realtime,
    manifest_for,
    package_for,
)
from omnicenter.domain import Channel
from tests.unit.channels.fixtures import ROOT, fixtures_of

# Channel values with no package of their own (a callback is voice's).
WITHOUT_PACKAGE: set[Channel] = set()


def _ids(p: ChannelPackage) -> str:
    return p.name


def test_every_channel_but_the_pending_ones_has_a_manifest() -> None:
    assert set(Channel) - set(MANIFESTS) == WITHOUT_PACKAGE
    assert len({p.name for p in PACKAGES}) == len({p.channel for p in PACKAGES}) == len(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES, ids=_ids)
def test_the_package_exports_its_manifest_and_adapter(package: ChannelPackage) -> None:
    module = importlib.import_module(f"omnicenter.channels.{package.name}")
    assert module.MANIFEST is package.manifest
    assert package.adapter.__name__ in module.__all__
    assert getattr(module, package.adapter.__name__) is package.adapter
    assert package.adapter.manifest is package.manifest


@pytest.mark.parametrize("package", PACKAGES, ids=_ids)
def test_the_adapter_has_the_channel_shape(package: ChannelPackage) -> None:
    adapter = package.adapter
    receive = inspect.signature(adapter.receive)
    assert list(receive.parameters)[:2] == ["self", "raw"]
    received_at = receive.parameters["received_at"]
    assert received_at.kind is inspect.Parameter.KEYWORD_ONLY
    assert received_at.default is inspect.Parameter.empty  # time is always given
    assert inspect.iscoroutinefunction(adapter.send)
    assert list(inspect.signature(adapter.send).parameters) == ["self", "msg"]


@pytest.mark.parametrize("package", PACKAGES, ids=_ids)
def test_the_package_has_fixtures_tests_and_a_docs_page(package: ChannelPackage) -> None:
    fixtures = fixtures_of(package.name)
    assert any(p.is_file() for p in fixtures.iterdir()), f"no recorded payloads in {fixtures}"
    tests = ROOT / "tests" / "unit" / "channels" / package.name
    assert list(tests.glob("test_*.py")), f"no unit tests in {tests}"
    page = ROOT / "docs" / "channels" / f"{package.name}.md"
    assert page.is_file(), f"no {page}"
    assert f"omnicenter.channels.{package.name}" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("package", PACKAGES, ids=_ids)
def test_the_how_to_page_lists_the_package(package: ChannelPackage) -> None:
    readme = (ROOT / "docs" / "channels" / "README.md").read_text(encoding="utf-8")
    assert f"({package.name}.md)" in readme


def test_a_callback_is_a_phone_call() -> None:
    voice = manifest_for(Channel.VOICE)
    assert manifest_for(Channel.CALLBACK) is voice is MANIFESTS[Channel.CALLBACK]
    assert package_for(Channel.CALLBACK).name == "voice"


@pytest.mark.parametrize(
    ("channel", "realtime"),
    [
        (Channel.VOICE, True),
        (Channel.CALLBACK, True),
        (Channel.WEBCHAT, True),
        (Channel.EMAIL, False),
        (Channel.SMS, False),
        (Channel.FORM, False),
        (Channel.WHATSAPP, False),
        (Channel.MESSENGER, False),
        (Channel.INSTAGRAM, False),
        (Channel.TELEGRAM, False),
    ],
)
def test_realtime_or_deferred(channel: Channel, realtime: bool) -> None:
    assert is_realtime(channel) is realtime


def test_who_can_be_written_to() -> None:
    writable = {c for c, m in MANIFESTS.items() if m.text_replies}
    assert writable == {
        Channel.WEBCHAT,
        Channel.EMAIL,
        Channel.SMS,
        Channel.WHATSAPP,
        Channel.MESSENGER,
        Channel.INSTAGRAM,
        Channel.TELEGRAM,
    }
