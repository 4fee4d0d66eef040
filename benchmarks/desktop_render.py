"""Agent desktop render time in a real browser (Debian chromium), with the Performance API.

Seeds a real `omnicenter serve --demo` with N conversations in the inbox and one customer
with a long timeline, then measures, in the browser:
  - first render: navigation start to the inbox shown and the live socket opened;
  - open a conversation: click to the whole timeline (virtualised) and 360 panel shown.
Baseline, same run, same page: rendering the same timeline as a plain, non-virtualised list.

    .venv/bin/python benchmarks/desktop_render.py            # 200 conversations, 5,000 events
    .venv/bin/python benchmarks/desktop_render.py --quick    # 50 conversations, 1,000 events
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.server import ServerProcess

PLAIN_RENDER_JS = """async (events) => {
  const t0 = performance.now();
  const ol = document.createElement('ol');
  ol.style.cssText = 'position:absolute;left:-99999px;width:600px';
  for (const e of events) {
    const li = document.createElement('li');
    const m = document.createElement('span'); m.textContent = e.channel + ' ' + e.created_at;
    li.append(m, document.createTextNode(e.body)); ol.appendChild(li);
  }
  document.body.appendChild(ol);
  ol.offsetHeight;  // force layout, as a browser must before it can paint
  const ms = performance.now() - t0; ol.remove(); return ms;
}"""


def seed(server: ServerProcess, conversations: int, events: int, progress: Progress) -> str:
    base = f"{server.base}/api/v1"
    task = progress.add_task("seeding conversations", total=conversations)

    def chat(i: int) -> str:
        r = httpx.post(f"{base}/webchat/sessions",
                       json={"widget_key": "demo-widget-key", "name": f"Bench {i:03d}"})  # fmt: skip
        tok = {"Authorization": f"Bearer {r.json()['visitor_token']}"}
        m = httpx.post(f"{base}/webchat/messages",
                       json={"text": f"question {i}", "client_id": f"b{i}"}, headers=tok)  # fmt: skip
        progress.advance(task)
        return str(m.json()["case_id"])

    with ThreadPoolExecutor(8) as pool:
        case_ids = list(pool.map(chat, range(conversations)))
    big = case_ids[-1]
    task = progress.add_task("seeding timeline events", total=events)
    headers = {"Authorization": f"Bearer {server.token('anna')}"}
    with httpx.Client(headers=headers, timeout=30) as client:

        def note(i: int) -> None:
            client.post(f"{base}/cases/{big}/notes",
                        json={"body": f"timeline entry {i}: " + "lorem ipsum " * (i % 7)})  # fmt: skip
            progress.advance(task)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(note, range(events - 1)))
    return big


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=0)
    args = ap.parse_args()
    conversations, events = (50, 1000) if args.quick else (200, 5000)
    repeat = args.repeat or (3 if args.quick else 5)
    console = Console()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp))
        server.start()
        try:
            with Progress(console=console) as progress:
                big = seed(server, conversations, events, progress)
                token = server.token("anna")
                first, opened, plain = [], [], []
                task = progress.add_task("measuring in chromium", total=repeat)
                with sync_playwright() as p:
                    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                    ctx = browser.new_context(
                        base_url=server.base, viewport={"width": 1400, "height": 900}
                    )
                    ctx.add_init_script(f"sessionStorage.setItem('oc_token', {token!r})")
                    page = ctx.new_page()
                    for _ in range(repeat):
                        page.goto("/")
                        page.wait_for_selector("body[data-ready='1']", timeout=60_000)
                        first.append(page.evaluate(
                            "performance.getEntriesByName('desktop-ready')[0].startTime"))  # fmt: skip
                        page.evaluate("id => ocDesktop.openCase(id)", big)
                        page.wait_for_selector(f"body[data-opened-case='{big}']", timeout=60_000)
                        opened.append(page.evaluate("ocDesktop.lastOpenMs"))
                        timeline = page.evaluate(
                            f"fetch('/api/v1/customers/'+ocDesktop.current.customerId+'/timeline?limit=5000',"
                            f"{{headers:{{Authorization:'Bearer {token}'}}}}).then(r=>r.json())")  # fmt: skip
                        plain.append(page.evaluate(PLAIN_RENDER_JS, timeline))
                        rendered = page.locator("#timeline [data-event]").count()
                        progress.advance(task)
                    browser.close()
        finally:
            server.stop()
    n_events = len(timeline)
    table = Table(title=f"desktop render: {conversations} conversations, {n_events}-event timeline")
    for col in ("measure", "median ms", "min ms", "target"):
        table.add_column(col)
    med = statistics.median
    table.add_row(
        "first render (navigation → inbox live)", f"{med(first):.0f}", f"{min(first):.0f}", "< 300"
    )
    table.add_row(
        "open conversation (click → timeline shown)",
        f"{med(opened):.0f}",
        f"{min(opened):.0f}",
        "< 1000",
    )
    table.add_row(
        "baseline: plain DOM render of the same timeline",
        f"{med(plain):.0f}",
        f"{min(plain):.0f}",
        "",
    )
    console.print(table)
    console.print(f"timeline rows in the DOM after opening: {rendered} of {n_events}")
    console.print(
        f"open conversation / plain render of its timeline: {med(opened) / med(plain):.2f}x"
    )


if __name__ == "__main__":
    main()
