"""The kernel's settings and the strict loading that every domain's part shares: ``QORGAU_*`` over a TOML file."""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from qorgau.core.errors import ConfigError

ENV_PREFIX = "QORGAU_"
CONFIG_FILE_ENV = "QORGAU_CONFIG"
Language = Literal["kk", "ru", "en"]
LANGUAGES: tuple[Language, ...] = ("kk", "ru", "en")
S = TypeVar("S", bound="CoreSettings")
MIN_OUTBOX_KEEP_DAYS = 8  # above the MQTT session expiry (7 days): duplicates are recognised by their stored event


class CoreSettings(BaseSettings):
    """The kernel's settings: storage, listening, time and language, keys, sessions, logging, events, web.

    Each domain or adapter extends this class with its own fields in its `config.py` (a part), and
    `qorgau.settings` composes the parts into the one class the program loads. Unknown keys are errors that name
    the key, so a typo in a deployment never silently falls back to a default.
    """

    section: ClassVar[str] = "Core"

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
            "SQLAlchemy URL of the database. Empty: SQLite file `qorgau.db` in the data directory. "
            "PostgreSQL: `postgresql+psycopg://user@host:5432/db`."
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
            "Empty: the key file `keys/master.key` in the data directory, created on first start."
        ),
    )
    audit_signing_key: SecretStr | None = Field(
        default=None,
        title="Audit signing key",
        description=(
            "Base64 of a 32-byte Ed25519 seed signing audit checkpoints. Empty: `keys/audit-signing.key` "
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
        description=(
            "Mark session cookies Secure even on loopback (behind a TLS-terminating proxy on the same host). They "
            "are Secure anyway whenever Qorgau serves HTTPS itself or listens on an address other than loopback."
        ),
    )
    tls_cert_file: Path | None = Field(
        default=None,
        title="TLS certificate",
        description=(
            "PEM certificate chain for serving HTTPS directly (`qorgau serve`); with `tls_key_file`. Empty: plain "
            "HTTP (loopback, or behind a reverse proxy: `docs/deploy-tls.md`)."
        ),
    )
    tls_key_file: Path | None = Field(
        default=None, title="TLS private key", description="PEM private key of `tls_cert_file`; never printed.",
    )
    trusted_proxies: str | None = Field(
        default=None,
        title="Trusted reverse proxies",
        description=(
            "Comma-separated addresses (or networks) of reverse proxies whose `X-Forwarded-Proto` and "
            "`X-Forwarded-For` `qorgau serve` believes: the scheme then follows the proxy's HTTPS (origin checks, "
            "Secure cookies) and login throttling sees the client's address. Empty: forwarded headers are ignored."
        ),
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
    event_transport: Literal["auto", "socket", "postgres", "poll", "jetstream"] = Field(
        default="auto",
        title="Event notification transport",
        description=(
            "`auto`: PostgreSQL LISTEN/NOTIFY on PostgreSQL, local datagram sockets on SQLite; "
            "`poll`: no wake-ups, readers poll every `event_poll_interval_s` (slow; for file systems without sockets); "
            "`jetstream`: as `auto`, and committed events are also relayed, once each, to a NATS JetStream stream "
            "(`nats_url`, `jetstream_stream`), which wakes readers on every node."
        ),
    )
    nats_url: str = Field(
        default="nats://127.0.0.1:4222", title="NATS server",
        description="`nats://host:4222` (several: comma-separated) of the NATS cluster, with `event_transport` "
                    "`jetstream`.",
    )
    nats_credentials_file: Path | None = Field(
        default=None, title="NATS credentials",
        description="A NATS `.creds` file (user JWT and NKey seed) for a server that requires one; credentials never "
                    "go in `nats_url`, which is shown in logs and `qorgau config show`.",
    )
    jetstream_stream: str = Field(
        default="QORGAU_EVENTS", pattern=r"^[A-Za-z0-9_-]{1,64}$", title="JetStream stream",
        description="Name of the stream the relay writes committed events to; its subjects are "
                    "`<stream in lower case>.<event name>` (created on first start when missing).",
    )
    outbox_keep_days: int = Field(
        default=90, title="Event log retention",
        description=(
            "Days a committed event stays in the outbox after it was recorded, once every durable subscriber has "
            "handled it; then a periodic job deletes it (events a subscriber gave up on are kept for replay). "
            "0: keep every event. At least 8 otherwise, above the MQTT session's 7 days, so a message the broker "
            "redelivers late is still recognised as recorded. The audit log is never pruned."
        ),
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", title="Log level", description="Lowest level written to the log."
    )
    log_json: bool = Field(default=True, title="JSON logs", description="Structured JSON lines on stderr.")
    web_dist: Path | None = Field(
        default=None,
        title="Web app build",
        description="Folder of the built operator web app. Empty: `web/dist` beside the source checkout.",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("only sqlite:// and postgresql+psycopg:// URLs are supported")
        if value and value.startswith(("postgresql://", "postgres://")):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @field_validator("nats_url")
    @classmethod
    def _no_credentials_in_url(cls, value: str) -> str:
        if "@" in value:
            raise ValueError("put NATS credentials in nats_credentials_file, not in nats_url")
        return value

    @field_validator("outbox_keep_days")
    @classmethod
    def _retention_above_redelivery(cls, value: int) -> int:
        if value != 0 and value < MIN_OUTBOX_KEEP_DAYS:
            raise ValueError(f"outbox_keep_days must be 0 (keep all) or at least {MIN_OUTBOX_KEEP_DAYS}")
        return value

    @model_validator(mode="after")
    def _tls_pair(self) -> CoreSettings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("tls_cert_file and tls_key_file go together: set both or neither")
        return self

    @property
    def serves_tls(self) -> bool:
        return self.tls_cert_file is not None

    @property
    def secure_cookies(self) -> bool:
        """Session cookies are Secure unless the server is plain HTTP on loopback with no proxy in front (a browser
        on the same host)."""
        return self.cookie_secure or self.serves_tls or bool(self.trusted_proxies) or not is_loopback(self.host)

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

    def part(self, kind: type[S]) -> S:
        """These settings as one domain sees them (the program's settings hold every domain's part)."""
        if not isinstance(self, kind):
            raise ConfigError(f"these settings have no {kind.section} part ({kind.__name__})")
        return self

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


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or `localhost`); a name that resolves elsewhere is not."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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


def _unknown_env_keys(environ: Iterable[str], kind: type[CoreSettings]) -> list[str]:
    known = {ENV_PREFIX + name.upper() for name in kind.model_fields} | {CONFIG_FILE_ENV}
    return sorted(key for key in environ if key.upper().startswith(ENV_PREFIX) and key.upper() not in known)


def load(kind: type[S], **overrides: Any) -> S:
    """Build ``kind`` strictly, turning every problem into one ConfigError that names the key."""
    unknown = _unknown_env_keys(os.environ, kind)
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]} (environment); see `qorgau config show` for valid keys")
    return _build(kind, overrides)


def _build(kind: type[S], overrides: dict[str, Any]) -> S:
    try:
        return kind(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(part) for part in err["loc"]) or "?"
            if err["type"] == "extra_forbidden":
                problems.append(f"unknown setting {key!r}")
            else:
                problems.append(f"setting {key!r}: {err['msg']}")
        raise ConfigError("; ".join(problems)) from exc


@cache
def _tolerant(kind: type[CoreSettings]) -> type[CoreSettings]:
    # Other domains' keys are no error here: the program's own load (qorgau.settings) refuses unknown ones.
    config = kind.model_config.copy()
    config["extra"] = "ignore"
    return type(kind.__name__, (kind,), {"model_config": config, "__module__": kind.__module__})


_current: dict[type[CoreSettings], CoreSettings] = {}


def current(kind: type[S]) -> S:
    """The process's settings as one domain sees them, read once: for code that no request or runtime reaches."""
    found = _current.get(kind)
    if not isinstance(found, kind):
        found = _current[kind] = _build(cast("type[S]", _tolerant(kind)), {})
    return found


def redacted(settings: CoreSettings) -> dict[str, Any]:
    """Effective settings for display, with every secret replaced."""
    out: dict[str, Any] = {}
    for name in type(settings).model_fields:
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
