"""The composed settings: every part's variables work, each field has one owner, the README reference is current."""

from __future__ import annotations

import ast
import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from qorgau.alarms.config import AlarmsSettings
from qorgau.core import settings as core_settings
from qorgau.core.errors import ConfigError
from qorgau.core.settings import CoreSettings
from qorgau.ingest.adapters.sia_dc09.config import Dc09Settings
from qorgau.settings import (
    PARTS,
    REFERENCE_BEGIN,
    REFERENCE_END,
    Settings,
    load_settings,
    owner,
    reference,
    with_reference,
)
from qorgau.units.config import UnitsSettings

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
KEY = base64.b64encode(b"k" * 32).decode()
# Values for the settings whose default is empty (None): what an installation would set.
SAMPLES: dict[str, str] = {
    "database_url": "sqlite:///x.db", "master_key": KEY, "audit_signing_key": KEY, "web_dist": "/srv/web",
    "mqtt_url": "mqtt://broker:1883", "mqtt_username": "qorgau", "mqtt_password": "secret",
    "mqtt_ca_file": "/etc/ca.pem", "video_recorded_cameras_limit": "8",
    "video_volumes": '[{"name": "disk1", "path": "/srv/video", "quota_gb": 500}]',
    "video_detector_input_size": "320", "video_detector_sha256": "0" * 64, "video_analytics_cameras_limit": "4",
    "stats_official_population": "56000",
    "tls_cert_file": "/etc/qorgau/tls.crt", "tls_key_file": "/etc/qorgau/tls.key", "dc09_tls_port": "12301",
    "dc09_tls_cert_file": "/etc/qorgau/dc09.crt", "dc09_tls_key_file": "/etc/qorgau/dc09.key",
    "mqtt_cert_file": "/etc/qorgau/mqtt.crt", "mqtt_key_file": "/etc/qorgau/mqtt.key",
    "trusted_proxies": "127.0.0.1,10.0.0.0/8", "nats_credentials_file": "/etc/qorgau/nats.creds",
}
# Settings that are valid only with another (a certificate and its key): set together.
PARTNERS: dict[str, tuple[str, ...]] = {
    "tls_cert_file": ("tls_key_file",), "tls_key_file": ("tls_cert_file",),
    "dc09_tls_cert_file": ("dc09_tls_key_file",), "dc09_tls_key_file": ("dc09_tls_cert_file",),
    "dc09_tls_port": ("tls_cert_file", "tls_key_file"),
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.upper().startswith("QORGAU_"):
            monkeypatch.delenv(key)


def _as_env(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_variable_still_works(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    default = Settings.model_fields[name].get_default(call_default_factory=True)
    monkeypatch.setenv(f"QORGAU_{name.upper()}", SAMPLES[name] if name in SAMPLES else _as_env(default))
    for partner in PARTNERS.get(name, ()):
        monkeypatch.setenv(f"QORGAU_{partner.upper()}", SAMPLES[partner])
    settings = load_settings()
    value = getattr(settings, name)
    shown = value.get_secret_value() if hasattr(value, "get_secret_value") else value
    assert shown is not None
    assert isinstance(settings, owner(name))


def test_every_field_is_owned_by_exactly_one_part() -> None:
    owners = {name: [part for part in PARTS if name in vars(part).get("__annotations__", {})]
              for name in Settings.model_fields}
    assert {name: len(found) for name, found in owners.items() if len(found) != 1} == {}
    assert all(issubclass(Settings, part) for part in PARTS)
    assert [part.section for part in PARTS] == list(dict.fromkeys(part.section for part in PARTS))


def test_domain_fields_left_the_kernel() -> None:
    prefixes = ("ingest_", "dc09_", "mqtt_", "sip_", "webhook_", "alarm_", "unit_", "response_", "simulation_",
                "video_")
    assert [name for name in CoreSettings.model_fields if name.startswith(prefixes)] == []
    domain_fields = {name for part in PARTS[1:] for name in vars(part).get("__annotations__", {})
                     if name in Settings.model_fields}
    assert len(Settings.model_fields) - len(CoreSettings.model_fields) == len(domain_fields) > 40


def test_the_kernel_imports_no_domain() -> None:
    tree = ast.parse(Path(core_settings.__file__).read_text(encoding="utf-8"))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module]
    assert [module for module in imported if module.startswith("qorgau.") and
            not module.startswith("qorgau.core.")] == []


def test_a_domain_reads_its_own_part() -> None:
    settings = load_settings(unit_position_stale_s=90, dc09_tcp_port=0)
    assert settings.part(UnitsSettings).unit_position_stale_s == 90
    assert settings.part(Dc09Settings).dc09_tcp_port == 0
    with pytest.raises(ConfigError, match="Units"):
        CoreSettings().part(UnitsSettings)


def test_a_part_read_alone_tolerates_the_other_parts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "qorgau.toml"
    config.write_text('alarm_sound_max_priority = 7\ndc09_tcp_port = 1\n', encoding="utf-8")
    monkeypatch.setenv("QORGAU_CONFIG", str(config))
    monkeypatch.setenv("QORGAU_ALARM_FOLD_WINDOW_S", "30")
    monkeypatch.setenv("QORGAU_MQTT_URL", "mqtt://broker:1883")
    monkeypatch.setattr(core_settings, "_current", {})
    alarms = core_settings.current(AlarmsSettings)
    assert (alarms.alarm_sound_max_priority, alarms.alarm_fold_window_s) == (7, 30)
    assert core_settings.current(AlarmsSettings) is alarms
    # The program's own load stays strict.
    monkeypatch.setenv("QORGAU_ALARM_FOLD_WINDOWS", "30")
    with pytest.raises(ConfigError, match="QORGAU_ALARM_FOLD_WINDOWS"):
        load_settings()


def test_the_readme_reference_is_up_to_date() -> None:
    text = README.read_text(encoding="utf-8")
    assert with_reference(text) == text, "the README's settings reference is stale: run `qorgau config docs`"


def test_the_reference_lists_every_variable_once() -> None:
    table = reference()
    for name in Settings.model_fields:
        assert table.count(f"| `QORGAU_{name.upper()}` |") == 1, name
    with pytest.raises(ValueError, match="markers"):
        with_reference("# no reference here\n")


def test_config_docs_rewrites_a_stale_reference_and_check_fails_on_it(tmp_path: Path) -> None:
    from qorgau.cli import app

    readme = tmp_path / "README.md"
    readme.write_text(f"# Qorgau\n\n{REFERENCE_BEGIN}\n| stale |\n{REFERENCE_END}\n\nmore\n", encoding="utf-8")
    runner = CliRunner()
    stale = runner.invoke(app, ["config", "docs", "--readme", str(readme), "--check"])
    assert stale.exit_code == 1 and "out of date" in stale.output
    assert runner.invoke(app, ["config", "docs", "--readme", str(readme)]).exit_code == 0
    assert readme.read_text(encoding="utf-8") == with_reference(readme.read_text(encoding="utf-8"))
    assert "| stale |" not in readme.read_text(encoding="utf-8")
    assert readme.read_text(encoding="utf-8").endswith(f"{REFERENCE_END}\n\nmore\n")
    fresh = runner.invoke(app, ["config", "docs", "--readme", str(readme), "--check"])
    assert fresh.exit_code == 0, fresh.output
