"""HTTP routes of the shift handover: the current shift's summary, the two signatures, the history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.pagination import DEFAULT_LIMIT, Page, decode_int_cursor, encode_cursor
from qorgau.core.web import ClientSource, DbSession, IdPath, PageLimit, ReadSession
from qorgau.shifts import service
from qorgau.shifts.models import Handover
from qorgau.shifts.schemas import HandoverCreate, HandoverRead, HandoverSign, ShiftSummary

router = APIRouter(prefix="/api/shifts", tags=["shifts"])
Reader = Annotated[Principal, Require(Permission.SHIFTS_READ)]
Supervisor = Annotated[Principal, Require(Permission.SHIFTS_HANDOVER)]


def _read(handover: Handover) -> HandoverRead:
    return HandoverRead.model_validate(handover)


@router.get("/current", response_model=ShiftSummary)
def current_shift(_: Reader, db: ReadSession) -> ShiftSummary:
    """The shift so far: what is open and what changed since the last handover."""
    return service.current(db)


@router.get("/handovers", response_model=Page[HandoverRead])
def list_handovers(_: Reader, db: ReadSession, cursor: str | None = None,
                   limit: PageLimit = DEFAULT_LIMIT) -> Page[HandoverRead]:
    """Handovers, the latest first (the one awaiting its incoming supervisor on top)."""
    rows = service.page(db, after=decode_int_cursor(cursor), limit=limit + 1)
    items = [_read(h) for h in rows[:limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1].id) if len(rows) > limit else None)


@router.get("/handovers/{handover_id}", response_model=HandoverRead)
def get_handover(handover_id: IdPath, _: Reader, db: ReadSession) -> HandoverRead:
    return _read(service.get(db, handover_id))


@router.post("/handovers", response_model=HandoverRead, status_code=201,
             responses={409: {"description": "A handover awaits its incoming supervisor already"}})
def hand_over(body: HandoverCreate, principal: Supervisor, db: DbSession, source: ClientSource) -> HandoverRead:
    """The outgoing supervisor signs the shift's summary and notes; audited."""
    return _read(service.hand_over(db, notes=body.notes, user_id=principal.user_id, username=principal.username,
                                   actor=principal.actor(source), ctx=principal.context()))


@router.post("/handovers/{handover_id}/sign", response_model=HandoverRead,
             responses={409: {"description": "Signed already, or the outgoing supervisor signing again"}})
def take_over(handover_id: IdPath, body: HandoverSign, principal: Supervisor, db: DbSession,
              source: ClientSource) -> HandoverRead:
    """The incoming supervisor (another person) signs: the handover is complete; audited."""
    return _read(service.take_over(db, handover_id=handover_id, note=body.note, user_id=principal.user_id,
                                   username=principal.username, actor=principal.actor(source),
                                   ctx=principal.context()))
