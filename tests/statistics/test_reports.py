"""The offence report: its figures on a small hand-built registry, the same bytes twice, Kazakh text, the route's
permission, validation and audit record, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
import zlib
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from qorgau.audit.models import AuditRecord
from qorgau.core.db import Database
from qorgau.districts import service as district_service
from qorgau.offences.models import Offence, OffenceArticle
from qorgau.statistics import reports
from tests.conftest import login, make_user
from tests.districts.conftest import (  # noqa: F401 (fixtures: a database holding the Aksai model and districts)
    aksai_data,
    db_url,
    districts_pg_template,
    districts_sqlite_template,
    seeded_pg_template,
    seeded_sqlite_template,
)
from tests.incidents.conftest import problem

NOW = datetime(2026, 5, 1, tzinfo=UTC)
ARTICLES = (
    ("UK-188-1", "uk", 188, 1, "crime", "medium", "theft"),
    ("UK-293-1", "uk", 293, 1, "misdemeanour", None, "hooliganism"),
    ("KoAP-434", "koap", 434, None, "administrative", None, "hooliganism"),
)
# (registered on, article, district A/B, status, ground, persons identified, source, draft)
RECORDS: tuple[tuple[str, str, str, str, str | None, int, str, bool], ...] = (
    # first quarter of 2026
    ("2026-01-10", "UK-188-1", "A", "sent_to_court", None, 1, "import", False),
    ("2026-02-03", "UK-188-1", "A", "terminated", "non_rehabilitating:CPC-35-1-12", 1, "import", False),
    ("2026-03-31", "UK-188-1", "A", "interrupted", None, 0, "import", False),
    ("2026-03-05", "UK-188-1", "B", "investigating", None, 0, "import", False),
    ("2026-02-20", "UK-293-1", "A", "sent_to_court", None, 1, "qorgau", False),
    ("2026-01-15", "KoAP-434", "B", "sent_to_court", None, 1, "import", False),
    ("2026-01-16", "KoAP-434", "B", "sent_to_court", None, 1, "import", False),
    ("2026-01-17", "UK-188-1", "A", "sent_to_court", None, 1, "generated", False),  # only when asked for
    ("2026-01-18", "UK-188-1", "A", "investigating", None, 0, "qorgau", True),  # a draft: not registered yet
    # first quarter of 2025 (АППГ) and a day outside both periods
    ("2025-01-03", "UK-188-1", "A", "sent_to_court", None, 1, "import", False),
    ("2025-03-31", "UK-188-1", "A", "interrupted", None, 1, "import", False),
    ("2025-02-11", "KoAP-434", "B", "sent_to_court", None, 1, "import", False),
    ("2025-04-01", "UK-188-1", "B", "sent_to_court", None, 1, "import", False),
)
QUARTER = {"from": "2026-01-01", "to": "2026-03-31"}


def _registry(database: Database) -> tuple[int, int]:
    """Writes the articles and records; returns the ids of districts A and B."""
    with database.unit_of_work() as session:
        in_force = district_service.current(session)
        assert in_force is not None
        first, second = in_force.districts[0].id, in_force.districts[1].id
        for code, kind, article, part, offence_class, severity, group in ARTICLES:
            session.add(OffenceArticle(code=code, code_kind=kind, article=article, part=part, title_ru=code,
                                       title_kk=code, title_en=code, offence_class=offence_class,
                                       severity=severity, article_group=group, editable=True))
        session.flush()
        classes = {a[0]: a for a in ARTICLES}
        for index, (day, code, where, status, ground, persons, source, draft) in enumerate(RECORDS):
            _, kind, _, _, offence_class, severity, group = classes[code]
            session.add(Offence(
                reg_number=f"26-{index:04d}", kind="administrative" if kind == "koap" else "criminal",
                registered_on=date.fromisoformat(day), committed_at=None, article_code=code,
                offence_class=offence_class, severity=severity, article_group=group, status=status,
                termination_ground=ground, status_on=None, persons_identified=persons, lon=None, lat=None,
                settlement="Аксай" if where == "A" else "Кентубек", district_id=first if where == "A" else second,
                place_type="street", source=source, draft=draft, created_at=NOW, updated_at=NOW,
                updated_by="import"))
    return first, second


def _sheets(body: bytes) -> list[list[tuple[Any, ...]]]:
    workbook = load_workbook(io.BytesIO(body))
    return [list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets]


def _row(sheet: list[tuple[Any, ...]], label: str) -> tuple[Any, ...]:
    return next(row for row in sheet if row and row[0] == label)


def _pdf_characters(pdf: bytes) -> set[str]:
    """The characters the PDF's ToUnicode maps name (the glyphs its embedded font subset carries)."""
    found: set[str] = set()
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            text = zlib.decompress(match.group(1))
        except zlib.error:
            text = match.group(1)
        for code in re.findall(rb"<[0-9A-Fa-f]{4}> <([0-9A-Fa-f]{4,8})>", text):
            found.add(bytes.fromhex(code.decode()).decode("utf-16-be"))
    return found


@pytest.mark.timeout(90)
def test_report_figures_bytes_language_permission_and_audit(client: TestClient, app_db: Database) -> None:
    first, second = _registry(app_db)
    make_user(app_db, "analyst", "supervisor")
    make_user(app_db, "crew", "patrol")
    login(client, "crew")
    problem(client.get("/api/statistics/reports/offences", params=QUARTER), 403, "auth.forbidden")
    login(client, "analyst")

    response = client.get("/api/statistics/reports/offences", params={**QUARTER, "lang": "ru"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == reports.MEDIA_TYPES["xlsx"]
    assert 'filename="offences-2026-01-01-2026-03-31-ru.xlsx"' in response.headers["content-disposition"]
    cover, totals, rate, groups, districts, settlements, severity, decisions, clearance = _sheets(response.content)
    assert cover[0][0] == ("Сведения о зарегистрированных правонарушениях и их раскрываемости за "
                           "01.01.2026 – 31.03.2026 в сравнении с АППГ")
    assert any(row[0] == "Сгенерированные (демонстрационные) записи не учтены." for row in cover)
    assert _row(totals, "Зарегистрировано правонарушений, всего")[1:] == (7, 3, 4, pytest.approx(4 / 3))
    assert _row(totals, "уголовных правонарушений")[1:3] == (5, 2)
    assert _row(totals, "в т.ч. преступлений")[1:3] == (4, 2)
    assert _row(totals, "в т.ч. уголовных проступков")[1:5] == (1, 0, 1, None)  # no percentage of nothing
    assert _row(totals, "административных правонарушений")[1:3] == (2, 1)
    # Criminal offences per 10,000 of the districts' 36,352 residents.
    assert rate[2][1:3] == (pytest.approx(5 / 36352 * 10_000, rel=1e-4), pytest.approx(2 / 36352 * 10_000, rel=1e-4))
    assert _row(groups, "Кража")[1:3] == (4, 2) and _row(groups, "Хулиганство")[1:3] == (3, 1)
    assert _row(groups, "Итого")[1:3] == (7, 3)
    assert [row[1:3] for row in districts[2:]] == [(4, 2), (3, 1)]
    assert _row(settlements, "Аксай")[1:3] == (4, 2) and _row(settlements, "Кентубек")[1:3] == (3, 1)
    assert _row(severity, "средней тяжести")[1:3] == (4, 2)
    assert _row(severity, "уголовные проступки (без категории)")[1:3] == (1, 0)
    assert _row(decisions, "Окончено (в суд + прекращено по нереабилитирующим)")[1:3] == (3, 1)
    assert _row(decisions, "Прерваны сроки")[1:3] == (1, 1)
    label, now, before, points = clearance[3]
    assert label == "Раскрываемость, % (Расчёт департамента)"
    assert (now, before, points) == (pytest.approx(0.75), pytest.approx(0.5), pytest.approx(25.0))
    assert any("окончены / (окончены + прерваны сроки)" in str(row[0]) for row in cover)

    # Generated records count only when asked for; a district filter narrows every table.
    with_generated = _sheets(client.get("/api/statistics/reports/offences",
                                        params={**QUARTER, "include_generated": "true"}).content)
    assert _row(with_generated[1], "Зарегистрировано правонарушений, всего")[1] == 8
    one = _sheets(client.get("/api/statistics/reports/offences", params={**QUARTER, "district_id": second}).content)
    assert _row(one[1], "Зарегистрировано правонарушений, всего")[1:3] == (3, 1)
    other = _sheets(client.get("/api/statistics/reports/offences", params={**QUARTER, "district_id": first}).content)
    assert _row(other[1], "уголовных правонарушений")[1:3] == (4, 2)

    # The same period and filters give the same bytes, in both formats; the Kazakh report speaks Kazakh.
    for form in ("xlsx", "pdf"):
        params = {**QUARTER, "lang": "kk", "format": form}
        once = client.get("/api/statistics/reports/offences", params=params)
        again = client.get("/api/statistics/reports/offences", params=params)
        assert once.status_code == 200 and once.content == again.content
    kazakh = _sheets(client.get("/api/statistics/reports/offences", params={**QUARTER, "lang": "kk"}).content)
    assert "өткен жылдың сәйкес кезеңімен" in kazakh[0][0][0]
    assert _row(kazakh[1], "Тіркелген құқық бұзушылықтар, барлығы")[1] == 7
    pdf = client.get("/api/statistics/reports/offences", params={**QUARTER, "lang": "kk", "format": "pdf"}).content
    assert pdf.startswith(b"%PDF-") and set("ңғқүұәөі") <= _pdf_characters(pdf)

    with app_db.unit_of_work() as session:
        exports = session.scalars(select(AuditRecord).where(AuditRecord.action == "statistics.report_export")).all()
    assert len(exports) == 10 and exports[0].details["from"] == "2026-01-01"  # one per download
    assert exports[0].actor_name == "analyst"

    bad = problem(client.get("/api/statistics/reports/offences",
                             params={"from": "2026-03-31", "to": "2026-01-01", "reading": "mine"}),
                  422, "statistics.report_invalid")
    assert {e["code"] for e in bad["errors"]} == {"statistics.period_reversed", "statistics.unknown_reading"}
    problem(client.get("/api/statistics/reports/offences", params={**QUARTER, "district_id": 999_999}),
            404, "districts.not_found")
    for odd in ({"settlement": "Ак\x00сай"}, {"settlement": "\U0001f600"}, {"article_group": "Theft!"}):
        assert client.get("/api/statistics/reports/offences", params={**QUARTER, **odd}).status_code == 422
    assert client.get("/api/statistics/reports/offences", params={**QUARTER, "settlement": "Аксай", "format": "pdf",
                                                                  "lang": "kk"}).status_code == 200


def test_same_period_last_year() -> None:
    query = reports.ReportQuery(first=date(2028, 2, 1), last=date(2028, 2, 29))
    assert query.previous == (date(2027, 2, 1), date(2027, 2, 28))
    assert reports.ReportQuery(first=date(2026, 1, 1), last=date(2026, 3, 31)).previous == (
        date(2025, 1, 1), date(2025, 3, 31))
