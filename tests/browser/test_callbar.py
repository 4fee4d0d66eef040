"""The desktop's call bar with a real call: `omnicenter serve` with voice, chromium, and SIP
softphones (the caller and two agents) on their own event loop in a thread.

The agent configures their phone from GET /me/sip, takes a call routed to it, and from the
call bar holds, resumes, consults a colleague and completes the transfer; the caller then
hears the colleague.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import httpx
import pytest
import yaml
from playwright.sync_api import expect

from omnicenter.channels.voice.media.audio import goertzel_power, tone
from omnicenter.channels.voice.softphone import PhoneCall, Softphone
from tests.browser.conftest import TIMEOUT_MS, login, shot
from tests.e2e.server import DEMO_PASSWORD, ServerProcess
from tests.integration.voice.voice_helpers import (
    AGENT_TONE,
    MUSIC,
    PROMPT_TONES,
    TEST_MENU,
    make_prompts,
)

pytestmark = pytest.mark.browser
T = TypeVar("T")
OTTO_TONE = 1200.0


class PhoneLoop:
    """An asyncio loop in a thread for the softphones; the sync test calls into it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.phones: list[Softphone] = []

    def run(self, coro: Coroutine[Any, Any, T], within: float = 20.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(within)

    def phone(self, server: tuple[str, int], user: str, **kwargs: Any) -> Softphone:
        async def make() -> Softphone:
            made = Softphone(user, server, t1=0.1, **kwargs)
            await made.start()
            return made

        made = self.run(make())
        self.phones.append(made)
        return made

    def close(self) -> None:
        for phone in self.phones:
            self.run(phone.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


async def _heard(call: PhoneCall, freq: float, within: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        audio = call.audio()
        if len(audio) >= 1600 and goertzel_power(audio[-1600:], freq) > 0.6:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never heard {freq} Hz")


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp("callbar")
    voice = data / "voice"
    make_prompts(voice / "prompts")
    menu = data / "menu.yaml"
    menu.write_text(yaml.safe_dump(TEST_MENU))
    config = data / "voice.toml"
    config.write_text(
        "[voice]\n"
        f'data_dir = "{voice}"\n'
        f'menu = "{menu}"\n'
        "generate_prompts = false\n"
        "rtp_port_min = 0\n"
        "ring_timeout = 5\n"
    )
    proc = ServerProcess(
        data,
        env_extra={"OMNICENTER_VOICE_ENABLED": "true", "OMNICENTER_VOICE_CONFIG": str(config)},
    )
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def voice_page(browser: Any, voice_server: ServerProcess) -> Iterator[Any]:
    ctx = browser.new_context(base_url=voice_server.base)
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    ctx.close()
    assert not errors, errors


@pytest.fixture
def phones() -> Iterator[PhoneLoop]:
    loop = PhoneLoop()
    yield loop
    loop.close()


def voice_agent(server: ServerProcess, admin: httpx.Client, username: str) -> httpx.Client:
    body = {
        "username": username,
        "display_name": username.title(),
        "password": DEMO_PASSWORD,
        "channels": ["voice", "webchat"],
    }
    assert admin.post("/agents", json=body).status_code == 201
    client = server.client(username)
    assert client.put("/agents/me/presence", json={"presence": "available"}).status_code == 200
    return client


def register(phones: PhoneLoop, api: httpx.Client, freq: float) -> Softphone:
    """The agent's softphone, configured from GET /me/sip."""
    account = api.get("/me/sip").json()
    host, port = account["registrar"].rsplit(":", 1)
    phone = phones.phone(
        (host, int(port)),
        account["username"],
        password=account["password"],
        answer_with=tone(freq, 1.0),
    )
    # The server learns a new agent's SIP account from their first presence change.
    for _ in range(50):
        if phones.run(phone.register()).status == 200:
            return phone
        phones.run(asyncio.sleep(0.1))
    raise AssertionError("the phone never registered")


def test_call_bar_holds_consults_and_transfers_a_real_call(
    voice_server: ServerProcess, voice_page: Any, phones: PhoneLoop
) -> None:
    with contextlib.ExitStack() as stack:
        admin = stack.enter_context(voice_server.client("admin"))
        vera_api = voice_agent(voice_server, admin, "vera")
        stack.callback(vera_api.close)
        otto_api = voice_agent(voice_server, admin, "otto")
        stack.callback(otto_api.close)
        _take_and_transfer(voice_server, voice_page, phones, vera_api, otto_api)


def _take_and_transfer(
    voice_server: ServerProcess,
    page: Any,
    phones: PhoneLoop,
    vera_api: httpx.Client,
    otto_api: httpx.Client,
) -> None:
    vera_phone = register(phones, vera_api, AGENT_TONE)
    register(phones, otto_api, OTTO_TONE)

    login(page, "vera")
    bar = page.locator("#callbar")
    expect(bar).to_be_hidden()

    caller = phones.phone(("127.0.0.1", voice_server.sip_port), "+48601234567")
    call = phones.run(caller.call("ivr"))
    phones.run(_heard(call, PROMPT_TONES["welcome"]))
    phones.run(call.dtmf("1"))
    vera_side = phones.run(vera_phone.incoming.get())

    expect(bar).to_have_attribute("data-state", "connected")
    expect(bar).to_contain_text("+48601234567")
    expect(bar.locator(".callbar-case")).to_contain_text("case cas_")
    phones.run(_heard(call, AGENT_TONE))
    shot(page, "callbar-connected")

    bar.get_by_role("button", name="Hold").click()
    expect(bar).to_have_attribute("data-state", "held")
    phones.run(_heard(call, MUSIC))
    bar.get_by_role("button", name="Resume").click()
    expect(bar).to_have_attribute("data-state", "connected")

    otto_id = otto_api.get("/me").json()["id"]
    bar.get_by_label("Transfer or consult to").select_option(otto_id)
    bar.get_by_role("button", name="Consult").click()
    expect(bar).to_have_attribute("data-state", "consulting")
    phones.run(_heard(vera_side, OTTO_TONE))
    shot(page, "callbar-consulting")
    bar.get_by_role("button", name="Complete transfer").click()
    expect(bar).to_be_hidden()  # vera's part is over
    phones.run(_heard(call, OTTO_TONE))
    assert [c["state"] for c in otto_api.get("/me/calls").json()] == ["connected"]
    phones.run(call.hangup())
