"""One strict settings model: ``QORGAU_*`` environment variables over an optional TOML file.

Unknown keys are errors that name the key, so a typo in a deployment never
silently falls back to a default.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from qorgau.core.errors import ConfigError

ENV_PREFIX = "QORGAU_"
CONFIG_FILE_ENV = "QORGAU_CONFIG"
Language = Literal["kk", "ru", "en"]
LANGUAGES: tuple[Language, ...] = ("kk", "ru", "en")


class Settings(BaseSettings):
    """Every setting of a Qorgau installation, each with a description."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        extra="forbid",
        validate_default=True,
        case_sensitive=False,
    )

    data_dir: Path = Field(
        default=Path("./var"),
        title="Data directory",
        description="Where the embedded database, key files, audit anchors and run-time sockets live.",
    )
    database_url: str | None = Field(
        default=None,
        title="Database URL",
        description=(
            "SQLAlchemy URL of the database. Empty: SQLite file qorgau.db in the data directory. "
            "PostgreSQL: postgresql+psycopg://user@host:5432/db."
        ),
    )
    host: str = Field(default="127.0.0.1", title="Listen address", description="Address `qorgau serve` binds.")
    port: int = Field(default=8000, ge=1, le=65535, title="Listen port", description="Port `qorgau serve` binds.")
    shutdown_grace_s: int = Field(
        default=5, ge=0, le=120, title="Shutdown grace",
        description=(
            "Seconds `qorgau serve` and `qorgau ingest` wait for open requests and live streams after SIGINT or "
            "SIGTERM before closing them; the stop itself then takes a few seconds more."
        ),
    )
    time_zone: str = Field(
        default="Asia/Oral",
        title="Local time zone",
        description="IANA zone for everything a person sees or a rule evaluates by time of day; storage is UTC.",
    )
    default_language: Language = Field(
        default="ru", title="Default language", description="Language of the UI and messages when none is chosen."
    )
    master_key: SecretStr | None = Field(
        default=None,
        title="Master key",
        description=(
            "Base64 of 32 bytes that encrypts device credentials and keys in the database. "
            "Empty: the key file keys/master.key in the data directory, created on first start."
        ),
    )
    audit_signing_key: SecretStr | None = Field(
        default=None,
        title="Audit signing key",
        description=(
            "Base64 of a 32-byte Ed25519 seed signing audit checkpoints. Empty: keys/audit-signing.key "
            "in the data directory, created on first start. Never stored in the database."
        ),
    )
    audit_checkpoint_interval_s: float = Field(
        default=30.0, gt=0, title="Audit checkpoint interval", description="Seconds between signed checkpoints."
    )
    session_ttl_minutes: int = Field(
        default=720, gt=0, title="Session lifetime", description="Absolute lifetime of a web session (a shift)."
    )
    session_idle_minutes: int = Field(
        default=120, gt=0, title="Session idle timeout", description="A web session unused this long ends."
    )
    cookie_secure: bool = Field(
        default=False,
        title="Secure cookies",
        description="Mark session cookies Secure; turn on whenever Qorgau is served over HTTPS.",
    )
    login_free_attempts: int = Field(
        default=3, ge=1, title="Free login attempts", description="Failed logins before delays start."
    )
    login_base_delay_s: float = Field(
        default=1.0, gt=0, title="First login delay", description="Delay after the first throttled failure; doubles."
    )
    login_max_delay_s: float = Field(
        default=300.0, gt=0, title="Longest login delay", description="Cap of the delay per user and address."
    )
    login_user_max_delay_s: float = Field(
        default=10.0,
        gt=0,
        title="Longest delay for a user from any address",
        description="Small cap on the per-user delay so a remote attacker cannot lock a duty operator out.",
    )
    max_body_bytes: int = Field(
        default=1_048_576, gt=0, title="Largest request body", description="Bigger requests get 413."
    )
    max_import_bytes: int = Field(
        default=33_554_432, gt=0, title="Largest bulk import",
        description="Body limit of bulk import routes (e.g. 10,000 devices as CSV or GeoJSON); bigger get 413.",
    )
    event_poll_interval_s: float = Field(
        default=1.0,
        gt=0,
        title="Event poll fallback",
        description="Readers re-check the outbox this often even without a wake-up notification.",
    )
    event_transport: Literal["auto", "socket", "postgres", "poll"] = Field(
        default="auto",
        title="Event notification transport",
        description=(
            "auto: PostgreSQL LISTEN/NOTIFY on PostgreSQL, local datagram sockets on SQLite; "
            "poll: no wake-ups, readers poll every event_poll_interval_s (slow; for file systems without sockets)."
        ),
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", title="Log level", description="Lowest level written to the log."
    )
    log_json: bool = Field(default=True, title="JSON logs", description="Structured JSON lines on stderr.")
    web_dist: Path | None = Field(
        default=None,
        title="Web app build",
        description="Folder of the built operator web app. Empty: web/dist beside the source checkout.",
    )

    ingest_in_serve: bool = Field(
        default=True, title="Ingest inside the server",
        description="Run the device adapters inside `qorgau serve`; false when `qorgau ingest` runs them apart.",
    )
    ingest_host: str = Field(
        default="127.0.0.1", title="Ingest listen address",
        description="Address the DC-09 and SIP listeners bind; 0.0.0.0 to accept devices on the network.",
    )
    ingest_http_port: int = Field(
        default=8001, ge=0, le=65535, title="Ingest HTTP port",
        description="Port of `qorgau ingest`'s own HTTP endpoint (webhooks, /metrics, /healthz); 0 picks a free one.",
    )
    ingest_max_batch: int = Field(
        default=2000, ge=1, title="Largest group commit",
        description="Most events the ingest writer commits in one transaction (every one before its acknowledgement).",
    )
    ingest_writer_process: bool = Field(
        default=True, title="Ingest writer process",
        description="Commit ingest events from a process of their own (keeps database work off the adapters' GIL); "
                    "false: a thread.",
    )
    dc09_enabled: bool = Field(default=True, title="SIA DC-09 receiver", description="Listen for alarm panels.")
    dc09_tcp_port: int = Field(
        default=12300, ge=0, le=65535, title="DC-09 TCP port", description="TCP port for panels; 0 picks a free one.",
    )
    dc09_udp_port: int = Field(
        default=12300, ge=0, le=65535, title="DC-09 UDP port", description="UDP port for panels; 0 picks a free one.",
    )
    dc09_retransmission_window_s: float = Field(
        default=120.0, gt=0, title="DC-09 retransmission window",
        description="A frame with the sequence and content of one received this recently is a retransmission: "
                    "acknowledged again, recorded once.",
    )
    dc09_idle_timeout_s: float = Field(
        default=600.0, gt=0, title="DC-09 idle connection timeout",
        description="A TCP connection that sends nothing this long is closed (panels reconnect; stops slow-loris).",
    )
    dc09_max_connections: int = Field(
        default=10_000, ge=1, title="DC-09 connection limit", description="Further TCP connections are refused.",
    )
    dc09_max_frames_per_s: float = Field(
        default=2000.0, gt=0, title="DC-09 frame rate per source",
        description="Frames per second one connection or UDP source may send; the excess is dropped unanswered "
                    "(the panel retries) and counted.",
    )
    mqtt_url: str | None = Field(
        default=None, title="MQTT broker",
        description="mqtt://host:port or mqtts://host:port of the broker devices publish to; empty: MQTT off.",
    )
    mqtt_username: str | None = Field(default=None, title="MQTT user", description="Qorgau's own broker login.")
    mqtt_password: SecretStr | None = Field(default=None, title="MQTT password",
                                            description="Qorgau's broker password.")
    mqtt_ca_file: Path | None = Field(
        default=None, title="MQTT CA file",
        description="CA certificate to verify an mqtts:// broker; empty: the system's CAs.",
    )
    mqtt_client_id: str = Field(
        default="qorgau-ingest", min_length=1, max_length=64, title="MQTT client id",
        description="Client id of Qorgau's persistent session; keep it stable so queued messages survive restarts.",
    )
    mqtt_topic_prefix: str = Field(
        default="qorgau/v1", min_length=1, title="MQTT topic prefix",
        description="Devices publish to <prefix>/<device-id>/<kind>.",
    )
    sip_enabled: bool = Field(default=True, title="SIP listener", description="Accept calls from SOS terminals.")
    sip_port: int = Field(
        default=5060, ge=0, le=65535, title="SIP port", description="UDP and TCP port for SIP; 0 picks a free one.",
    )
    webhook_tolerance_s: int = Field(
        default=300, ge=1, title="Webhook clock tolerance",
        description="A signed webhook whose timestamp is further than this from the server's clock is refused.",
    )

    unit_position_stale_s: int = Field(
        default=120, gt=0, title="Unit position stale after",
        description="A unit's position older than this is shown as stale and ranked after fresh ones.",
    )
    unit_position_lost_s: int = Field(
        default=1800, gt=0, title="Unit position lost after",
        description="A unit without a fix for this long is not recommended for dispatch.",
    )
    response_target_ack_s: int = Field(
        default=60, gt=0, title="Alarm acknowledgement target",
        description="Response metrics: an alarm should be acknowledged within this many seconds.",
    )
    response_target_on_scene_town_s: int = Field(
        default=420, gt=0, title="On-scene target in town",
        description="Response metrics: a patrol should be on scene in Aksai within this many seconds.",
    )
    response_target_on_scene_district_s: int = Field(
        default=1800, gt=0, title="On-scene target in the district",
        description="Response metrics: a patrol should be on scene elsewhere in the district within this many seconds.",
    )
    simulation_lost_after_s: int = Field(
        default=30, gt=0, title="Simulation run lost after",
        description="A simulation run whose simulator sent no heartbeat for this many seconds is ended as lost "
                    "(the SIMULATION banner goes away).",
    )

    alarm_sound_max_priority: int = Field(
        default=20, ge=0, le=255, title="Alarm priorities that sound",
        description="Alarms of priority 1 (highest) up to this one sound on the operator's desk; 0: none sound.",
    )
    alarm_fold_window_s: int = Field(
        default=120, ge=0, title="Alarm flood-control window",
        description="A repeat of the same device and event this many seconds after the last one folds into the "
                    "open alarm (count and latest time) instead of raising another; 0: never fold.",
    )
    alarm_escalation_s: dict[int, int] = Field(
        default={20: 60, 255: 300}, title="Alarm escalation intervals",
        description="Priority bracket (up to and including the key) → seconds a new alarm may stay unacknowledged "
                    "before it is escalated to the supervisor, and again every as many seconds.",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("alarm_escalation_s")
    @classmethod
    def _escalation_brackets(cls, value: dict[int, int]) -> dict[int, int]:
        if not value or any(not 1 <= key <= 255 or seconds <= 0 for key, seconds in value.items()):
            raise ValueError("alarm escalation needs priorities 1..255 as keys and positive seconds")
        if max(value) != 255:
            raise ValueError("alarm escalation brackets must cover priority 255")
        return dict(sorted(value.items()))

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("only sqlite:// and postgresql+psycopg:// URLs are supported")
        if value and value.startswith(("postgresql://", "postgres://")):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'qorgau.db').resolve()}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def run_dir(self) -> Path:
        return self.data_dir / "run"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _TomlSource(settings_cls)


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the file named by ``QORGAU_CONFIG`` (keys are the field names, lower case)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = os.environ.get(CONFIG_FILE_ENV)
        if not path:
            return {}
        try:
            with open(path, "rb") as handle:
                return tomllib.load(handle)
        except FileNotFoundError as exc:
            raise ConfigError(f"configuration file {path} does not exist") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"configuration file {path} is not valid TOML: {exc}") from exc


def _unknown_env_keys(environ: dict[str, str]) -> list[str]:
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields} | {CONFIG_FILE_ENV}
    return sorted(key for key in environ if key.upper().startswith(ENV_PREFIX) and key.upper() not in known)


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning every problem into one ConfigError that names the key."""
    unknown = _unknown_env_keys(dict(os.environ))
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]} (environment); see `qorgau config show` for valid keys")
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(part) for part in err["loc"]) or "?"
            if err["type"] == "extra_forbidden":
                problems.append(f"unknown setting {key!r}")
            else:
                problems.append(f"setting {key!r}: {err['msg']}")
        raise ConfigError("; ".join(problems)) from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings, read once."""
    return load_settings()


def redacted(settings: Settings) -> dict[str, Any]:
    """Effective settings for display, with every secret replaced."""
    out: dict[str, Any] = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            out[name] = "********"
        elif name == "database_url":
            out[name] = _redact_url(settings.effective_database_url)
        elif isinstance(value, Path):
            out[name] = str(value)
        else:
            out[name] = value
    return out


def _redact_url(url: str) -> str:
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:********@{host}" if ":" in creds else url
