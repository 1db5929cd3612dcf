"""The relay's wire protocol over real TCP: answer line, length-prefixed init and fragments, snapshots, refusals,
and the stream detached when the server hangs up."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import av
import pytest

from qorgau.settings import Settings
from qorgau.video.contracts import CameraConfig, EncodedPacket, StreamHub, StreamInfo
from qorgau.video.relay import RelayFeature
from qorgau.video.status import PictureVerdicts
from tests.video.live_media import ManualHub, decode_all, make_clip, read_packets


@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory) -> tuple[StreamInfo, list[EncodedPacket]]:
    return read_packets(make_clip(tmp_path_factory.mktemp("relay") / "road.mp4", gop=10))


class Context:
    """A worker context around a hub fed by the test (the real worker is tested in test_live_views)."""

    def __init__(self, hub: ManualHub, port: int, tmp: Path) -> None:
        self.index, self.count = 0, 1
        self.settings = Settings(data_dir=tmp, database_url=f"sqlite:///{tmp}/unused.db", video_live_port=port,
                                 video_connect_timeout_s=0.5)
        self.db: Any = None
        self.streams: StreamHub = hub
        self.pictures = PictureVerdicts()
        self._cameras = [CameraConfig(device_id=3, code="CAM-3", main_url="file:main", sub_url="file:sub")]

    def cameras(self) -> Sequence[CameraConfig]:
        return self._cameras


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def running(hub: ManualHub, tmp: Path) -> AsyncIterator[tuple[RelayFeature, int]]:
    port = _port()
    relay = RelayFeature()
    task = asyncio.create_task(relay.run(Context(hub, port, tmp)))
    for _ in range(100):
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        await asyncio.sleep(0.02)
    try:
        yield relay, port
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _ask(port: int, request: dict[str, Any] | bytes
               ) -> tuple[dict[str, Any], asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request if isinstance(request, bytes) else json.dumps(request).encode() + b"\n")
    return json.loads(await reader.readline()), reader, writer


async def _message(reader: asyncio.StreamReader) -> bytes:
    return await reader.readexactly(int.from_bytes(await reader.readexactly(4), "big"))


def test_live_over_the_wire_then_detached_when_the_server_hangs_up(
        stream: tuple[StreamInfo, list[EncodedPacket]], tmp_path: Path) -> None:
    info, packets = stream

    async def scenario() -> None:
        hub = ManualHub(info)
        async with running(hub, tmp_path) as (relay, port):
            pending = asyncio.create_task(_ask(port, {"op": "live", "device_id": 3, "stream": "sub"}))
            while not hub.sinks:
                await asyncio.sleep(0.01)
            hub.feed(packets[:12])
            answer, reader, writer = await pending
            assert answer["ok"] is True and answer["mime"].startswith('video/mp4; codecs="avc1.')
            messages = [await _message(reader) for _ in range(13)]
            assert messages[0][4:8] == b"ftyp" and len(decode_all(b"".join(messages), tmp_path)) == 12
            writer.close()
            while hub.sinks:
                await asyncio.sleep(0.01)
            assert hub.detaches == 1 and relay.live is not None and relay.live.viewers() == 0

    asyncio.run(scenario())


def test_snapshot_refusals_and_bad_requests(stream: tuple[StreamInfo, list[EncodedPacket]], tmp_path: Path) -> None:
    info, packets = stream

    async def scenario() -> None:
        hub = ManualHub(info)
        async with running(hub, tmp_path) as (_, port):
            pending = asyncio.create_task(_ask(port, {"op": "snapshot", "device_id": 3, "stream": "main",
                                                      "masks": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}))
            while not hub.sinks:
                await asyncio.sleep(0.01)
            hub.feed(packets[:3])
            answer, reader, writer = await pending
            assert answer == {"ok": True, "mime": "image/jpeg"}
            jpeg = tmp_path / "snap.jpg"
            jpeg.write_bytes(await _message(reader))
            writer.close()
            container: Any = av.open(str(jpeg))
            with container:
                still = next(container.decode(video=0)).to_ndarray(format="gray")
            assert still.shape == (360, 640) and still.max() < 30  # masked all over: black
            assert not hub.sinks  # the key frame catcher left

            answer, _, writer = await _ask(port, {"op": "live", "device_id": 99})
            writer.close()
            assert answer == {"ok": False, "code": "video.camera_not_found"}
            for bad in (b"not json\n", b'{"op": "live", "device_id": 3, "masks": [[[0, 0, 1]]]}\n'):
                answer, _, writer = await _ask(port, bad)
                writer.close()
                assert answer == {"ok": False, "code": "video.bad_request"}
            # A stream that never delivers a picture: refused after the wait, with the state the hub knows.
            answer, _, writer = await _ask(port, {"op": "live", "device_id": 3, "stream": "main"})
            writer.close()
            assert answer == {"ok": False, "code": "video.stream_unavailable", "state": "connecting"}

    asyncio.run(scenario())
