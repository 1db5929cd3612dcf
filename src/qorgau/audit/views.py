"""HTTP routes of the audit log; the audit log sits below auth, so the app assembly hands their guards in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Depends, Query, Response

from qorgau.audit import export, service
from qorgau.audit.enums import Action
from qorgau.audit.schemas import AuditRead, ChainStatusRead, CheckpointRead, LastVerifyRead, VerifyRead
from qorgau.audit.service import Actor, Filters
from qorgau.audit.signing import anchor_path, load_signer
from qorgau.core.pagination import DEFAULT_LIMIT, Page, decode_int_cursor, encode_cursor
from qorgau.core.web import AppRuntime, ClientSource, DbSession, PageLimit, ReadSession


class Caller(Protocol):
    """What these routes need of the signed-in caller (auth's Principal is one)."""

    def actor(self, source: str | None) -> Actor: ...


def _aware(at: datetime | None) -> datetime | None:
    """A time without an offset is read as UTC, as every stored time is."""
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def search_filters(
    action: str | None = None, actor: str | None = None,
    person: Annotated[str | None, Query(max_length=200, description="Who: a sign-in name (any case; failed "
                                        "sign-ins carry the name typed) or an actor reference such as "
                                        "`user:12`.")] = None,
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
) -> Filters:
    """The search of the log that the list and the export share."""
    return Filters(action=action, actor=actor, person=person, action_prefix=action_prefix, target_type=target_type,
                   target=target, at_from=_aware(at_from), at_to=_aware(at_to), range_from=_aware(range_from),
                   range_to=_aware(range_to))


SearchFilters = Annotated[Filters, Depends(search_filters)]
EXPORT_MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def build_router(*, read_guard: Any, verify_guard: Any) -> APIRouter:
    """The audit routes behind two route guards (FastAPI dependencies yielding a Caller)."""
    router = APIRouter(prefix="/api/audit", tags=["audit"])

    @router.get("", response_model=Page[AuditRead])
    def list_audit(db: ReadSession, filters: SearchFilters, _: Caller = read_guard, cursor: str | None = None,
                   limit: PageLimit = DEFAULT_LIMIT) -> Page[AuditRead]:
        """The audit log, newest first; e.g. who looked at a camera in an hour: target, from, to, `video.`."""
        rows = service.page(db, after_seq=decode_int_cursor(cursor), limit=limit + 1, action=filters.action,
                            actor=filters.actor, person=filters.person, action_prefix=filters.action_prefix,
                            target_type=filters.target_type, target=filters.target, at_from=filters.at_from,
                            at_to=filters.at_to, range_from=filters.range_from, range_to=filters.range_to)
        items = [AuditRead.model_validate(r) for r in rows[:limit]]
        return Page(items=items, next_cursor=encode_cursor(items[-1].seq) if len(rows) > limit else None)

    @router.get("/export", responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}})
    def export_audit(db: DbSession, filters: SearchFilters, source: ClientSource, caller: Caller = read_guard,
                     format: Literal["csv", "jsonl"] = "jsonl") -> Response:
        """The matching records oldest first, with every hashed field, `prev_hash` and `hash`, so each record's
        hash can be recomputed and consecutive records' links followed; the export itself is audited."""
        rows = export.export_records(db, filters)
        body = export.as_csv(rows) if format == "csv" else export.as_jsonl(rows)
        service.record(db, action=Action.AUDIT_EXPORT, actor=caller.actor(source), details={
            "format": format, "records": len(rows), "first_seq": rows[0].seq if rows else None,
            "last_seq": rows[-1].seq if rows else None,
            "filters": {k: (v.isoformat() if isinstance(v, datetime) else v)
                        for k, v in vars(filters).items() if v is not None}})
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return Response(body, media_type=EXPORT_MEDIA[format],
                        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.{format}"'})

    @router.get("/status", response_model=ChainStatusRead)
    def chain_status(db: ReadSession, _: Caller = read_guard) -> ChainStatusRead:
        """The chain's head, its latest signed checkpoint and the result of the latest verification."""
        status = export.chain_status(db)
        last = status.last_verify
        return ChainStatusRead(
            head_seq=status.head_seq, head_hash=status.head_hash,
            latest_checkpoint=CheckpointRead.model_validate(status.checkpoint) if status.checkpoint else None,
            last_verify=LastVerifyRead(at=last.at, actor_name=last.actor_name, ok=bool(last.details.get("ok")),
                                       records=last.details.get("records")) if last else None)

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
