"""HTTP routes of the registry of offences: list and drill-down, one record, entry and edit, import, articles."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi import Path as PathParam

from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.errors import QorgauError
from qorgau.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor
from qorgau.core.web import MAX_ROW_ID, ClientSource, DbSession, IdPath, ReadSession
from qorgau.offences import articles, importer, service
from qorgau.offences.enums import OffenceClass, RecordSource, Status
from qorgau.offences.models import Offence
from qorgau.offences.schemas import (
    OffenceArticleRead,
    OffenceArticleUpdate,
    OffenceImportReport,
    OffencePage,
    OffenceRead,
    OffenceReconcile,
    OffenceWrite,
)

router = APIRouter(prefix="/api/offences", tags=["offences"])
Reader = Annotated[Principal, Require(Permission.OFFENCES_READ)]
Writer = Annotated[Principal, Require(Permission.OFFENCES_WRITE)]
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "The record or extract is invalid: every problem is listed in `errors` with its line."}}


def _candidate(body: OffenceWrite) -> service.Candidate:
    return service.Candidate(line=1, **body.model_dump())


@router.get("", response_model=OffencePage)
def list_offences(
    _: Reader, db: ReadSession,
    date_from: Annotated[date | None, Query(description="Registered on or after (local day).")] = None,
    date_to: Annotated[date | None, Query(description="Registered on or before (local day).")] = None,
    district_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    settlement: Annotated[str | None, Query(max_length=200)] = None,
    article_group: Annotated[str | None, Query(max_length=32)] = None,
    offence_class: OffenceClass | None = None,
    status: Status | None = None,
    source: Annotated[list[RecordSource] | None, Query(
        description="Sources to show; generated records only when asked for (default: import and qorgau).")] = None,
    draft: bool | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> OffencePage:
    """Records newest first, filtered for a drill-down from a figure; no personal data is stored or shown."""
    before = decode_cursor(cursor)
    if before is not None and not (isinstance(before, list) and len(before) == 2 and isinstance(before[0], str)
                                   and isinstance(before[1], int)):
        raise QorgauError("request.bad_cursor", status=400)
    try:
        key = (before[0], before[1]) if before else None
        if key:
            date.fromisoformat(key[0])
    except ValueError as exc:
        raise QorgauError("request.bad_cursor", status=400) from exc
    filters = service.Filters(
        date_from=date_from, date_to=date_to, district_id=district_id, settlement=settlement,
        article_group=article_group, offence_class=offence_class, status=status, draft=draft,
        sources=[str(s) for s in (source or (RecordSource.IMPORT, RecordSource.QORGAU))])
    rows = service.page(db, filters=filters, before=key, limit=limit + 1)
    more = len(rows) > limit
    items = rows[:limit]
    last: Offence | None = items[-1] if items else None
    return OffencePage(items=[OffenceRead.model_validate(r) for r in items],
                       next_cursor=encode_cursor([last.registered_on.isoformat(), last.id]) if more and last else None)


@router.get("/articles", response_model=list[OffenceArticleRead])
def list_articles(_: Reader, db: ReadSession) -> list[OffenceArticleRead]:
    """The article list with class, severity and group (shipped with its source, editable)."""
    return [OffenceArticleRead.model_validate(a) for a in articles.all_articles(db)]


@router.patch("/articles/{code}", response_model=OffenceArticleRead,
              responses={404: {"description": "No such article"}})
def edit_article(code: Annotated[str, PathParam(max_length=32)], body: OffenceArticleUpdate, principal: Writer,
                 db: DbSession, source: ClientSource) -> OffenceArticleRead:
    """Correct an article's titles or classification; its records' copies follow; audited."""
    changes = body.model_dump(exclude_unset=True)
    return OffenceArticleRead.model_validate(articles.edit(db, code=code, changes=changes,
                                                           actor=principal.actor(source)))


@router.get("/{offence_id}", response_model=OffenceRead, responses={404: {"description": "No such record"}})
def get_offence(offence_id: IdPath, _: Reader, db: ReadSession) -> OffenceRead:
    return OffenceRead.model_validate(service.get(db, offence_id))


@router.post("", response_model=OffenceRead, status_code=201, responses=INVALID)
def create_offence(body: OffenceWrite, principal: Writer, db: DbSession, source: ClientSource) -> OffenceRead:
    """Enter a record by hand (no number: a draft); the same checks as an imported line; audited."""
    record = service.create(db, candidate=_candidate(body), actor=principal.actor(source))
    return OffenceRead.model_validate(record)


@router.put("/{offence_id}", response_model=OffenceRead, responses=INVALID)
def edit_offence(offence_id: IdPath, body: OffenceWrite, principal: Writer, db: DbSession,
                 source: ClientSource) -> OffenceRead:
    record = service.edit(db, offence_id=offence_id, candidate=_candidate(body), actor=principal.actor(source))
    return OffenceRead.model_validate(record)


@router.post("/{offence_id}/reconcile", response_model=OffenceRead,
             responses={409: {"description": "Not a draft"}})
def reconcile(offence_id: IdPath, body: OffenceReconcile, principal: Writer, db: DbSession,
              source: ClientSource) -> OffenceRead:
    """Give a draft its ЕРДР number; when that number is already imported the draft merges into it."""
    record = service.reconcile(db, offence_id=offence_id, reg_number=body.reg_number, actor=principal.actor(source))
    return OffenceRead.model_validate(record)


@router.post("/import", response_model=OffenceImportReport, responses=INVALID)
def import_extract(
    principal: Writer, db: DbSession, source: ClientSource,
    file: Annotated[UploadFile, File(description="An extract: .csv (UTF-8) or .xlsx.")],
    mapping: Annotated[str | None, Form(description='JSON {"field": "header"} overriding default headers.')] = None,
) -> OffenceImportReport:
    """All rows or none; a known number is updated, a cited incident's draft reconciled (see the CLI's help)."""
    import json

    content = file.file.read(MAX_UPLOAD_BYTES + 1)  # a plain route: FastAPI runs it in a worker thread
    if len(content) > MAX_UPLOAD_BYTES:
        raise QorgauError("offences.file_too_large", status=413)
    try:
        columns = json.loads(mapping) if mapping else {}
    except ValueError as exc:
        raise QorgauError("offences.bad_mapping", status=422) from exc
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise QorgauError("offences.bad_mapping", status=422)
    name = Path(file.filename or "extract.csv").name
    return importer.import_extract(db, path=Path(name), content=content, mapping=columns,
                                   actor=principal.actor(source))
