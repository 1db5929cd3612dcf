"""Import of extracts against a real database: all rows or none, problems per line, update by number, XLSX."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from qorgau.core.db import Database
from qorgau.core.errors import ValidationFailed
from qorgau.offences.importer import article_code, import_extract
from qorgau.offences.models import Offence
from tests.conftest import CLI_ACTOR
from tests.offences.conftest import AKSAI, OUTSIDE

HEADER = "Номер ЕРДР;Дата регистрации;Дата и время совершения;Статья;Решение;Дата решения;Долгота;Широта;" \
         "Место совершения\n"
TODAY = date(2026, 12, 7)


def _count(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Offence)) or 0


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_article_codes_are_read_the_ways_registers_write_them() -> None:
    assert article_code("ст.188 ч.2 УК") == "UK-188-2"
    assert article_code("188-2") == "UK-188-2"
    assert article_code("КоАП 434") == "KoAP-434"
    assert article_code("UK-99-1") == "UK-99-1"
    assert article_code("кража") is None


@pytest.mark.timeout(60)
def test_a_bad_extract_stores_nothing_and_lists_every_problem_with_its_line(db: Database, tmp_path: Path) -> None:
    lon, lat = AKSAI
    bad = _write(tmp_path / "bad.csv", [
        f"241127030000001;05.03.2024;04.03.2024 22:10;ст.188 ч.1 УК;прервано;05.06.2024;{lon};{lat};улица",
        f"241127030000002;05.03.2024;;ст.999 УК;;;{lon};{lat};улица",  # unknown article
        "241127030000003;05.03.2031;;188-1;;;;;",  # in the future
        "241127030000004;05.03.1989;;188-1;;;;;",  # before 1991
        "241127030000005;05.03.2024;07.03.2024 10:00;188-1;;;;;",  # committed after registered
        f"241127030000006;05.03.2024;;188-1;;;{OUTSIDE[0]};{OUTSIDE[1]};улица",  # outside the district
        "241127030000001;06.03.2024;;190-2;;;;;",  # the number again
        "241127030000008;32.03.2024;;190-2;;;;;",  # no such day
    ])
    with pytest.raises(ValidationFailed) as caught, db.unit_of_work() as session:
        import_extract(session, path=bad, actor=CLI_ACTOR, today=TODAY)
    found = {(e["line"], e["code"]) for e in caught.value.errors}
    assert found == {("2", "offences.duplicate_in_file"), ("3", "offences.unknown_article"),
                     ("4", "offences.impossible_date"), ("5", "offences.impossible_date"),
                     ("6", "offences.committed_after_registered"), ("7", "offences.outside_area"),
                     ("8", "offences.duplicate_in_file"), ("9", "offences.bad_value")}
    assert _count(db) == 0


@pytest.mark.timeout(60)
def test_reimport_updates_by_number_and_never_double_counts(db: Database, tmp_path: Path) -> None:
    lon, lat = AKSAI
    first = _write(tmp_path / "march.csv", [
        f"241127030000001;05.03.2024;04.03.2024 22:10;ст.188 ч.1 УК;в производстве;;{lon};{lat};улица",
        "241127030000002;06.03.2024;;ст.190 ч.2 УК;;;;;жилище",
    ])
    with db.unit_of_work() as session:
        report = import_extract(session, path=first, actor=CLI_ACTOR, today=TODAY)
    assert (report.created, report.updated, report.lines) == (2, 0, 2)
    updated = _write(tmp_path / "april.csv", [
        f"241127030000001;05.03.2024;04.03.2024 22:10;ст.188 ч.2 УК;направлено в суд;02.04.2024;{lon};{lat};улица",
        "241127030000002;06.03.2024;;ст.190 ч.2 УК;прервано;01.04.2024;;;жилище",
        "241127030000003;01.04.2024;;КоАП 434;;;;;",
    ])
    with db.unit_of_work() as session:
        report = import_extract(session, path=updated, actor=CLI_ACTOR, today=TODAY)
    assert (report.created, report.updated) == (1, 2)
    assert _count(db) == 3
    with db.reading() as session:
        theft = session.scalars(select(Offence).where(Offence.reg_number == "241127030000001")).one()
        assert (theft.article_code, theft.article_group, theft.severity, theft.status) == (
            "UK-188-2", "theft", "medium", "sent_to_court")
        assert theft.settlement == "Ақсай" and theft.district_id is not None and theft.source == "import"
        assert theft.committed_at is not None and theft.committed_at.hour == 17  # 22:10 in Oral is 17:10 UTC
        petty = session.scalars(select(Offence).where(Offence.reg_number == "241127030000003")).one()
        assert (petty.kind, petty.offence_class, petty.severity) == ("administrative", "administrative", None)


@pytest.mark.timeout(60)
def test_an_xlsx_extract_with_a_mapping_is_read_like_a_csv(db: Database, tmp_path: Path) -> None:
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Рег. номер", "Дата регистрации", "Статья", "Дата и время совершения", "Долгота", "Широта"])
    sheet.append(["231127030000010", datetime(2023, 5, 1), "ст.191 ч.1 УК", datetime(2023, 4, 30, 23, 40),
                  AKSAI[0], AKSAI[1]])
    sheet.append(["231127030000011", "02.05.2023", "КоАП 440", None, None, None])
    path = tmp_path / "extract.xlsx"
    book.save(path)
    with db.unit_of_work() as session:
        report = import_extract(session, path=path, mapping={"reg_number": "Рег. номер"}, actor=CLI_ACTOR,
                                today=TODAY)
    assert (report.created, report.lines) == (2, 2)
    with db.reading() as session:
        robbery = session.scalars(select(Offence).where(Offence.reg_number == "231127030000010")).one()
        assert robbery.article_group == "robbery" and robbery.registered_on == date(2023, 5, 1)


@pytest.mark.timeout(60)
def test_a_missing_column_is_named_and_nothing_is_stored(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("Номер ЕРДР,Статья\n1,188-1\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught, db.unit_of_work() as session:
        import_extract(session, path=path, actor=CLI_ACTOR, today=TODAY)
    assert [(e["line"], e["field"], e["code"]) for e in caught.value.errors] == [
        ("1", "registered_on", "offences.missing_column")]
    assert _count(db) == 0


@pytest.mark.parametrize(("name", "content"), [
    ("latin1.csv", "Номер ЕРДР;Статья\n1;188-1\n".encode("cp1251")),  # not UTF-8
    ("broken.xlsx", b"PK\x03\x04 not a workbook"),
    ("odd.csv", b'"a""b\n\x00'),  # nothing a sniffer can read
])
def test_an_unreadable_file_is_refused_with_a_reason_not_a_server_error(db: Database, tmp_path: Path, name: str,
                                                                        content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationFailed) as caught, db.unit_of_work() as session:
        import_extract(session, path=path, actor=CLI_ACTOR, today=TODAY)
    codes = {e["code"] for e in caught.value.errors}
    assert codes <= {"offences.unreadable_file", "offences.missing_column", "offences.empty_file"} and codes
    assert _count(db) == 0
