"""The Kamailio edge (deploy/kamailio/kamailio.cfg, Debian's kamailio) in front of two voice
nodes: sipp's calls through it are spread over both nodes, and a dead node in the dispatcher
list is skipped (its calls fail over, then it is taken out of rotation by the OPTIONS probe).
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from voice_helpers import require_tool

from omnicenter.channels.voice import SimpleVoiceService, VoiceEndpoint, VoiceSettings

CFG = Path(__file__).resolve().parents[3] / "deploy" / "kamailio" / "kamailio.cfg"
SCENARIO = Path(__file__).resolve().parent / "sipp" / "uac_edge.xml"
CALLS = 6


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Reply(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.got: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if not self.got.done():
            self.got.set_result(data)


async def edge_answers(port: int, within: float = 15.0) -> bytes:
    """OPTIONS through the edge until a node's answer comes back (Kamailio is up)."""
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_datagram_endpoint(_Reply, local_addr=("127.0.0.1", 0))
    local = transport.get_extra_info("sockname")[1]
    request = (
        f"OPTIONS sip:ivr@127.0.0.1:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK{os.urandom(6).hex()}\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:probe@127.0.0.1:{local}>;tag=probe\r\n"
        f"To: <sip:ivr@127.0.0.1:{port}>\r\n"
        f"Call-ID: {os.urandom(8).hex()}@127.0.0.1\r\nCSeq: 1 OPTIONS\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()
    try:
        deadline = loop.time() + within
        while loop.time() < deadline:
            transport.sendto(request, ("127.0.0.1", port))
            done, _ = await asyncio.wait({proto.got}, timeout=0.5)  # SIP-style retransmit
            if done:
                return proto.got.result()
        pytest.fail(f"Kamailio on {port} never answered")
    finally:
        transport.close()


@pytest.fixture
async def nodes(tmp_path: Path) -> AsyncIterator[list[VoiceEndpoint]]:
    made: list[VoiceEndpoint] = []
    for n in (1, 2):
        settings = VoiceSettings(
            port=0, tcp=False, rtp_port_min=0, data_dir=tmp_path / f"node{n}", t1=0.1
        )
        node = VoiceEndpoint(settings, SimpleVoiceService())
        await node.start()
        made.append(node)
    yield made
    for node in made:
        await node.aclose()


async def start_edge(tmp_path: Path, targets: list[int]) -> tuple[asyncio.subprocess.Process, int]:
    kamailio = require_tool("kamailio")
    port = free_udp_port()
    dispatcher = tmp_path / "dispatcher.list"
    dispatcher.write_text("".join(f"1 sip:127.0.0.1:{p}\n" for p in targets))
    run_dir = tmp_path / "kamailio-run"
    run_dir.mkdir()
    log = (tmp_path / "kamailio.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        kamailio,
        "-DD",
        "-E",
        "-f",
        str(CFG),
        "-Y",
        str(run_dir),
        "-A",
        f"EDGE_PORT={port}",
        "-A",
        f'DISPATCHER_LIST="{dispatcher}"',
        "-A",
        "PING_INTERVAL=1",
        "-A",
        "NODE_TIMEOUT_MS=1000",
        stdout=log,
        stderr=log,
    )
    log.close()
    return proc, port


async def run_sipp(edge_port: int, tmp_path: Path) -> str:
    sipp = require_tool("sipp")
    proc = await asyncio.create_subprocess_exec(
        sipp,
        f"127.0.0.1:{edge_port}",
        "-sf",
        str(SCENARIO),
        "-m",
        str(CALLS),
        "-r",
        "3",
        "-i",
        "127.0.0.1",
        "-p",
        str(free_udp_port()),
        "-mp",
        str(free_udp_port()),
        "-timeout",
        "40",
        "-timeout_error",
        "-nostdin",
        "-trace_err",
        "-error_file",
        str(tmp_path / "sipp_errors.log"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,
    )
    out, _ = await proc.communicate()
    errors = tmp_path / "sipp_errors.log"
    assert proc.returncode == 0, (
        f"sipp failed ({proc.returncode}):\n"
        f"{errors.read_text()[-3000:] if errors.exists() else ''}\n{out.decode()[-2000:]}"
    )
    return out.decode()


async def test_the_edge_spreads_calls_over_live_nodes_and_skips_a_dead_one(
    nodes: list[VoiceEndpoint], tmp_path: Path
) -> None:
    require_tool("sipp")
    dead = free_udp_port()  # nothing listens there
    edge, port = await start_edge(tmp_path, [nodes[0].port, dead, nodes[1].port])
    try:
        await edge_answers(port)
        await run_sipp(port, tmp_path)
    finally:
        edge.terminate()
        await edge.wait()
    per_node = []
    for node in nodes:
        assert isinstance(node.service, SimpleVoiceService)
        per_node.append(len(node.service.calls))
    assert sum(per_node) == CALLS, per_node  # every call reached a live node
    assert all(n > 0 for n in per_node), per_node  # and both nodes took calls
    log = (tmp_path / "kamailio.log").read_text(errors="replace")
    assert f"voice node sip:127.0.0.1:{dead} failed with 408" in log  # tried, then skipped
