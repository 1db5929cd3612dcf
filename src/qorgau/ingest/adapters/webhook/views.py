"""HTTP routes of the webhook ingest: the signed receiving endpoint and the integrations' admin API."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from starlette.requests import Request

from qorgau.auth.deps import Public, Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import QorgauError
from qorgau.core.pagination import DEFAULT_LIMIT, Page, decode_cursor, encode_cursor
from qorgau.core.time import utcnow
from qorgau.core.web import AppRuntime, ClientSource, DbSession, PageLimit, ReadSession
from qorgau.ingest.adapters.webhook import service
from qorgau.ingest.adapters.webhook.config import WebhookSettings
from qorgau.ingest.adapters.webhook.diagnostics import counters
from qorgau.ingest.adapters.webhook.parser import SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookRejected, parse_event
from qorgau.ingest.adapters.webhook.schemas import (
    IntegrationCreate,
    IntegrationPatch,
    IntegrationRead,
    IntegrationSecret,
    RotateRequest,
    VendorEventIn,
    WebhookReceipt,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/ingest", tags=["webhooks"])
# Integrations are part of the device network's configuration: administrators manage them.
Admin = Annotated[Principal, Require(Permission.DEVICES_WRITE)]
CHALLENGE = {"WWW-Authenticate": 'Qorgau-HMAC-SHA256 realm="webhooks"'}
_PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}


async def _raw_body(request: Request) -> bytes:
    return await request.body()


@router.post(
    "/webhooks/{integration}", dependencies=[Public], status_code=202, response_model=WebhookReceipt,
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": VendorEventIn.model_json_schema()}}}},
    responses={
        200: {"model": WebhookReceipt, "description": "Duplicate event_id: the event recorded the first time"},
        400: {"description": "The body is not JSON", **_PROBLEM},
        401: {"description": "Headers missing, bad signature, or timestamp out of tolerance", **_PROBLEM},
        404: {"description": "No such integration, or it is disabled", **_PROBLEM},
        422: {"description": "Schema violation, type not accepted, or unknown device", **_PROBLEM},
    },
)
def receive(integration: str, request: Request, runtime: AppRuntime, reader: ReadSession, db: DbSession,
            body: Annotated[bytes, Depends(_raw_body)]) -> JSONResponse:
    """Receive one signed vendor event (scheme: docs/webhooks.md); authenticated by its HMAC, not a session."""
    now = utcnow()
    known: str | None = None
    try:
        # Checked in a read transaction: refused requests never take the database's write lock.
        verified = service.authenticate(
            reader, name=integration, timestamp=request.headers.get(TIMESTAMP_HEADER),
            signature=request.headers.get(SIGNATURE_HEADER), body=body, now=now,
            tolerance_s=runtime.settings.part(WebhookSettings).webhook_tolerance_s,
        )
        known = verified.name
        event_in = parse_event(body, allowed_types=verified.allowed_types)
        recorded = service.record(db, verified=verified, event_in=event_in, now=now)
    except WebhookRejected as exc:
        known = known or exc.integration
        counters(runtime.metrics.registry).reject(known, exc.reason)
        # Only the integration's name (chosen by an admin) and the reason: never the body or the sender's input.
        log.log(logging.WARNING if known else logging.DEBUG, "webhook refused",
                extra={"integration": known or "-", "reason": exc.reason.value})
        raise QorgauError(exc.code, status=exc.status, params=exc.params, errors=exc.errors,
                          headers=CHALLENGE if exc.status == 401 else None) from None
    counters(runtime.metrics.registry).accept(verified.name, duplicate=recorded.duplicate)
    answer = WebhookReceipt(status="duplicate" if recorded.duplicate else "accepted", event_id=recorded.event_id)
    return JSONResponse(answer.model_dump(mode="json"), status_code=200 if recorded.duplicate else 202)


def _after_name(cursor: str | None) -> str | None:
    after = decode_cursor(cursor)
    if after is not None and (not isinstance(after, str) or len(after) > 64):
        raise QorgauError("request.bad_cursor", status=400)
    return after


@router.get("/integrations", response_model=Page[IntegrationRead])
def list_integrations(_: Admin, db: ReadSession, cursor: str | None = None,
                      limit: PageLimit = DEFAULT_LIMIT) -> Page[IntegrationRead]:
    """Webhook integrations by name; secrets are never listed."""
    rows = service.page(db, after=_after_name(cursor), limit=limit + 1)
    items = [service.to_read(row) for row in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1].name) if len(rows) > limit else None)


@router.post("/integrations", response_model=IntegrationSecret, status_code=201)
def create_integration(body: IntegrationCreate, principal: Admin, db: DbSession,
                       source: ClientSource) -> IntegrationSecret:
    """Create an integration; the answer carries its secret, which is never shown again."""
    principal.confine(simulated=False)  # integrations are never simulated: not for the simulator's role
    row, secret = service.create(db, integration_in=body, actor=principal.actor(source))
    return service.with_secret(row, secret)


@router.get("/integrations/{name}", response_model=IntegrationRead)
def get_integration(name: str, _: Admin, db: ReadSession) -> IntegrationRead:
    return service.to_read(service.get(db, name))


@router.patch("/integrations/{name}", response_model=IntegrationRead)
def update_integration(name: str, body: IntegrationPatch, principal: Admin, db: DbSession,
                       source: ClientSource) -> IntegrationRead:
    """Enable or disable, change accepted types or the device mapping; fields left out keep their values."""
    principal.confine(simulated=False)
    return service.to_read(service.update(db, name=name, patch=body, actor=principal.actor(source)))


@router.post("/integrations/{name}/rotate", response_model=IntegrationSecret)
def rotate_secret(name: str, principal: Admin, db: DbSession, source: ClientSource,
                  body: RotateRequest | None = None) -> IntegrationSecret:
    """A new secret, shown once; the previous one stays valid for `grace_s` seconds (0: ends now)."""
    principal.confine(simulated=False)
    grace = (body or RotateRequest()).grace_s
    row, secret = service.rotate(db, name=name, grace_s=grace, actor=principal.actor(source))
    return service.with_secret(row, secret)
