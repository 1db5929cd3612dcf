"""Live fan-out: one upstream for many viewers, late joiners start at a key frame, slow viewers skip ahead, the
last viewer leaving detaches the stream."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from qorgau.core.aio import within
from qorgau.video.contracts import EncodedPacket, StreamInfo
from qorgau.video.enums import StreamKind
from qorgau.video.live import LiveKey, LiveStreams, Viewer
from qorgau.video.transcode import freeze_masks
from tests.video.live_media import ManualHub, decode_all, make_clip, read_packets

SUB = LiveKey(7, StreamKind.SUB)


@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory) -> tuple[StreamInfo, list[EncodedPacket]]:
    return read_packets(make_clip(tmp_path_factory.mktemp("live") / "road.mp4", gop=10))


async def _take(viewer: Viewer) -> list[bytes]:
    """What is queued for the viewer right now (after the loop ran the reader thread's wake-ups)."""
    await asyncio.sleep(0)
    try:
        got = await within(viewer.drain(), 0.2)
    except TimeoutError:
        return []
    return got or []


def test_viewers_share_one_upstream_and_late_joiner_starts_at_key_frame(
        stream: tuple[StreamInfo, list[EncodedPacket]], tmp_path: Path) -> None:
    info, packets = stream

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        hub = ManualHub(info)
        live = LiveStreams(hub)
        sink, first = live.join(SUB, loop)
        hub.feed(packets[:25])  # key frames at 0, 10, 20
        _, second = live.join(SUB, loop)
        assert hub.attaches == 1 and live.viewers() == 2
        hub.feed(packets[25:])
        one, two = await _take(first), await _take(second)
        assert sink.init is not None and one[0] is sink.init and two[0] is sink.init
        assert len(one) == 1 + len(packets)
        assert len(two) == 1 + len(packets) - 20  # the GOP from the key frame at 20, then the rest
        frames = decode_all(b"".join(two), tmp_path)
        assert len(frames) == len(packets) - 20 and frames[0].key_frame
        assert len(decode_all(b"".join(one), tmp_path)) == len(packets)

    asyncio.run(scenario())


def test_slow_viewer_queue_is_bounded_and_resumes_at_a_key_frame() -> None:
    async def scenario() -> None:
        viewer = Viewer(asyncio.get_running_loop(), max_bytes=100)
        init = b"I" * 10
        viewer.offer(b"K1" * 20, key=True, init=init)
        viewer.offer(b"d" * 30, key=False, init=init)
        viewer.offer(b"d" * 30, key=False, init=init)  # 10 + 40 + 30 + 30 > 100: dropped, skipping
        viewer.offer(b"d" * 5, key=False, init=init)  # still skipping: not a place a decoder can start
        assert viewer.dropped == 1
        viewer.offer(b"K2" * 20, key=True, init=init)
        viewer.offer(b"d" * 10, key=False, init=init)
        assert await _take(viewer) == [init, b"K2" * 20, b"d" * 10]
        viewer.offer(b"d" * 60, key=False, init=init)
        viewer.offer(b"K3" * 30, key=True, init=init)  # a key frame that overflows: the restart is right here
        assert viewer.dropped == 2
        assert await _take(viewer) == [init, b"K3" * 30]

    asyncio.run(scenario())


def test_slow_viewer_of_a_real_stream_never_holds_more_than_its_limit(
        stream: tuple[StreamInfo, list[EncodedPacket]], tmp_path: Path) -> None:
    info, packets = stream
    limit = 30_000  # a key frame and some of its GOP, never two GOPs

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        hub = ManualHub(info)
        live = LiveStreams(hub, max_viewer_bytes=limit)
        sink, slow = live.join(SUB, loop)
        _, quick = live.join(SUB, loop)
        received: list[bytes] = []
        for packet in packets:  # the quick one reads after every frame, the slow one only at the end
            hub.feed([packet])
            received += await _take(quick)
        assert quick.dropped == 0 and len(received) == 1 + len(packets)
        assert slow.dropped >= 1
        late = await _take(slow)
        assert sum(map(len, late)) <= limit
        if late:  # the last restart: init, then a key frame that decodes
            assert late[0] is sink.init
            frames = decode_all(b"".join(late), tmp_path)
            assert frames and frames[0].key_frame and len(frames) == len(late) - 1

    asyncio.run(scenario())


def test_last_viewer_leaving_detaches_and_a_new_one_attaches_again(
        stream: tuple[StreamInfo, list[EncodedPacket]]) -> None:
    info, packets = stream

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        hub = ManualHub(info)
        live = LiveStreams(hub)
        sink, a = live.join(SUB, loop)
        _, b = live.join(SUB, loop)
        hub.feed(packets[:5])
        live.leave(sink, a)
        assert hub.detaches == 0 and a.closed and await a.drain() is None
        live.leave(sink, b)
        assert hub.detaches == 1 and not hub.sinks and live.sink(SUB) is None
        again, c = live.join(SUB, loop)
        assert again is not sink and hub.attaches == 2
        live.leave(again, c)

    asyncio.run(scenario())


def test_masked_stream_is_transcoded_off_the_reader_thread(
        stream: tuple[StreamInfo, list[EncodedPacket]], tmp_path: Path) -> None:
    info, packets = stream
    key = LiveKey(7, StreamKind.SUB, masks=freeze_masks([[[0, 0], [1, 0], [1, 0.5]]]))

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        hub = ManualHub(info)
        live = LiveStreams(hub)
        sink, viewer = live.join(key, loop)
        began = time.perf_counter()
        hub.feed(packets[:20])
        fed_in = time.perf_counter() - began
        got: list[bytes] = []
        while len(got) < 21:
            batch: list[bytes] | None = await within(viewer.drain(), 10)
            got += batch or []
        assert fed_in < 0.5  # the reader thread only queued; the encoder ran elsewhere
        assert sink.mime is not None and sink.mime.startswith('video/mp4; codecs="avc1.')
        frames = decode_all(b"".join(got), tmp_path)
        assert len(frames) == 20
        luma = frames[5].to_ndarray(format="gray")
        assert luma[5, -5] < 20  # inside the triangle: black
        live.leave(sink, viewer)

    asyncio.run(scenario())
