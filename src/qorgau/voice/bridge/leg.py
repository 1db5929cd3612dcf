"""The WebRTC leg to an operator's browser (aiortc): the terminal's audio out, the operator's microphone in."""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import secrets
from collections import deque

import av
import numpy as np
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from qorgau.voice.bridge.g711 import FRAME, PCM, RATE

log = logging.getLogger(__name__)
QUEUE_FRAMES = 10  # 200 ms either way: older audio is dropped rather than delaying the conversation
_TIME_BASE = fractions.Fraction(1, RATE)


class TerminalTrack(MediaStreamTrack):
    """What the browser hears: 20 ms frames pushed by the call's clock."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._frames: asyncio.Queue[PCM] = asyncio.Queue(QUEUE_FRAMES)
        self._pts = 0

    def push(self, samples: PCM) -> None:
        if self._frames.full():
            self._frames.get_nowait()  # the sender fell behind: keep the newest audio
        self._frames.put_nowait(samples)

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        samples = await self._frames.get()
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.time_base, frame.pts = RATE, _TIME_BASE, self._pts
        self._pts += samples.shape[0]
        return frame


class BrowserLeg:
    """One operator's browser on one call."""

    def __init__(self, operator_id: int) -> None:
        self.id = secrets.token_urlsafe(12)
        self.operator_id = operator_id
        self.pc = RTCPeerConnection()
        self.outgoing = TerminalTrack()
        self._fifo: deque[PCM] = deque()
        self._buffered = 0
        self._playing = False
        self._reader: asyncio.Task[None] | None = None
        self.received_frames = 0

        @self.pc.on("track")
        def _track(track: MediaStreamTrack) -> None:
            if track.kind == "audio" and self._reader is None:
                self._reader = asyncio.create_task(self._read(track))

    async def answer(self, offer_sdp: str) -> str:
        """Accept the browser's offer; the answer carries every ICE candidate (no trickle)."""
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        self.pc.addTrack(self.outgoing)
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return str(self.pc.localDescription.sdp)

    async def _read(self, track: MediaStreamTrack) -> None:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        try:
            while True:
                frame = await track.recv()
                if not isinstance(frame, av.AudioFrame):
                    continue
                for out in resampler.resample(frame):
                    self._append(out.to_ndarray().reshape(-1).astype(np.int16))
        except MediaStreamError:
            return

    def _append(self, samples: PCM) -> None:
        self.received_frames += 1
        self._fifo.append(samples)
        self._buffered += samples.shape[0]
        while self._buffered > QUEUE_FRAMES * FRAME:
            self._buffered -= self._fifo.popleft().shape[0]

    def pull(self) -> PCM:
        """The operator's next 20 ms (silence while the first 40 ms gather or when the browser is late)."""
        if not self._playing:
            if self._buffered < 2 * FRAME:
                return np.zeros(FRAME, dtype=np.int16)
            self._playing = True
        if self._buffered < FRAME:
            self._playing = False
            return np.zeros(FRAME, dtype=np.int16)
        parts: list[PCM] = []
        need = FRAME
        while need:
            head = self._fifo[0]
            if head.shape[0] <= need:
                parts.append(self._fifo.popleft())
                need -= head.shape[0]
            else:
                parts.append(head[:need])
                self._fifo[0] = head[need:]
                need = 0
        self._buffered -= FRAME
        return np.concatenate(parts)

    async def close(self) -> None:
        self.outgoing.stop()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        await self.pc.close()
