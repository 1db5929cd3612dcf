"""Storing the forms on SQLite and PostgreSQL: replace on re-import, all files or none, the national total, seed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from qorgau.audit.models import AuditRecord
from qorgau.core.db import Database
from qorgau.core.errors import NotFound, ValidationFailed
from qorgau.legalstats import service
from qorgau.legalstats.forms import LayoutRefused
from qorgau.legalstats.models import LegalFigure, LegalFormImport
from qorgau.legalstats.seed import seed
from tests.conftest import CLI_ACTOR
from tests.legalstats.conftest import POPULATION, SNG1, WKO_1M, WKO_SNG1, needs_raw_forms


def _upload(path: Path, name: str | None = None) -> service.Upload:
    return service.Upload(name=name or path.name, content=path.read_bytes())


def _counts(db: Database) -> tuple[int, int]:
    with db.unit_of_work() as session:
        return (session.scalar(select(func.count()).select_from(LegalFormImport)) or 0,
                session.scalar(select(func.count()).select_from(LegalFigure)) or 0)


@needs_raw_forms
def test_import_then_reimport_replaces_without_double_counting(db: Database) -> None:
    with db.unit_of_work() as session:
        done = service.import_forms(session, uploads=[_upload(WKO_SNG1), _upload(WKO_1M), _upload(POPULATION)],
                                    period="2023", actor=CLI_ACTOR)
    assert [(d.form, d.region, d.replaced) for d in done[:2]] == [("sng1", "west_kazakhstan", False),
                                                                 ("1m", "west_kazakhstan", False)]
    assert len(done) == 2 + 20  # the population table holds all 20 regions
    before = _counts(db)
    with db.unit_of_work() as session:
        again = service.import_forms(session, uploads=[_upload(WKO_SNG1)], period="2023", actor=CLI_ACTOR)
    assert again[0].replaced is True
    assert _counts(db) == before
    with db.unit_of_work() as session:
        found = service.figures(session, form="sng1", period="2023")
        assert [f.region for f in found] == ["west_kazakhstan"]  # one region: no national total pretending
        assert found[0].values["crimes"]["registered"] == 4935 and found[0].cells["crimes"]["registered"] == "R1!E7"
        population = service.figures(session, form="population", period="2023", region="west_kazakhstan")
        assert population[0].values == {"population": {"residents": 688091}}
        with pytest.raises(NotFound):
            service.figures(session, form="sng1", period="2023", region="kz")
        with pytest.raises(NotFound):
            service.figures(session, form="sng1", period="2022")
        assert [(a.form, a.period, len(a.regions)) for a in service.available(session)] == [
            ("sng1", "2023", 1), ("population", "2023", 20), ("1m", "2023", 1)]
        audited = session.scalars(select(AuditRecord).where(AuditRecord.action == "legalstats.import")).all()
        assert len(audited) == 2 and audited[0].target_id == "2023"


@needs_raw_forms
def test_a_batch_with_one_bad_file_stores_nothing(db: Database, tmp_path: Path) -> None:
    broken = tmp_path / "West Kazakhstan region.XLSX"
    broken.write_bytes(b"not a workbook")
    with db.unit_of_work() as session, pytest.raises(LayoutRefused) as refused:
        service.import_forms(session, uploads=[_upload(SNG1 / "Aktobe region.XLSX"), _upload(broken)],
                             period="2023", actor=CLI_ACTOR)
    assert refused.value.errors[0]["file"] == broken.name
    assert _counts(db) == (0, 0)
    with db.unit_of_work() as session, pytest.raises(LayoutRefused) as twice:
        service.import_forms(session, uploads=[_upload(WKO_SNG1), _upload(WKO_SNG1, "copy of West Kazakhstan.xlsx")],
                             period="2023", actor=CLI_ACTOR)
    assert twice.value.errors == [{"code": "legalstats.duplicate", "form": "sng1", "region": "west_kazakhstan"}]
    with db.unit_of_work() as session, pytest.raises(ValidationFailed) as bad_period:
        service.import_forms(session, uploads=[_upload(WKO_SNG1)], period="2023-13", actor=CLI_ACTOR)
    assert bad_period.value.code == "legalstats.period_invalid"
    assert _counts(db) == (0, 0)


def test_seed_gives_every_region_and_the_national_total(db: Database) -> None:
    with db.unit_of_work() as session:
        assert seed(session, actor=CLI_ACTOR) == 20 + 4 + 20
    with db.unit_of_work() as session:
        assert seed(session, actor=CLI_ACTOR) == 0  # again changes nothing
        found = service.figures(session, form="sng1", period="2023")
        assert len(found) == 21 and found[-1].region == "kz" and found[-1].cells == {}
        # The sum of the 20 sheets' R1 E7 / G7 / I7, added by hand.
        assert {m: found[-1].values["crimes"][m] for m in ("registered", "completed", "interrupted")} == {
            "registered": 135029, "completed": 61941, "interrupted": 74071}
        table = {row.region: row for row in service.clearance_table(session, form="sng1", period="2023")}
        assert table["kz"].values["department"] == pytest.approx(61941 / (61941 + 74071))
        assert table["west_kazakhstan"].values["department"] == pytest.approx(2986 / 5109)
        assert table["west_kazakhstan"].values["court"] is None  # СНГ-1 does not split "окончены"
        wko_1m = {row.region: row for row in service.clearance_table(session, form="1m", period="2023")}
        assert set(wko_1m) == {"west_kazakhstan", "aktobe", "atyrau", "astana"}  # 4 of 20: no national total
        assert wko_1m["west_kazakhstan"].values["court"] == pytest.approx(1827 / 3950)
        rates = {rate.region: rate for rate in service.rates(session, form="sng1", period="2023")}
        assert rates["west_kazakhstan"].per_10000 == pytest.approx(4935 / 688091 * 10_000)  # 71.7
        assert (rates["kz"].value, rates["kz"].residents) == (135029, 19765004)  # population sheet 01!B6
        every = service.clearance_table(session, form="1m", period="2023", subject="all")
        assert {r.region: r.values["unidentified"] for r in every}["west_kazakhstan"] == pytest.approx(3667 / 5696)
