"""G.711 µ-law and A-law with numpy lookup tables (the stdlib's audioop is deprecated and gone in 3.13)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

PCM = npt.NDArray[np.int16]
CODEC_NAMES = {0: "PCMU", 8: "PCMA"}
RATE = 8000
FRAME = 160  # 20 ms at 8 kHz


def _ulaw_decode_table() -> PCM:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign, exponent, mantissa = codes & 0x80, (codes >> 4) & 0x07, codes & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


def _alaw_decode_table() -> PCM:
    codes = np.arange(256, dtype=np.int32) ^ 0x55
    sign, exponent, mantissa = codes & 0x80, (codes >> 4) & 0x07, codes & 0x0F
    magnitude = np.where(exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0))
    return np.where(sign != 0, magnitude, -magnitude).astype(np.int16)


def _ulaw_encode_table() -> npt.NDArray[np.uint8]:
    # As ITU-T G.191's reference: 14-bit magnitude, bias 33, segment from the bit length.
    pcm = np.arange(-32768, 32768, dtype=np.int32) >> 2
    mask = np.where(pcm < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.where(pcm < 0, -pcm, pcm), 8159) + 0x21
    segment = np.floor(np.log2(magnitude)).astype(np.int32) - 5
    code = np.where(segment > 7, 0x7F, (segment << 4) | ((magnitude >> (segment + 1)) & 0x0F))
    table: npt.NDArray[np.uint8] = (code ^ mask).astype(np.uint8)
    return table


def _alaw_encode_table() -> npt.NDArray[np.uint8]:
    pcm = np.arange(-32768, 32768, dtype=np.int32)
    sign = np.where(pcm >= 0, 0x80, 0)
    magnitude = np.minimum(np.where(pcm < 0, -pcm - 1, pcm), 32767) >> 3
    exponent = np.where(magnitude >= 32, np.floor(np.log2(np.maximum(magnitude, 1))).astype(np.int32) - 4, 0)
    mantissa = np.where(exponent == 0, magnitude >> 1, magnitude >> exponent) & 0x0F
    table: npt.NDArray[np.uint8] = ((sign | (exponent << 4) | mantissa) ^ 0x55).astype(np.uint8)
    return table


_DECODE = {0: _ulaw_decode_table(), 8: _alaw_decode_table()}
_ENCODE = {0: _ulaw_encode_table(), 8: _alaw_encode_table()}


def decode(payload: bytes, pt: int) -> PCM:
    """G.711 bytes of payload type `pt` (0 µ-law, 8 A-law) to 16-bit samples."""
    return _DECODE[pt][np.frombuffer(payload, dtype=np.uint8)]


def encode(samples: PCM, pt: int) -> bytes:
    """16-bit samples to G.711 bytes of payload type `pt`."""
    index = samples.astype(np.int32) + 32768
    return bytes(_ENCODE[pt][index].tobytes())
