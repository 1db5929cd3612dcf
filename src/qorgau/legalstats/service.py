"""Reference figures of the official forms: import (all files or none), what is stored, figures and clearance.

Read-only functions here (`available`, `figures`, `clearance_table`, `region_inputs`) are what other domains
(statistics, reports) call; they never import this domain's views.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.core.errors import NotFound, ValidationFailed
from qorgau.core.time import utcnow
from qorgau.legalstats import forms
from qorgau.legalstats.clearance import READINGS, ClearanceInputs
from qorgau.legalstats.enums import LegalStatsAction
from qorgau.legalstats.forms import Figure, Form, LayoutRefused, ParsedForm
from qorgau.legalstats.models import LegalFigure, LegalFormImport
from qorgau.legalstats.regions import BY_CODE, NATIONAL, REGIONS, Region, from_file_name

PERIOD = re.compile(r"^(19|20)\d{2}(-(0[1-9]|1[0-2]))?$")  # a year, or January to a month of it ("2023-06")


@dataclass(frozen=True)
class Upload:
    """One file handed to the importer: its name (which names the region) and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Imported:
    """What one stored (form, region) of an import holds."""

    form: str
    region: str
    period: str
    figures: int
    replaced: bool
    source_name: str


def check_period(period: str) -> str:
    """The period as given, refused unless it is a year or a year and month."""
    if not PERIOD.match(period):
        raise ValidationFailed("legalstats.period_invalid", params={"period": period[:20]})
    return period


def _region_of(upload: Upload, region: str | None) -> Region:
    if region is not None:
        if region not in BY_CODE:
            raise ValidationFailed("legalstats.region_unknown", params={"region": region[:40], "file": upload.name})
        return BY_CODE[region]
    stem = upload.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    found = from_file_name(stem)
    if found is None:
        raise ValidationFailed("legalstats.region_unnamed", params={"file": upload.name[:200]})
    return found


def parse_uploads(uploads: Sequence[Upload], *, region: str | None = None) -> list[tuple[ParsedForm, Upload]]:
    """Read every file whole, or refuse the batch with every file's problems (nothing is stored on any)."""
    parsed: list[tuple[ParsedForm, Upload]] = []
    errors: list[dict[str, str]] = []
    for upload in uploads:
        try:
            form = forms.detect_form(upload.content, upload.name)
            if form is Form.POPULATION:
                book = forms.open_book(upload.content, upload.name)
                try:
                    residents = forms.read_population(book)
                finally:
                    book.close()
                parsed += [(ParsedForm(form=Form.POPULATION, region=code,
                                       figures=(Figure("population", "residents", value, cell),)), upload)
                           for code, (value, cell) in residents.items()]
                continue
            parsed.append((forms.parse(upload.content, form=form, region=_region_of(upload, region),
                                       name=upload.name), upload))
        except ValidationFailed as exc:
            errors += [{**error, "file": upload.name} for error in exc.errors] or [
                {"code": exc.code, "file": upload.name, **{k: str(v) for k, v in exc.params.items()}}]
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for item, _ in parsed:
        seen[(item.form, item.region)] += 1
    errors += [{"code": "legalstats.duplicate", "form": form, "region": code}
               for (form, code), count in seen.items() if count > 1]
    if errors:
        raise LayoutRefused(errors=errors, params={"count": len(errors)})
    return parsed


def import_forms(session: Session, *, uploads: Sequence[Upload], period: str, actor: audit.Actor,
                 region: str | None = None) -> list[Imported]:
    """Replace the stored figures of each file's (form, region) for ``period``; all files or none; audited."""
    check_period(period)
    if not uploads:
        raise ValidationFailed("legalstats.no_files")
    parsed = parse_uploads(uploads, region=region)
    digests = {upload.name: hashlib.sha256(upload.content).hexdigest() for upload in uploads}
    return store(session, parsed=[(item, upload.name, digests[upload.name]) for item, upload in parsed],
                 period=period, actor=actor)


def store(session: Session, *, parsed: Sequence[tuple[ParsedForm, str, str]], period: str,
          actor: audit.Actor) -> list[Imported]:
    """Replace the stored figures of each (form, region) for ``period`` by the parsed ones; audited once.

    ``parsed`` holds each form with the name and SHA-256 of the file it was read from.
    """
    now = utcnow()
    done: list[Imported] = []
    for item, name, digest in parsed:
        earlier = session.scalar(select(LegalFormImport.id).where(
            LegalFormImport.form == str(item.form), LegalFormImport.region == item.region,
            LegalFormImport.period == period))
        if earlier is not None:  # replaced whole, its figures explicitly (not left to the database's cascade)
            session.execute(delete(LegalFigure).where(LegalFigure.import_id == earlier))
            session.execute(delete(LegalFormImport).where(LegalFormImport.id == earlier))
        replaced = earlier is not None
        row = LegalFormImport(form=str(item.form), region=item.region, period=period, source_name=name[-200:],
                              source_sha256=digest, imported_by=actor.ref, imported_at=now)
        session.add(row)
        session.flush()
        session.add_all([LegalFigure(import_id=row.id, subject=f.subject, measure=f.measure, value=f.value,
                                     cell=f.cell) for f in item.figures])
        done.append(Imported(form=str(item.form), region=item.region, period=period, figures=len(item.figures),
                             replaced=replaced, source_name=name))
    session.flush()
    audit.record(session, action=LegalStatsAction.IMPORT, actor=actor, target_type="legal_forms", target_id=period,
                 details={"period": period, "files": sorted({name for _, name, _ in parsed}), "forms": [
                     {"form": d.form, "region": d.region, "figures": d.figures, "replaced": d.replaced}
                     for d in done]})
    return done


@dataclass(frozen=True)
class Available:
    """A form and period with figures, and which regions have them."""

    form: str
    period: str
    regions: tuple[str, ...]


def available(session: Session) -> list[Available]:
    """Every (form, period) stored, newest period first, with its regions in the regions' order."""
    rows = session.execute(select(LegalFormImport.form, LegalFormImport.period, LegalFormImport.region)).all()
    grouped: dict[tuple[str, str], set[str]] = defaultdict(set)
    for form, period, code in rows:
        grouped[(form, period)].add(code)
    order = [r.code for r in REGIONS]
    return [Available(form=form, period=period, regions=tuple(c for c in order if c in codes))
            for (form, period), codes in sorted(grouped.items(), key=lambda kv: (kv[0][1], kv[0][0]), reverse=True)]


@dataclass(frozen=True)
class RegionFigures:
    """One region's (or the national total's) figures of a form and period: {subject: {measure: value}}."""

    region: str
    values: dict[str, dict[str, int]]
    cells: dict[str, dict[str, str]]  # where each was read; empty for the national total (a computed sum)
    source_name: str | None


def figures(session: Session, *, form: str, period: str, region: str | None = None) -> list[RegionFigures]:
    """The figures of ``form`` for ``period`` by region, then the national total (the sum of all 20 regions).

    The national total is given only when all 20 regions are stored: a sum of some would pass for the country.
    """
    query = select(LegalFormImport).where(LegalFormImport.form == form, LegalFormImport.period == period)
    if region is not None and region != NATIONAL:
        query = query.where(LegalFormImport.region == region)
    imports = {row.region: row for row in session.scalars(query)}
    if not imports:
        raise NotFound("legalstats.not_found", params={"form": form, "period": period})
    result: list[RegionFigures] = []
    for code in (r.code for r in REGIONS):
        row = imports.get(code)
        if row is None:
            continue
        values: dict[str, dict[str, int]] = defaultdict(dict)
        cells: dict[str, dict[str, str]] = defaultdict(dict)
        for figure in row.figures:
            values[figure.subject][figure.measure] = figure.value
            cells[figure.subject][figure.measure] = figure.cell
        result.append(RegionFigures(region=code, values=dict(values), cells=dict(cells), source_name=row.source_name))
    if region in (None, NATIONAL) and len(result) == len(REGIONS):
        result.append(national(result))
    if region == NATIONAL:
        result = [r for r in result if r.region == NATIONAL]
        if not result:
            raise NotFound("legalstats.national_incomplete", params={"form": form, "period": period})
    return result


def national(regions: Sequence[RegionFigures]) -> RegionFigures:
    """The national total: each figure summed over the regions (a figure some region lacks is left out)."""
    keys = set.intersection(*({(s, m) for s, measures in r.values.items() for m in measures} for r in regions))
    values: dict[str, dict[str, int]] = defaultdict(dict)
    for subject, measure in sorted(keys):
        values[subject][measure] = sum(r.values[subject][measure] for r in regions)
    return RegionFigures(region=NATIONAL, values=dict(values), cells={}, source_name=None)


def region_inputs(found: RegionFigures, subject: str = "crimes") -> ClearanceInputs | None:
    """The clearance inputs of a region's subject (None when the form lacks the figures)."""
    values = found.values.get(subject)
    if not values or "registered" not in values or "interrupted" not in values:
        return None
    if "sent_to_court" in values:  # 1-М splits "окончены" into its parts
        return ClearanceInputs(
            registered=values["registered"], sent_to_court=values["sent_to_court"],
            terminated_non_rehabilitating=values["terminated_non_rehabilitating"],
            terminated_rehabilitating=values.get("terminated_rehabilitating", 0), interrupted=values["interrupted"],
            carried_over=values.get("in_production", values["registered"]) - values["registered"],
            interrupted_unidentified=values.get("interrupted_unidentified"))
    return ClearanceInputs.printed(registered=values["registered"], completed=values["completed"],
                                   interrupted=values["interrupted"])


@dataclass(frozen=True)
class RegionClearance:
    """A region's clearance inputs and its value under every reading (None where the form cannot give it)."""

    region: str
    inputs: ClearanceInputs
    values: dict[str, float | None]


def clearance_table(session: Session, *, form: str, period: str, subject: str = "crimes") -> list[RegionClearance]:
    """Clearance of every stored region (and the national total) under every reading."""
    table: list[RegionClearance] = []
    for found in figures(session, form=form, period=period):
        inputs = region_inputs(found, subject)
        if inputs is None:
            continue
        table.append(RegionClearance(region=found.region, inputs=inputs,
                                     values={code: reading.value(inputs) for code, reading in READINGS.items()}))
    return table


@dataclass(frozen=True)
class RegionRate:
    """A figure of a region per 10,000 residents (population of the same period, stat.gov.kz on 1 January)."""

    region: str
    value: int
    residents: int
    per_10000: float


def rates(session: Session, *, form: str, period: str, subject: str = "crimes",
          measure: str = "registered") -> list[RegionRate]:
    """``subject``/``measure`` of ``form`` per 10,000 residents, for each region with both figures (and the total).

    The population is the one imported for the same period; a region without it is left out, not guessed.
    """
    residents = {f.region: f.values.get("population", {}).get("residents")
                 for f in figures(session, form="population", period=period)}
    result: list[RegionRate] = []
    for found in figures(session, form=form, period=period):
        value = found.values.get(subject, {}).get(measure)
        people = residents.get(found.region)
        if value is None or not people:
            continue
        result.append(RegionRate(region=found.region, value=value, residents=people,
                                 per_10000=10_000 * value / people))
    return result
