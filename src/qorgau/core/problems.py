"""Every error as RFC 9457 problem+json, with a translated human-readable ``detail``."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from qorgau.core.errors import QorgauError
from qorgau.core.i18n import negotiate, translate
from qorgau.core.settings import Language

log = logging.getLogger(__name__)
PROBLEM_TYPE = "https://qorgau.kz/problems/"
MEDIA_TYPE = "application/problem+json"


def _language(request: Request) -> Language:
    default = request.app.state.runtime.settings.default_language
    return negotiate(request.headers.get("accept-language"), default)


def problem(
    request: Request, *, status: int, code: str, params: dict[str, Any] | None = None,
    errors: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    language = _language(request)
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code,
        "title": translate(code, "en", **(params or {})),
        "status": status,
        "detail": translate(code, language, **(params or {})),
        "code": code,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _on_qorgau_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, QorgauError):
        raise exc
    return problem(request, status=exc.status, code=exc.code, params=exc.params, errors=exc.errors,
                   headers=exc.headers, extra=exc.extra)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):
        raise exc
    items = list(exc.errors())
    for item in items:
        if item.get("type") == "json_invalid":
            position = (item.get("ctx") or {}).get("error", item.get("loc", ["", "?"])[-1])
            return problem(request, status=400, code="request.invalid_json",
                           params={"position": item.get("loc", ["", "?"])[-1]},
                           errors=[{"field": "body", "message": str(position)}])
    errors = []
    for item in items:
        loc = list(item.get("loc", ()))
        message = str(item.get("msg", "invalid"))
        if item.get("type") == "extra_forbidden":
            message = "unknown field"
        errors.append({"field": _field(loc), "message": message})
    fields = ", ".join(sorted({e["field"] for e in errors}))
    return problem(request, status=422, code="request.validation_failed", params={"fields": fields}, errors=errors)


_HTTP_CODES = {404: "request.not_found", 405: "request.method_not_allowed", 413: "request.too_large",
               415: "request.unsupported_media_type", 401: "auth.not_authenticated", 403: "auth.forbidden"}


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):
        raise exc
    code = _HTTP_CODES.get(exc.status_code, "request.invalid" if exc.status_code < 500 else "server.error")
    return problem(request, status=exc.status_code, code=code,
                   params={"limit": request.app.state.runtime.settings.max_body_bytes, "reference": "-"},
                   headers=dict(exc.headers or {}))


async def _on_data_error(request: Request, exc: Exception) -> JSONResponse:
    # A value the database cannot hold (PostgreSQL: a NUL character in text, a number beyond its column) fails
    # the statement and rolls back the request's transaction: the request's fault, refused whole, not a 500.
    if not isinstance(exc, DataError):
        raise exc
    log.warning("value not storable", extra={"path": request.url.path, "reason": type(exc.orig).__name__})
    return problem(request, status=422, code="request.value_not_storable")


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    reference = uuid.uuid4().hex[:12]
    log.error("unhandled error", exc_info=exc, extra={"reference": reference, "path": request.url.path})
    return problem(request, status=500, code="server.error", params={"reference": reference})


def install(app: FastAPI) -> None:
    app.add_exception_handler(QorgauError, _on_qorgau_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(DataError, _on_data_error)
    app.add_exception_handler(Exception, _on_unexpected)
