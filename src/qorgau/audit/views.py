"""HTTP routes of the audit log; the audit log sits below auth, so the app assembly hands their guards in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Query

from qorgau.audit import service
from qorgau.audit.enums import Action
from qorgau.audit.schemas import AuditRead, VerifyRead
from qorgau.audit.service import Actor
from qorgau.audit.signing import anchor_path, load_signer
from qorgau.core.pagination import DEFAULT_LIMIT, Page, decode_int_cursor, encode_cursor
from qorgau.core.web import AppRuntime, ClientSource, DbSession, PageLimit, ReadSession


class Caller(Protocol):
    """What these routes need of the signed-in caller (auth's Principal is one)."""

    def actor(self, source: str | None) -> Actor: ...


def _aware(at: datetime | None) -> datetime | None:
    """A time without an offset is read as UTC, as every stored time is."""
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def build_router(*, read_guard: Any, verify_guard: Any) -> APIRouter:
    """The audit routes behind two route guards (FastAPI dependencies yielding a Caller)."""
    router = APIRouter(prefix="/api/audit", tags=["audit"])

    @router.get("", response_model=Page[AuditRead])
    def list_audit(
        db: ReadSession, _: Caller = read_guard, cursor: str | None = None, limit: PageLimit = DEFAULT_LIMIT,
        action: str | None = None, actor: str | None = None,
        action_prefix: Annotated[str | None, Query(max_length=60, description="Actions starting with this, "
                                                   "e.g. `video.`.")] = None,
        target_type: Annotated[str | None, Query(max_length=40, description="e.g. `camera`.")] = None,
        target: Annotated[str | None, Query(max_length=120, description="The target's id, e.g. a camera "
                                            "code.")] = None,
        at_from: Annotated[datetime | None, Query(alias="from", description="Records at or after this "
                                                  "time.")] = None,
        at_to: Annotated[datetime | None, Query(alias="to", description="Records before this time.")] = None,
        range_from: Annotated[datetime | None, Query(description="Records whose own range (a live view's span, "
                                                     "the footage played or exported) ends after this.")] = None,
        range_to: Annotated[datetime | None, Query(description="Records whose own range starts before "
                                                   "this.")] = None,
    ) -> Page[AuditRead]:
        """The audit log, newest first; e.g. who looked at a camera in an hour: target, from, to, `video.`."""
        rows = service.page(db, after_seq=decode_int_cursor(cursor), limit=limit + 1, action=action, actor=actor,
                            action_prefix=action_prefix, target_type=target_type, target=target,
                            at_from=_aware(at_from), at_to=_aware(at_to), range_from=_aware(range_from),
                            range_to=_aware(range_to))
        items = [AuditRead.model_validate(r) for r in rows[:limit]]
        return Page(items=items, next_cursor=encode_cursor(items[-1].seq) if len(rows) > limit else None)

    @router.post("/verify", response_model=VerifyRead)
    def verify(db: DbSession, runtime: AppRuntime, source: ClientSource, caller: Caller = verify_guard) -> VerifyRead:
        """Check the whole chain and its signed checkpoints."""
        report = service.verify(db, load_signer(runtime.settings), anchor_path(runtime.settings))
        service.record(db, action=Action.AUDIT_VERIFY, actor=caller.actor(source),
                       details={"ok": report.ok, "records": report.records})
        return VerifyRead(ok=report.ok, records=report.records, checkpoints=report.checkpoints,
                          first_broken_seq=report.first_broken_seq, missing_after_seq=report.missing_after_seq,
                          problems=report.problems)

    return router
