"""Opus (RFC 7587) with a terminal: PyAV's libopus, the bridge's 8 kHz 20 ms frames in and out."""

from __future__ import annotations

import fractions

import av
import numpy as np
import numpy.typing as npt

from qorgau.voice.bridge.g711 import FRAME, PCM, RATE

CLOCK = 48000  # Opus's RTP clock is always 48 kHz, whatever the audio's bandwidth (RFC 7587 §4.1)
TIMESTAMP_STEP = FRAME * CLOCK // RATE  # 960 per 20 ms frame
_DECIMATE = CLOCK // RATE


def _lowpass(taps: int = 97, cutoff_hz: float = 3600.0) -> npt.NDArray[np.float64]:
    """A windowed-sinc low-pass: what 48 kHz audio keeps before every sixth sample is taken (no aliasing)."""
    n = np.arange(taps) - (taps - 1) / 2
    kernel = np.sinc(2 * cutoff_hz / CLOCK * n) * np.hamming(taps)
    return np.asarray(kernel / kernel.sum(), dtype=np.float64)


_TAPS = _lowpass()


class OpusCodec:
    """One call's Opus encoder and decoder; the bridge's audio stays 8 kHz mono (the recorder, G.711 alike)."""

    def __init__(self, bitrate: int = 24000) -> None:
        # libopus takes 8 kHz input directly (narrowband); the packets play at any rate on the terminal.
        self._encoder = av.CodecContext.create("libopus", "w")
        self._encoder.sample_rate, self._encoder.layout, self._encoder.format = RATE, "mono", "s16"
        self._encoder.bit_rate = bitrate
        self._encoder.open()
        # FFmpeg's Opus decoders give 48 kHz; down-sampled here, with the filter's history kept between frames.
        self._decoder = av.CodecContext.create("libopus", "r")
        self._decoder.sample_rate, self._decoder.layout = CLOCK, "mono"
        self._history = np.zeros(len(_TAPS) - 1)
        self._pts = 0

    def encode(self, pcm: PCM) -> bytes:
        """One 20 ms frame of 8 kHz audio as one Opus packet (empty while the encoder fills its look-ahead)."""
        frame = av.AudioFrame.from_ndarray(pcm.astype(np.int16).reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = RATE, self._pts, fractions.Fraction(1, RATE)
        self._pts += len(pcm)
        return b"".join(bytes(packet) for packet in self._encoder.encode(frame))

    def decode(self, payload: bytes) -> PCM:
        """One Opus packet as 20 ms of 8 kHz audio (silence where it does not decode: a broken packet is skipped)."""
        try:
            frames = self._decoder.decode(av.Packet(payload))
        except av.FFmpegError:
            return np.zeros(FRAME, dtype=np.int16)
        chunks = [frame.to_ndarray()[0].astype(np.float64) * (32767.0 if frame.format.name.startswith("flt") else 1.0)
                  for frame in frames]  # the first channel; float formats are in [-1, 1]
        if not chunks:
            return np.zeros(FRAME, dtype=np.int16)
        data = np.concatenate(chunks)
        filtered = np.convolve(np.concatenate([self._history, data]), _TAPS, mode="valid")
        self._history = np.concatenate([self._history, data])[-(len(_TAPS) - 1):]
        out = filtered[::_DECIMATE][:FRAME]
        if len(out) < FRAME:  # a packet shorter than 20 ms: pad rather than change the clock
            out = np.concatenate([out, np.zeros(FRAME - len(out))])
        return np.clip(out, -32768, 32767).astype(np.int16)
