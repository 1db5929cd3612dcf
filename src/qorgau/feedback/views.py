"""HTTP routes of residents' feedback: links, the public answer, officer entries, lists and figures."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from qorgau.auth.deps import Public, Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import ValidationFailed
from qorgau.core.time import as_utc
from qorgau.core.web import MAX_ROW_ID, ClientSource, DbSession, ReadSession
from qorgau.feedback import service, subjects
from qorgau.feedback.enums import SubjectKind
from qorgau.feedback.limiter import RateLimiter
from qorgau.feedback.schemas import (
    FeedbackAnswerIn,
    FeedbackEntryIn,
    FeedbackFigures,
    FeedbackLink,
    FeedbackPublic,
    FeedbackRead,
    FeedbackSubjectIn,
)

router = APIRouter(prefix="/api/feedback", tags=["feedback"])
# Whoever answers residents' appeals asks for and enters their feedback; whoever reads appeals reads it.
Writer = Annotated[Principal, Require(Permission.APPEALS_WRITE)]
Reader = Annotated[Principal, Require(Permission.APPEALS_READ)]
LINK_DAYS = 30  # a link older than a month is no longer a fresh impression
PUBLIC_LIMIT = 20  # requests a minute per address on the public routes
PUBLIC = RateLimiter(PUBLIC_LIMIT)
Token = Annotated[str, Path(min_length=20, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                            description="The one-time token from the link.")]
Start = Annotated[datetime, Query(description="Period start (aware), included.")]
End = Annotated[datetime, Query(description="Period end (aware), excluded.")]
SUBJECT_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such appeal or incident"},
    409: {"description": "Not answered/closed yet (`feedback.not_finished`) or already answered"},
}


def _period(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Both ends as UTC instants; 422 `feedback.bad_period` for a reversed period or one past the calendar's end."""
    bad = ValidationFailed("feedback.bad_period", errors=[{"field": "end", "code": "feedback.bad_period"}])
    try:
        first, last = as_utc(start), as_utc(end)
    except OverflowError as overflow:
        raise bad from overflow
    if last < first:
        raise bad
    return first, last


def _subject(db: DbSession, principal: Principal, subject_in: FeedbackSubjectIn) -> subjects.Subject:
    subject = service.subject_of(db, subject_in)
    principal.confine(simulated=subject.simulated)  # the simulator's account: simulated subjects only
    return subject


@router.post("/links", response_model=FeedbackLink, status_code=201, responses=SUBJECT_ERRORS)
def issue_link(body: FeedbackSubjectIn, principal: Writer, db: DbSession, source: ClientSource) -> FeedbackLink:
    """A one-time link for an answered appeal or a closed incident; a new link kills the previous one; audited."""
    row, token, expires_at = service.issue_link(db, subject=_subject(db, principal, body),
                                                actor=principal.actor(source), link_days=LINK_DAYS)
    return FeedbackLink(feedback_id=row.id, token=token, path=f"/feedback/{token}", expires_at=expires_at)


@router.post("", response_model=FeedbackRead, status_code=201, responses=SUBJECT_ERRORS)
def enter(body: FeedbackEntryIn, principal: Writer, db: DbSession, source: ClientSource) -> FeedbackRead:
    """An officer enters a resident's score and comment (reception, phone); audited."""
    row = service.enter(db, subject=_subject(db, principal, body), answer_in=body, actor=principal.actor(source),
                        ctx=principal.context())
    return FeedbackRead.model_validate(row)


@router.get("/t/{token}", response_model=FeedbackPublic, dependencies=[Public],
            responses={404: {"description": "No such link"}, 429: {"description": "Too many requests"}})
def public_view(token: Token, db: ReadSession, source: ClientSource) -> FeedbackPublic:
    """What the resident's page shows before answering (no login; nothing personal)."""
    PUBLIC.check(source)
    return service.public_view(db, token)


@router.post("/t/{token}", response_model=FeedbackPublic, status_code=201, dependencies=[Public],
             responses={404: {"description": "No such link"}, 409: {"description": "Already answered"},
                        410: {"description": "The link expired"}, 429: {"description": "Too many requests"}})
def public_answer(token: Token, body: FeedbackAnswerIn, db: DbSession, source: ClientSource) -> FeedbackPublic:
    """The resident's answer through the one-time link (no login): once only."""
    PUBLIC.check(source)
    row = service.answer(db, token=token, answer_in=body, source=source)
    return FeedbackPublic(subject_kind=SubjectKind(row.subject_kind), subject_number=row.subject_number, answered=True,
                          expired=False)


@router.get("", response_model=list[FeedbackRead])
def list_answers(_: Reader, db: ReadSession, start: Start, end: End,
                 district_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
                 include_simulated: bool = False,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[FeedbackRead]:
    """Answers given in the period, the latest first (comments included; no resident's name is ever kept)."""
    start, end = _period(start, end)
    rows = service.recent(db, start=start, end=end, district_id=district_id, include_simulated=include_simulated,
                          limit=limit)
    return [FeedbackRead.model_validate(r) for r in rows]


@router.get("/figures", response_model=list[FeedbackFigures])
def figures(_: Reader, db: ReadSession, start: Start, end: End, include_simulated: bool = False
            ) -> list[FeedbackFigures]:
    """Per district and inspector: requests made in the period, answers, mean score, share satisfied (4–5),
    response rate."""
    start, end = _period(start, end)
    return service.figures(db, start=start, end=end, include_simulated=include_simulated)
