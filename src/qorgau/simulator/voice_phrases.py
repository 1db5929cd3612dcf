"""What simulated callers say: Kazakh and Russian phrases spoken by espeak-ng, shipped as 8 kHz mono WAV files.

The files are made once by ``python -m qorgau.simulator.voice_phrases`` (espeak-ng and ffmpeg from Debian) and
committed under ``phrases/``; the simulator only reads them.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

PHRASES_DIR = Path(__file__).with_name("phrases")
SAMPLE_RATE = 8000  # G.711's rate: the file's samples go out as they are, 160 to a 20 ms packet

Line = Literal["sos", "line102"]


@dataclass(frozen=True, slots=True)
class Phrase:
    """One recorded phrase: its file name, language, the line it is said on, and its words."""

    name: str
    lang: Literal["kk", "ru"]
    line: Line
    text: str


PHRASES: tuple[Phrase, ...] = (
    Phrase("sos-kk-1", "kk", "sos", "Көмектесіңіздер! Мұнда адам жарақат алды, жедел жәрдем керек."),
    Phrase("sos-kk-2", "kk", "sos", "Сәлеметсіз бе, полиция керек. Мектептің жанында төбелес болып жатыр."),
    Phrase("sos-ru-1", "ru", "sos", "Помогите! Здесь человеку плохо, нужна скорая помощь."),
    Phrase("sos-ru-2", "ru", "sos", "Алло, полиция? У нас драка возле остановки, приезжайте быстрее."),
    Phrase("102-ru-1", "ru", "line102", "Здравствуйте, у меня со двора угнали машину, белая Лада."),
    Phrase("102-kk-1", "kk", "line102", "Сәлеметсіз бе, көршілердің үйінен қатты айқай естіледі."),
)


def path_of(phrase: Phrase) -> Path:
    return PHRASES_DIR / f"{phrase.name}.wav"


@cache
def samples(name: str) -> bytes:
    """The phrase's audio: 16-bit little-endian signed samples, mono, 8 kHz."""
    phrase = next((p for p in PHRASES if p.name == name), None)
    if phrase is None:
        raise KeyError(f"no phrase {name!r}")
    with wave.open(str(path_of(phrase)), "rb") as wav:
        if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) != (1, 2, SAMPLE_RATE):
            raise ValueError(f"{phrase.name}: not 16-bit mono {SAMPLE_RATE} Hz")
        return wav.readframes(wav.getnframes())


def pick(rng: random.Random, line: Line) -> Phrase:
    """A phrase for a call on ``line``, chosen with the simulation's own random source (runs repeat)."""
    return rng.choice([p for p in PHRASES if p.line == line])


def build(target: Path = PHRASES_DIR) -> list[Path]:
    """Speak every phrase with espeak-ng and write it as 8 kHz 16-bit mono WAV (ffmpeg resamples)."""
    espeak, ffmpeg = shutil.which("espeak-ng"), shutil.which("ffmpeg")
    if espeak is None or ffmpeg is None:
        raise RuntimeError("espeak-ng and ffmpeg are needed (apt-get install espeak-ng ffmpeg)")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for phrase in PHRASES:
            spoken = Path(tmp) / f"{phrase.name}.wav"
            # Our own fixed texts and paths, no shell.
            subprocess.run([espeak, "-v", phrase.lang, "-s", "145", "-w", str(spoken), phrase.text],  # noqa: S603
                           check=True)
            out = target / f"{phrase.name}.wav"
            subprocess.run([ffmpeg, "-loglevel",  # noqa: S603 "error", "-y", "-i", str(spoken), "-ar", str(SAMPLE_RATE), "-ac", "1",
                            "-c:a", "pcm_s16le", "-map_metadata", "-1", "-fflags", "+bitexact", str(out)], check=True)
            written.append(out)
    return written


if __name__ == "__main__":  # pragma: no cover - run by hand, once, to make the committed files
    for made in build(Path(sys.argv[1]) if len(sys.argv) > 1 else PHRASES_DIR):
        print(made)
