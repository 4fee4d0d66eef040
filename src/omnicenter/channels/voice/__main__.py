"""`python -m omnicenter.channels.voice`: run the voice endpoint alone (demo, benchmarks).

python -m omnicenter.channels.voice --port 5060 --account agent1:secret1:agt_1
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from omnicenter.channels.voice.config import AgentAccount, VoiceSettings
from omnicenter.channels.voice.endpoint import VoiceEndpoint
from omnicenter.channels.voice.menu import load_menu


def _settings(argv: list[str] | None) -> VoiceSettings:
    parser = argparse.ArgumentParser(prog="python -m omnicenter.channels.voice")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5060)
    parser.add_argument("--rtp-ports", default="20000-20999", help="e.g. 20000-20999")
    parser.add_argument("--data-dir", type=Path, default=Path("data/voice"))
    parser.add_argument("--menu", type=Path, help="menu YAML (default: the demo menu)")
    parser.add_argument("--account", action="append", default=[], help="user:password:agent_id")
    parser.add_argument("--no-prompts", action="store_true", help="do not run espeak-ng")
    parser.add_argument("--no-tcp", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
    low, _, high = args.rtp_ports.partition("-")
    accounts = tuple(AgentAccount(*a.split(":", 2)) for a in args.account)
    settings = VoiceSettings(
        host=args.host,
        port=args.port,
        tcp=not args.no_tcp,
        rtp_port_min=int(low),
        rtp_port_max=int(high or low),
        data_dir=args.data_dir,
        accounts=accounts,
        generate_prompts=not args.no_prompts,
    )
    if args.menu:
        from dataclasses import replace

        settings = replace(settings, menu=load_menu(args.menu))
    return settings.with_env()


async def serve(settings: VoiceSettings) -> None:
    endpoint = VoiceEndpoint(settings)
    await endpoint.start()
    print(f"READY sip:{endpoint.host}:{endpoint.port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await endpoint.aclose()


def main(argv: list[str] | None = None) -> None:
    asyncio.run(serve(_settings(argv)))


if __name__ == "__main__":
    main()
