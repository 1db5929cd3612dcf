"""Residents' feedback: one-time links, answers through them or entered by officers, figures. Never commits."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.core.bus import Context, publish
from qorgau.core.errors import Conflict, NotFound, QorgauError
from qorgau.core.time import as_utc, utcnow
from qorgau.feedback import subjects
from qorgau.feedback.enums import SATISFIED_MIN, FeedbackAction, FeedbackChannel, SubjectKind
from qorgau.feedback.events import RECEIVED, FeedbackReceived
from qorgau.feedback.models import Feedback
from qorgau.feedback.schemas import FeedbackAnswerIn, FeedbackFigures, FeedbackPublic, FeedbackSubjectIn

TOKEN_BYTES = 24  # 192 random bits: guessing one is hopeless, so the public route needs no login
PUBLIC_ACTOR = "public:feedback"


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def _find(session: Session, subject: subjects.Subject) -> Feedback | None:
    column = Feedback.appeal_id if subject.kind == SubjectKind.APPEAL else Feedback.incident_id
    return session.scalars(select(Feedback).where(column == subject.id)).one_or_none()


def _new_row(subject: subjects.Subject, *, actor: str, now: datetime) -> Feedback:
    return Feedback(subject_kind=str(subject.kind),
                    appeal_id=subject.id if subject.kind == SubjectKind.APPEAL else None,
                    incident_id=subject.id if subject.kind == SubjectKind.INCIDENT else None,
                    subject_number=subject.number, district_id=subject.district_id,
                    inspector_id=subject.inspector_id, requested_at=now, requested_by=actor,
                    simulated=subject.simulated)


def subject_of(session: Session, subject_in: FeedbackSubjectIn) -> subjects.Subject:
    """The appeal or incident the request names, refused (409) until it is answered or closed."""
    return subjects.resolve(session, appeal_id=subject_in.appeal_id, incident_id=subject_in.incident_id)


def issue_link(session: Session, *, subject: subjects.Subject, actor: audit.Actor, link_days: int,
               now: datetime | None = None) -> tuple[Feedback, str, datetime]:
    """A one-time link for the subject (row, token, expiry); issuing again kills the previous link. 409 once
    answered."""
    now = now or utcnow()
    row = _find(session, subject)
    if row is not None and row.answered_at is not None:
        raise Conflict("feedback.already_answered", params={"number": subject.number})
    if row is None:
        row = _new_row(subject, actor=actor.ref, now=now)
        session.add(row)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row.token_hash = token_hash(token)
    expires_at = now + timedelta(days=link_days)
    row.expires_at = expires_at
    row.requested_at, row.requested_by = now, actor.ref
    session.flush()
    audit.record(session, action=FeedbackAction.LINK, actor=actor, target_type="feedback", target_id=str(row.id),
                 details={"subject": str(subject.kind), "number": subject.number,
                          "expires_at": expires_at.isoformat()})
    return row, token, expires_at


def _by_token(session: Session, token: str) -> Feedback:
    found = session.scalars(select(Feedback).where(Feedback.token_hash == token_hash(token))).one_or_none()
    if found is None:
        raise NotFound("feedback.link_not_found")
    return found


def public_view(session: Session, token: str, *, now: datetime | None = None) -> FeedbackPublic:
    """What the resident's page shows: which appeal or incident, and whether it can still be answered."""
    found = _by_token(session, token)
    expired = found.expires_at is not None and as_utc(found.expires_at) <= (now or utcnow())
    return FeedbackPublic(subject_kind=SubjectKind(found.subject_kind), subject_number=found.subject_number,
                          answered=found.answered_at is not None, expired=expired)


def _announce(session: Session, row: Feedback, ctx: Context) -> None:
    subject_id = row.appeal_id if row.appeal_id is not None else row.incident_id
    publish(session, RECEIVED, subject_id=str(row.id), ctx=ctx, payload=FeedbackReceived(
        feedback_id=row.id, subject_kind=SubjectKind(row.subject_kind), subject_id=subject_id or 0,
        district_id=row.district_id, inspector_id=row.inspector_id, score=row.score or 0,
        channel=FeedbackChannel(row.channel or FeedbackChannel.LINK), simulated=row.simulated))


def answer(session: Session, *, token: str, answer_in: FeedbackAnswerIn, source: str,
           now: datetime | None = None) -> Feedback:
    """The resident's answer through the link: once only (409 after), not after it expired (410)."""
    now = now or utcnow()
    found = _by_token(session, token)
    if found.answered_at is not None:
        raise Conflict("feedback.already_answered", params={"number": found.subject_number})
    if found.expires_at is not None and as_utc(found.expires_at) <= now:
        raise QorgauError("feedback.link_expired", status=410)
    # Conditional on still being unanswered, so two answers racing on one link cannot both land.
    claimed = session.execute(
        update(Feedback).where(Feedback.id == found.id, Feedback.answered_at.is_(None))
        .values(score=answer_in.score, comment=_clean(answer_in.comment), answered_at=now,
                channel=str(FeedbackChannel.LINK), entered_by=PUBLIC_ACTOR)
        .execution_options(synchronize_session=False))
    if getattr(claimed, "rowcount", 0) != 1:
        raise Conflict("feedback.already_answered", params={"number": found.subject_number})
    session.refresh(found)
    audit.record(session, action=FeedbackAction.ANSWER, actor=audit.Actor(ref=PUBLIC_ACTOR, source=source),
                 target_type="feedback", target_id=str(found.id), details={"score": answer_in.score})
    _announce(session, found, Context(actor=PUBLIC_ACTOR, simulated=found.simulated))
    return found


def enter(session: Session, *, subject: subjects.Subject, answer_in: FeedbackAnswerIn, actor: audit.Actor,
          ctx: Context, now: datetime | None = None) -> Feedback:
    """An officer enters the resident's answer (a link issued before dies with it). 409 once answered."""
    now = now or utcnow()
    row = _find(session, subject)
    if row is not None and row.answered_at is not None:
        raise Conflict("feedback.already_answered", params={"number": subject.number})
    if row is None:
        row = _new_row(subject, actor=actor.ref, now=now)
        session.add(row)
    row.token_hash, row.expires_at = None, None
    row.score, row.comment, row.answered_at = answer_in.score, _clean(answer_in.comment), now
    row.channel, row.entered_by = str(FeedbackChannel.OFFICER), actor.ref
    session.flush()
    audit.record(session, action=FeedbackAction.ENTER, actor=actor, target_type="feedback", target_id=str(row.id),
                 details={"subject": str(subject.kind), "number": subject.number, "score": answer_in.score})
    _announce(session, row, ctx)
    return row


def _clean(comment: str | None) -> str | None:
    text = (comment or "").strip()
    return text or None


def get(session: Session, feedback_id: int) -> Feedback:
    found = session.get(Feedback, feedback_id)
    if found is None:
        raise NotFound("feedback.not_found", params={"id": feedback_id})
    return found


def recent(session: Session, *, start: datetime, end: datetime, district_id: int | None = None,
           include_simulated: bool = False, limit: int = 200) -> Sequence[Feedback]:
    """Answers given in [start, end), the latest first."""
    query = select(Feedback).where(Feedback.answered_at >= as_utc(start), Feedback.answered_at < as_utc(end))
    if district_id is not None:
        query = query.where(Feedback.district_id == district_id)
    if not include_simulated:
        query = query.where(Feedback.simulated.is_(False))
    return session.scalars(query.order_by(Feedback.answered_at.desc(), Feedback.id.desc()).limit(limit)).all()


@dataclass
class _Tally:
    requests: int = 0
    answers: int = 0
    score_sum: int = 0
    satisfied: int = 0


def figures(session: Session, *, start: datetime, end: datetime, include_simulated: bool = False
            ) -> list[FeedbackFigures]:
    """Per (district, inspector): requests made in [start, end) and their answers given before ``end``.

    The cohort is the requests of the period, so the response rate is a true share and a closed period's
    figures never change afterwards (answers arriving later are not counted in it).
    """
    start, end = as_utc(start), as_utc(end)
    query = select(Feedback.district_id, Feedback.inspector_id, Feedback.score, Feedback.answered_at).where(
        Feedback.requested_at >= start, Feedback.requested_at < end)
    if not include_simulated:
        query = query.where(Feedback.simulated.is_(False))
    tallies: dict[tuple[int | None, int | None], _Tally] = {}
    for district_id, inspector_id, score, answered_at in session.execute(query):
        tally = tallies.setdefault((district_id, inspector_id), _Tally())
        tally.requests += 1
        if score is not None and answered_at is not None and as_utc(answered_at) < end:
            tally.answers += 1
            tally.score_sum += score
            tally.satisfied += score >= SATISFIED_MIN
    return [_figures(key, tally) for key, tally in sorted(tallies.items(), key=lambda kv: (kv[0][0] or 0,
                                                                                          kv[0][1] or 0))]


def _build(district_id: int | None, inspector_id: int | None, *, requests: int, answers: int, score_sum: int,
           satisfied: int) -> FeedbackFigures:
    return FeedbackFigures(
        district_id=district_id, inspector_id=inspector_id, requests=requests, answers=answers, score_sum=score_sum,
        mean_score=round(score_sum / answers, 3) if answers else None, satisfied=satisfied,
        satisfied_share=round(satisfied / answers, 4) if answers else None,
        response_rate=round(answers / requests, 4) if requests else None)


def _figures(key: tuple[int | None, int | None], tally: _Tally) -> FeedbackFigures:
    return _build(key[0], key[1], requests=tally.requests, answers=tally.answers, score_sum=tally.score_sum,
                  satisfied=tally.satisfied)


def combine(rows: Sequence[FeedbackFigures], *, district_id: int | None = None,
            inspector_id: int | None = None) -> FeedbackFigures:
    """Several rows' figures as one (a district over its inspectors, or the whole town)."""
    return _build(district_id, inspector_id, requests=sum(r.requests for r in rows),
                  answers=sum(r.answers for r in rows), score_sum=sum(r.score_sum for r in rows),
                  satisfied=sum(r.satisfied for r in rows))
