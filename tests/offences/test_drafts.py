"""Drafts from incidents closed in Qorgau and their reconciliation: one offence is counted once, whichever came
first (the draft or the ЕРДР extract), through the import or a manual reconcile."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from qorgau.core.bus import Context
from qorgau.core.bus.outbox import read_after
from qorgau.core.db import Database
from qorgau.incidents import service as incident_service
from qorgau.incidents.enums import IncidentState
from qorgau.incidents.schemas import IncidentCreate
from qorgau.offences import service
from qorgau.offences.flows import draft_from_incident
from qorgau.offences.importer import import_extract
from qorgau.offences.models import Offence
from tests.conftest import CLI_ACTOR
from tests.incidents.conftest import Flows
from tests.offences.conftest import AKSAI

HEADER = "Номер ЕРДР;Дата регистрации;Статья;Номер происшествия;Долгота;Широта\n"
CTX = Context.system("test")
DAY = date.today() - timedelta(days=3)


def _close_incident(db: Database, category: str) -> tuple[int, str]:
    with db.unit_of_work() as session:
        incident = incident_service.create(session, incident_in=IncidentCreate(
            category=category, lon=AKSAI[0], lat=AKSAI[1]), actor="user:1", ctx=CTX)
        session.flush()
        incident_service.transition(session, incident_id=incident.id, to=IncidentState.CLOSED, actor="user:1",
                                    ctx=CTX)
        return incident.id, incident.number


def _records(db: Database) -> list[Offence]:
    with db.reading() as session:
        return list(session.scalars(select(Offence).order_by(Offence.id)))


@pytest.mark.timeout(90)
def test_a_closed_theft_becomes_a_draft_that_the_extract_turns_into_the_record(
        db: Database, run_flows: Flows, tmp_path: Path) -> None:
    theft_id, theft_number = _close_incident(db, "theft")
    _close_incident(db, "traffic_accident")  # not an offence category: no draft
    run_flows(db)
    with db.reading() as session:  # delivered again (a retry): still one draft
        event = next(e for e in read_after(session, 0, limit=1000)
                     if e.name == "incidents.state_changed" and e.payload.incident_id == theft_id)
    with db.unit_of_work() as session:
        draft_from_incident(session, event)
    [draft] = _records(db)
    assert (draft.draft, draft.reg_number, draft.source, draft.incident_id, draft.call_ref) == (
        True, None, "qorgau", theft_id, theft_number)
    assert draft.article_code == "UK-188-1" and draft.settlement == "Ақсай" and draft.district_id is not None

    extract = tmp_path / "erdr.csv"
    extract.write_text(HEADER + f"261127030000077;{draft.registered_on:%d.%m.%Y};ст.188 ч.2 УК;{theft_number};;\n",
                       encoding="utf-8")  # no position in the extract: the incident's is kept
    with db.unit_of_work() as session:
        report = import_extract(session, path=extract, actor=CLI_ACTOR)
    assert (report.created, report.reconciled) == (0, 1)
    with db.unit_of_work() as session:  # the same extract again: updated, still one record
        report = import_extract(session, path=extract, actor=CLI_ACTOR)
    assert (report.created, report.updated) == (0, 1)
    [record] = _records(db)
    assert (record.id, record.draft, record.reg_number, record.source, record.incident_id) == (
        draft.id, False, "261127030000077", "import", theft_id)
    assert record.article_code == "UK-188-2" and record.district_id == draft.district_id
    assert (record.lon, record.lat, record.committed_at) == (draft.lon, draft.lat, draft.committed_at)


@pytest.mark.timeout(90)
def test_extract_first_then_the_incident_links_and_a_manual_reconcile_merges(
        db: Database, run_flows: Flows, tmp_path: Path) -> None:
    with db.unit_of_work() as session:  # the incident's number is known before it is closed
        robbery = incident_service.create(session, incident_in=IncidentCreate(category="robbery"), actor="user:1",
                                          ctx=CTX)
        robbery_id, robbery_number = robbery.id, robbery.number
    extract = tmp_path / "erdr.csv"
    extract.write_text(HEADER + f"261127030000088;{DAY:%d.%m.%Y};191-1;{robbery_number};;\n", encoding="utf-8")
    with db.unit_of_work() as session:
        assert import_extract(session, path=extract, actor=CLI_ACTOR).created == 1
    with db.unit_of_work() as session:  # closed after the extract arrived: it links, no draft
        incident_service.transition(session, incident_id=robbery_id, to=IncidentState.CLOSED, actor="user:1",
                                    ctx=CTX)
    run_flows(db)
    [record] = _records(db)
    assert record.incident_id == robbery_id and not record.draft

    # A draft that the analyst links by hand to a number already imported: the draft merges into the record.
    extract.write_text(HEADER + f"261127030000099;{DAY:%d.%m.%Y};108-1;;;\n", encoding="utf-8")
    with db.unit_of_work() as session:
        assert import_extract(session, path=extract, actor=CLI_ACTOR).created == 1
    assault_id, _ = _close_incident(db, "assault")
    run_flows(db)
    draft = next(r for r in _records(db) if r.draft)
    assert draft.incident_id == assault_id and len(_records(db)) == 3
    with db.unit_of_work() as session:
        kept = service.reconcile(session, offence_id=draft.id, reg_number="261127030000099", actor=CLI_ACTOR)
        assert kept.id != draft.id and kept.reg_number == "261127030000099"
    records = _records(db)
    assert len(records) == 2 and not any(r.draft for r in records)
    assert {r.incident_id for r in records} == {robbery_id, assault_id}
