"""Application errors that map to RFC 9457 problem responses.

Each error carries a stable ``code`` that doubles as the translation key of its
human-readable message, so the API and the web UI speak the same vocabulary.
"""

from __future__ import annotations

from typing import Any


class QorgauError(Exception):
    """Base of every error raised on purpose by Qorgau code."""

    status: int = 400
    code: str = "request.invalid"

    def __init__(
        self,
        code: str | None = None,
        *,
        status: int | None = None,
        params: dict[str, Any] | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.code = code or self.code
        self.status = status or self.status
        self.params = params or {}
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(self.code)


class ConfigError(QorgauError):
    """The configuration is invalid; raised before anything starts."""

    def __init__(self, message: str) -> None:
        super().__init__("config.invalid", status=500, params={"message": message})
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(QorgauError):
    status = 404
    code = "request.not_found"


class Conflict(QorgauError):
    status = 409
    code = "request.conflict"


class NotAuthenticated(QorgauError):
    status = 401
    code = "auth.not_authenticated"


class Forbidden(QorgauError):
    status = 403
    code = "auth.forbidden"


class ValidationFailed(QorgauError):
    status = 422
    code = "request.validation_failed"
