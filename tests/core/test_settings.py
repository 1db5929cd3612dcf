import base64
from pathlib import Path

import pytest

from qorgau.core.errors import ConfigError
from qorgau.core.settings import redacted
from qorgau.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.upper().startswith("QORGAU_"):
            monkeypatch.delenv(key)


def test_defaults_are_the_embedded_setup() -> None:
    settings = load_settings()
    assert settings.data_dir == Path("./var")
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.effective_database_url.endswith("var/qorgau.db")
    assert settings.time_zone == "Asia/Oral"
    assert settings.zone.key == "Asia/Oral"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QORGAU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("QORGAU_PORT", "9001")
    settings = load_settings()
    assert settings.data_dir == tmp_path
    assert settings.port == 9001
    assert settings.effective_database_url == f"sqlite:///{tmp_path.resolve()}/qorgau.db"


def test_toml_file_under_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "qorgau.toml"
    config.write_text('port = 8100\ntime_zone = "Asia/Almaty"\n')
    monkeypatch.setenv("QORGAU_CONFIG", str(config))
    monkeypatch.setenv("QORGAU_PORT", "8200")
    settings = load_settings()
    assert settings.time_zone == "Asia/Almaty"
    assert settings.port == 8200


def test_unknown_toml_key_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "qorgau.toml"
    config.write_text("prot = 8100\n")
    monkeypatch.setenv("QORGAU_CONFIG", str(config))
    with pytest.raises(ConfigError, match="unknown setting 'prot'"):
        load_settings()


def test_unknown_environment_key_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QORGAU_DATABSE_URL", "sqlite:///x.db")
    with pytest.raises(ConfigError, match="QORGAU_DATABSE_URL"):
        load_settings()


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [("QORGAU_TIME_ZONE", "Mars/Olympus", "time_zone"), ("QORGAU_PORT", "0", "port"),
     ("QORGAU_DATABASE_URL", "mysql://x", "database_url")],
)
def test_invalid_values_name_the_setting(monkeypatch: pytest.MonkeyPatch, key: str, value: str, fragment: str) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=fragment):
        load_settings()


def test_every_field_is_described() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert field.title, name


def test_redaction_hides_secrets_and_database_password() -> None:
    key = base64.b64encode(b"k" * 32).decode()
    settings = load_settings(master_key=key, database_url="postgresql://qorgau:hunter2@db:5432/q")
    shown = redacted(settings)
    assert shown["master_key"] == "********"
    assert "hunter2" not in str(shown)
    assert shown["database_url"] == "postgresql+psycopg://qorgau:********@db:5432/q"
