"""The registry's records: checks shared by import and hand entry, upsert by number, drafts, reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.core.errors import Conflict, NotFound, ValidationFailed
from qorgau.offences import articles as article_list
from qorgau.offences.enums import Kind, OffenceAction, RecordSource, Status
from qorgau.offences.models import Offence, OffenceArticle
from qorgau.offences.placement import Placement

EARLIEST_YEAR = 1991  # records before the Republic's own registers are impossible dates
LOCAL_ZONE = ZoneInfo("Asia/Oral")  # registration dates are local days in West Kazakhstan (UTC+5)


def local_today() -> date:
    """Today in Aksai: from 19:00 UTC it is already tomorrow there, and a record registered then is not "future"."""
    return datetime.now(LOCAL_ZONE).date()


@dataclass
class Candidate:
    """One record as read from a line or a form, before it is checked and stored."""

    line: int
    registered_on: date
    article_code: str
    reg_number: str | None = None
    committed_at: datetime | None = None
    status: str = Status.INVESTIGATING
    termination_ground: str | None = None
    status_on: date | None = None
    persons_identified: int = 0
    lon: float | None = None
    lat: float | None = None
    place_type: str = "other"
    incident_id: int | None = None
    call_ref: str | None = None


@dataclass
class Checked:
    candidate: Candidate
    article: OffenceArticle
    settlement: str | None = None
    district_id: int | None = None
    problems: list[dict[str, str]] = field(default_factory=list)


def problem(line: int, field_name: str, code: str, value: object = "") -> dict[str, str]:
    return {"line": str(line), "field": field_name, "code": code, "value": str(value)}


def _impossible(day: date, today: date) -> bool:
    return day > today or day.year < EARLIEST_YEAR


def check(candidate: Candidate, *, known: dict[str, OffenceArticle], placement: Placement | None,
          today: date) -> tuple[Checked | None, list[dict[str, str]]]:
    """Every problem of one record (unknown article, impossible dates, place outside the area)."""
    line = candidate.line
    found: list[dict[str, str]] = []
    article = known.get(candidate.article_code)
    if article is None:
        found.append(problem(line, "article_code", "offences.unknown_article", candidate.article_code))
    if _impossible(candidate.registered_on, today):
        found.append(problem(line, "registered_on", "offences.impossible_date", candidate.registered_on))
    if candidate.committed_at is not None:
        committed_day = candidate.committed_at.astimezone(LOCAL_ZONE).date()
        if _impossible(committed_day, today):
            found.append(problem(line, "committed_at", "offences.impossible_date", candidate.committed_at))
        elif committed_day > candidate.registered_on:
            found.append(problem(line, "committed_at", "offences.committed_after_registered",
                                 candidate.committed_at))
    if candidate.status_on is not None and (_impossible(candidate.status_on, today)
                                            or candidate.status_on < candidate.registered_on):
        found.append(problem(line, "status_on", "offences.impossible_date", candidate.status_on))
    if (candidate.lon is None) != (candidate.lat is None):
        found.append(problem(line, "lon", "offences.position_incomplete"))
    settlement = district_id = None
    if candidate.lon is not None and candidate.lat is not None and placement is not None:
        if not placement.inside(candidate.lon, candidate.lat):
            found.append(problem(line, "lon", "offences.outside_area", f"{candidate.lon},{candidate.lat}"))
        else:
            settlement = placement.settlement(candidate.lon, candidate.lat)
            district_id = placement.district(candidate.lon, candidate.lat, candidate.committed_at)
    if found or article is None:
        return None, found
    return Checked(candidate, article, settlement, district_id), []


def _fill(record: Offence, checked: Checked, *, actor: str, now: datetime) -> None:
    c, article = checked.candidate, checked.article
    record.reg_number = c.reg_number
    record.kind = Kind.ADMINISTRATIVE if article.code_kind == "koap" else Kind.CRIMINAL
    record.registered_on = c.registered_on
    if c.committed_at is not None or record.committed_at is None:  # an extract without it keeps the draft's
        record.committed_at = c.committed_at
    record.article_code = article.code
    record.offence_class = article.offence_class
    record.severity = article.severity
    record.article_group = article.article_group
    record.status = c.status
    record.termination_ground = c.termination_ground
    record.status_on = c.status_on
    record.persons_identified = c.persons_identified
    if c.lon is not None or record.lon is None:  # an extract without a position keeps the incident's
        record.lon, record.lat = c.lon, c.lat
        record.settlement, record.district_id = checked.settlement, checked.district_id
    record.place_type = c.place_type
    if c.incident_id is not None:
        record.incident_id = c.incident_id
    if c.call_ref is not None:
        record.call_ref = c.call_ref
    record.draft = c.reg_number is None
    record.updated_at = now
    record.updated_by = actor


def _draft_for(session: Session, c: Candidate) -> Offence | None:
    """The draft from the same incident (by its id or its number as the extract cites it), if there is one."""
    if c.incident_id is None and c.call_ref is None:
        return None
    query = select(Offence).where(Offence.draft.is_(True), Offence.reg_number.is_(None))
    query = query.where(Offence.incident_id == c.incident_id if c.incident_id is not None
                        else Offence.call_ref == c.call_ref)
    return session.scalars(query.order_by(Offence.id).limit(1)).first()


def store(session: Session, checked: Checked, *, source: RecordSource, actor: str,
          now: datetime) -> tuple[Offence, str]:
    """Create, update by registration number, or turn the incident's draft into this record; says which."""
    c = checked.candidate
    outcome = "updated"
    record = None
    draft = _draft_for(session, c)
    if c.reg_number is not None:
        record = session.scalars(select(Offence).where(Offence.reg_number == c.reg_number)).first()
    if record is not None and draft is not None and draft.id != record.id:
        # Imported before the incident's draft was linked: the draft folds into the record, counted once.
        incident_id = record.incident_id or draft.incident_id
        session.delete(draft)
        session.flush()  # the draft's incident goes before the record takes it (one record per incident)
        record.incident_id = incident_id
        outcome = "reconciled"
    if record is None and draft is not None:
        record, outcome = draft, "reconciled"
    if record is None:
        record = Offence(source=source, created_at=now)
        session.add(record)
        outcome = "created"
    elif record.source == RecordSource.QORGAU and source == RecordSource.IMPORT:
        record.source = RecordSource.IMPORT  # the official record now stands for the draft: counted once
    _fill(record, checked, actor=actor, now=now)
    return record, outcome


def check_one(session: Session, candidate: Candidate, *, today: date | None = None) -> Checked:
    known = article_list.by_code(session)
    placement = Placement(session) if candidate.lon is not None else None
    checked, problems = check(candidate, known=known, placement=placement, today=today or local_today())
    if checked is None:
        raise ValidationFailed("offences.invalid", params={"count": len(problems)}, errors=problems)
    return checked


def get(session: Session, offence_id: int) -> Offence:
    found = session.get(Offence, offence_id)
    if found is None:
        raise NotFound("offences.not_found")
    return found


def create(session: Session, *, candidate: Candidate, actor: audit.Actor) -> Offence:
    """A record entered by hand (source "qorgau"); a number already registered is a conflict."""
    if candidate.reg_number is not None and session.scalars(
            select(Offence.id).where(Offence.reg_number == candidate.reg_number)).first() is not None:
        raise Conflict("offences.reg_number_taken", params={"reg_number": candidate.reg_number})
    checked = check_one(session, candidate)
    record, _ = store(session, checked, source=RecordSource.QORGAU, actor=actor.ref, now=datetime.now(UTC))
    session.flush()
    audit.record(session, action=OffenceAction.CREATE, actor=actor, target_type="offence", target_id=str(record.id),
                 details={"article": record.article_code, "draft": record.draft})
    return record


def edit(session: Session, *, offence_id: int, candidate: Candidate, actor: audit.Actor) -> Offence:
    record = get(session, offence_id)
    if candidate.reg_number is not None and session.scalars(select(Offence.id).where(
            Offence.reg_number == candidate.reg_number, Offence.id != offence_id)).first() is not None:
        raise Conflict("offences.reg_number_taken", params={"reg_number": candidate.reg_number})
    _fill(record, check_one(session, candidate), actor=actor.ref, now=datetime.now(UTC))
    session.flush()
    audit.record(session, action=OffenceAction.UPDATE, actor=actor, target_type="offence", target_id=str(record.id),
                 details={"article": record.article_code, "status": record.status})
    return record


def reconcile(session: Session, *, offence_id: int, reg_number: str, actor: audit.Actor) -> Offence:
    """Link a draft to its ЕРДР number. If that number was already imported, the draft is merged into it."""
    draft = get(session, offence_id)
    if not draft.draft:
        raise Conflict("offences.not_a_draft")
    official = session.scalars(select(Offence).where(Offence.reg_number == reg_number)).first()
    if official is None:
        draft.reg_number, draft.draft = reg_number, False
        draft.updated_at, draft.updated_by = datetime.now(UTC), actor.ref
        kept = draft
    else:  # the extract came first: keep the official record, give it the incident, drop the draft
        incident_id, call_ref = official.incident_id or draft.incident_id, official.call_ref or draft.call_ref
        session.delete(draft)
        session.flush()  # the draft's incident goes before the record takes it (one record per incident)
        official.incident_id, official.call_ref = incident_id, call_ref
        kept = official
    session.flush()
    audit.record(session, action=OffenceAction.RECONCILE, actor=actor, target_type="offence", target_id=str(kept.id),
                 details={"reg_number": reg_number, "draft_id": offence_id})
    return kept


@dataclass(frozen=True)
class Filters:
    """The list's filters; every one optional. Generated records only when asked for."""

    date_from: date | None = None
    date_to: date | None = None
    district_id: int | None = None
    settlement: str | None = None
    article_group: str | None = None
    offence_class: str | None = None
    status: str | None = None
    sources: Sequence[str] = ()
    draft: bool | None = None


def _filtered(query: Select[tuple[Offence]], f: Filters) -> Select[tuple[Offence]]:
    if f.date_from is not None:
        query = query.where(Offence.registered_on >= f.date_from)
    if f.date_to is not None:
        query = query.where(Offence.registered_on <= f.date_to)
    equal = ((Offence.district_id, f.district_id), (Offence.settlement, f.settlement),
             (Offence.article_group, f.article_group), (Offence.offence_class, f.offence_class),
             (Offence.status, f.status), (Offence.draft, f.draft))
    for column, value in equal:
        if value is not None:
            query = query.where(column == value)
    if f.sources:
        query = query.where(Offence.source.in_(list(f.sources)))
    return query


def page(session: Session, *, filters: Filters, before: tuple[str, int] | None, limit: int) -> list[Offence]:
    """Newest registration first, then id; ``before`` is the (date, id) of the previous page's last row."""
    query = _filtered(select(Offence), filters)
    if before is not None:
        day, last_id = date.fromisoformat(before[0]), before[1]
        query = query.where((Offence.registered_on < day) | ((Offence.registered_on == day) & (Offence.id < last_id)))
    return list(session.scalars(query.order_by(Offence.registered_on.desc(), Offence.id.desc()).limit(limit)))
