"""Import of an ЕРДР or protocol extract from CSV or XLSX: all rows or none, every problem with its line."""

# The default column mapping is the Russian headers an extract from ЕРДР carries (see ADR 0035); a JSON mapping
# {field: header} overrides any of them, and a header equal to the field name is always understood. Values are
# read leniently where the registers' habits vary ("ст.188 ч.2 УК", "188-2", "UK-188-2"; dates as 31.12.2024 or
# 2024-12-31; statuses in Russian or as codes) and strictly otherwise: a value that cannot be read is a problem of
# its line, never a guess.

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.core.errors import ValidationFailed
from qorgau.offences import articles as article_list
from qorgau.offences.enums import OffenceAction, PlaceType, RecordSource, Status
from qorgau.offences.placement import Placement
from qorgau.offences.schemas import OffenceImportReport
from qorgau.offences.service import LOCAL_ZONE, Candidate, Checked, check, local_today, problem, store

DEFAULT_COLUMNS: dict[str, str] = {
    "reg_number": "Номер ЕРДР",
    "registered_on": "Дата регистрации",
    "committed_at": "Дата и время совершения",
    "article_code": "Статья",
    "status": "Решение",
    "termination_ground": "Основание прекращения",
    "status_on": "Дата решения",
    "persons_identified": "Установлено лиц",
    "lon": "Долгота",
    "lat": "Широта",
    "place_type": "Место совершения",
    "call_ref": "Номер происшествия",
}
REQUIRED = ("reg_number", "registered_on", "article_code")
STATUS_WORDS = {"в производстве": Status.INVESTIGATING, "расследуется": Status.INVESTIGATING,
                "направлено в суд": Status.SENT_TO_COURT, "прекращено": Status.TERMINATED,
                "прервано": Status.INTERRUPTED}
PLACE_WORDS = {"улица": PlaceType.STREET, "жилище": PlaceType.RESIDENCE, "квартира": PlaceType.RESIDENCE,
               "магазин": PlaceType.SHOP, "школа": PlaceType.SCHOOL, "транспорт": PlaceType.TRANSPORT,
               "общественное место": PlaceType.PUBLIC_PLACE, "иное": PlaceType.OTHER}
_CODE = re.compile(r"^(UK|KoAP)-\d+(-\d+)?$")
_LOOSE = re.compile(r"(\d+)(?:\D+?(\d+))?")


def article_code(text: str) -> str | None:
    """'UK-188-2', 'ст.188 ч.2 УК', '188-2' (Criminal Code by default) or 'КоАП 434' as a code; None if unreadable."""
    value = text.strip()
    if _CODE.match(value):
        return value
    found = _LOOSE.search(value)
    if found is None:
        return None
    prefix = "KoAP" if re.search(r"коап|koap|әқбтк", value, re.IGNORECASE) else "UK"
    return f"{prefix}-{found.group(1)}" + (f"-{found.group(2)}" if found.group(2) else "")


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _moment(value: Any) -> datetime:
    """A local time of West Kazakhstan as an extract prints it, or an aware ISO time; stored in UTC."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        for pattern in ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y"):
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_ZONE)
    return moment.astimezone(UTC)


def _status(value: Any) -> str:
    text = str(value).strip().lower()
    if text in set(Status):
        return text
    return str(STATUS_WORDS[text])


def _place(value: Any) -> str:
    text = str(value).strip().lower()
    if text in set(PlaceType):
        return text
    return str(PLACE_WORDS[text])


def _number(value: Any) -> float:
    return float(str(value).replace(",", ".")) if not isinstance(value, (int, float)) else float(value)


READERS: dict[str, Any] = {
    "registered_on": _day, "committed_at": _moment, "status": _status, "status_on": _day,
    "persons_identified": lambda v: int(_number(v)), "lon": _number, "lat": _number, "place_type": _place,
    "reg_number": lambda v: str(v).strip(), "call_ref": lambda v: str(v).strip(),
    "termination_ground": lambda v: str(v).strip(),
}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def candidates(header: list[str], rows: Iterable[tuple[int, list[Any]]], mapping: Mapping[str, str],
               problems: list[dict[str, str]]) -> list[Candidate]:
    """Lines as candidates; unreadable values are added to ``problems`` with their line and field."""
    columns = {**DEFAULT_COLUMNS, **mapping}
    names = [str(h).strip() if h is not None else "" for h in header]
    index: dict[str, int] = {}
    for name, title in columns.items():
        for alias in (title, name):
            if alias in names:
                index[name] = names.index(alias)
                break
    missing = [name for name in REQUIRED if name not in index]
    if missing:
        problems.extend(problem(1, name, "offences.missing_column", columns[name]) for name in missing)
        return []
    found: list[Candidate] = []
    for line, row in rows:
        values: dict[str, Any] = {}
        unreadable: set[str] = set()
        for name, position in index.items():
            raw = row[position] if position < len(row) else None
            if _blank(raw):
                continue
            if name == "article_code":
                code = article_code(str(raw))
                if code is None:
                    problems.append(problem(line, name, "offences.unknown_article", raw))
                    unreadable.add(name)
                values[name] = code
                continue
            try:
                values[name] = READERS[name](raw)
            except (ValueError, KeyError, TypeError):
                problems.append(problem(line, name, "offences.bad_value", raw))
                unreadable.add(name)
        lacking = [name for name in REQUIRED if name not in values and name not in unreadable]
        problems.extend(problem(line, name, "offences.value_required") for name in lacking)
        if not unreadable and not lacking:
            found.append(Candidate(line=line, **values))
    return found


class UnreadableFile(ValueError):
    """Neither a UTF-8 CSV with a known delimiter nor a workbook openpyxl can open."""


def read_table(path: Path, content: bytes | None = None) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The header and numbered data lines of a CSV (UTF-8, comma or semicolon) or the first sheet of an XLSX."""
    data = content if content is not None else path.read_bytes()
    try:
        table = _table(path, data)
    except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, OSError, KeyError, ValueError, IndexError) as error:
        raise UnreadableFile(str(error)) from error
    if not table:
        return [], []
    rows = [(n, row) for n, row in enumerate(table[1:], start=2) if any(not _blank(v) for v in row)]
    return [str(h) if h is not None else "" for h in table[0]], rows


def _table(path: Path, data: bytes) -> list[list[Any]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook  # only the import needs it

        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    text = data.decode("utf-8-sig")
    first = text.splitlines()[0] if text.strip() else ""
    # One column has no delimiter for the sniffer to find: a comma is as good as any then.
    dialect: type[csv.Dialect] | csv.Dialect = (csv.Sniffer().sniff(first, delimiters=",;\t")
                                                if any(d in first for d in ",;\t") else csv.excel)
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def import_extract(session: Session, *, path: Path, content: bytes | None = None,
                   mapping: Mapping[str, str] | None = None, actor: audit.Actor,
                   today: date | None = None) -> OffenceImportReport:
    """Check every line, then store all of them or none; a record already there (same number) is updated."""
    article_list.ensure(session)
    problems: list[dict[str, str]] = []
    try:
        header, rows = read_table(path, content)
    except UnreadableFile:
        header, rows = [], []
        problems.append(problem(1, "", "offences.unreadable_file"))
    if not header and not problems:
        problems.append(problem(1, "", "offences.empty_file"))
    found = candidates(header, rows, mapping or {}, problems) if header else []
    repeated = Counter(c.reg_number for c in found)
    problems.extend(problem(c.line, "reg_number", "offences.duplicate_in_file", c.reg_number)
                    for c in found if repeated[c.reg_number] > 1)
    known = article_list.by_code(session)
    placement = Placement(session) if any(c.lon is not None for c in found) else None
    checked: list[Checked] = []
    for candidate in found:
        ok, issues = check(candidate, known=known, placement=placement, today=today or local_today())
        problems.extend(issues)
        if ok is not None:
            checked.append(ok)
    if problems:
        problems.sort(key=lambda p: int(p["line"]))
        raise ValidationFailed("offences.invalid", params={"count": len(problems)}, errors=problems)
    outcomes: Counter[str] = Counter()
    now = datetime.now(UTC)
    for item in checked:
        _, outcome = store(session, item, source=RecordSource.IMPORT, actor=actor.ref, now=now)
        outcomes[outcome] += 1
    session.flush()
    report = OffenceImportReport(created=outcomes["created"], updated=outcomes["updated"],
                                 reconciled=outcomes["reconciled"], lines=len(rows))
    audit.record(session, action=OffenceAction.IMPORT, actor=actor, target_type="offence_import",
                 target_id=path.name, details=report.model_dump())
    return report
