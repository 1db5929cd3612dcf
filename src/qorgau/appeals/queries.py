"""Reading appeals: the filtered list, one appeal with its timeline, the applicant's data shown (and audited)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.appeals.calendar import WorkCalendar
from qorgau.appeals.enums import AppealAction, AppealChannel, AppealState
from qorgau.appeals.models import Appeal, AppealAttachment, AppealEntry
from qorgau.appeals.schemas import AppealAttachmentRead, AppealDetail, AppealEntryRead, AppealPage, AppealRead
from qorgau.appeals.service import OPEN_VALUES, is_overdue, local_day
from qorgau.audit import service as audit
from qorgau.auth import people as auth_people
from qorgau.core.pagination import decode_int_cursor, encode_cursor
from qorgau.core.time import utcnow
from qorgau.districts import service as district_service


@dataclass(frozen=True)
class Filters:
    district_id: int | None = None
    inspector_id: int | None = None
    state: AppealState | None = None
    channel: AppealChannel | None = None
    overdue: bool | None = None
    start: datetime | None = None  # registered at or after
    end: datetime | None = None  # registered before
    simulated: bool | None = None


def _district_numbers(session: Session, ids: set[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for district_id in ids:
        found[district_id] = district_service.get_district(session, district_id).number
    return found


def present(session: Session, appeals: Sequence[Appeal], *, cal: WorkCalendar, zone: ZoneInfo,
            personal: bool = False) -> list[AppealRead]:
    """Appeals as read by the desk: days left on Kazakhstan's calendar, names of inspectors, applicant masked."""
    now = utcnow()
    today = local_day(now, zone)
    people = auth_people.people(session, [a.inspector_id for a in appeals])
    numbers = _district_numbers(session, {a.district_id for a in appeals if a.district_id is not None})
    return [AppealRead(
        id=a.id, number=a.number, channel=AppealChannel(a.channel), state=AppealState(a.state), subject=a.subject,
        address=a.address, lon=a.lon, lat=a.lat, district_id=a.district_id,
        district_number=numbers.get(a.district_id) if a.district_id is not None else None,
        routed_manually=a.routed_manually, inspector_id=a.inspector_id,
        inspector_name=people[a.inspector_id].name if a.inspector_id in people else None, text=a.text,
        registered_at=a.registered_at, deadline=a.deadline,
        working_days_left=cal.working_days_between(today, a.deadline),
        overdue=is_overdue(a, now), extended=a.extended, extension_reason=a.extension_reason, answer=a.answer,
        answered_at=a.answered_at, transferred_to=a.transferred_to, simulated=a.simulated, personal_shown=personal,
        applicant_name=a.applicant_name if personal else None,
        applicant_contact=a.applicant_contact if personal else None) for a in appeals]


def page(session: Session, *, filters: Filters, cursor: str | None, limit: int, cal: WorkCalendar,
         zone: ZoneInfo) -> AppealPage:
    """Appeals newest first (by id), filtered; the deadline test for ``overdue`` runs in SQL on ``due_at``."""
    query = select(Appeal).order_by(Appeal.id.desc()).limit(limit + 1)
    after = decode_int_cursor(cursor)
    if after is not None:
        query = query.where(Appeal.id < after)
    for column, value in ((Appeal.district_id, filters.district_id), (Appeal.inspector_id, filters.inspector_id),
                          (Appeal.state, filters.state), (Appeal.channel, filters.channel),
                          (Appeal.simulated, filters.simulated)):
        if value is not None:
            query = query.where(column == value)
    if filters.start is not None:
        query = query.where(Appeal.registered_at >= filters.start)
    if filters.end is not None:
        query = query.where(Appeal.registered_at < filters.end)
    now = utcnow()
    if filters.overdue is True:
        query = query.where(((Appeal.state.in_(OPEN_VALUES)) & (Appeal.due_at <= now))
                            | (Appeal.answered_at >= Appeal.due_at))
    elif filters.overdue is False:
        query = query.where(((Appeal.state.in_(OPEN_VALUES)) & (Appeal.due_at > now))
                            | (Appeal.answered_at < Appeal.due_at) | (Appeal.state == AppealState.TRANSFERRED))
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return AppealPage(items=present(session, rows, cal=cal, zone=zone),
                      next_cursor=encode_cursor(rows[-1].id) if more and rows else None)


def _user_id(actor: str) -> int | None:
    kind, _, ref = actor.partition(":")
    return int(ref) if kind == "user" and ref.isdigit() else None


def _name(people: dict[int, auth_people.PersonRead], actor: str) -> str | None:
    user_id = _user_id(actor)
    return people[user_id].name if user_id is not None and user_id in people else None


def detail(session: Session, appeal: Appeal, *, cal: WorkCalendar, zone: ZoneInfo, personal: bool,
           viewer: audit.Actor | None) -> AppealDetail:
    """One appeal with its timeline and attachments; showing the applicant records who saw it."""
    if personal:
        if viewer is None:
            raise ValueError("a personal view needs the viewer for the audit")
        audit.record(session, action=AppealAction.PERSONAL_VIEW, actor=viewer, target_type="appeal",
                     target_id=str(appeal.id), details={"number": appeal.number})
    entries = list(session.scalars(select(AppealEntry).where(AppealEntry.appeal_id == appeal.id)
                                   .order_by(AppealEntry.at, AppealEntry.id)))
    actors = auth_people.people(session, [_user_id(e.actor) for e in entries])
    files = session.execute(select(AppealAttachment.id, AppealAttachment.filename, AppealAttachment.media_type,
                                   AppealAttachment.size, AppealAttachment.uploaded_at)
                            .where(AppealAttachment.appeal_id == appeal.id).order_by(AppealAttachment.id))
    read = present(session, [appeal], cal=cal, zone=zone, personal=personal)[0]
    return AppealDetail(
        **read.model_dump(),
        timeline=[AppealEntryRead(at=e.at, kind=e.kind, from_state=e.from_state, to_state=e.to_state,
                                  actor=e.actor, actor_name=_name(actors, e.actor), note=e.note) for e in entries],
        attachments=[AppealAttachmentRead(id=i, filename=f, media_type=m, size=s, uploaded_at=u)
                     for i, f, m, s, u in files])
