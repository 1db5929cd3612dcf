"""The demo's reference figures: the 2023 forms as extracted from the published files, committed in the repo.

`data/forms-2023.json` holds every figure the importer reads from the published СНГ-1 (20 regions), 1-М (four)
and population files (see `data/SOURCES.md`; ODC PDDL), each with the cell it came from, so a fresh clone shows
the same reference figures without the raw files. `qorgau legalstats import` of those files stores the same.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.legalstats import service
from qorgau.legalstats.forms import Figure, Form, ParsedForm
from qorgau.legalstats.models import LegalFormImport

SEED_FILE = "forms-2023.json"


def load() -> tuple[str, list[ParsedForm], str]:
    """(period, the forms, the file's SHA-256) of the committed extract."""
    raw = resources.files("qorgau.legalstats").joinpath(f"data/{SEED_FILE}").read_bytes()
    data = json.loads(raw)
    parsed = [ParsedForm(form=Form(form), region=region,
                         figures=tuple(Figure(subject, measure, value, cell) for subject, measure, value, cell in rows))
              for form, regions in data["forms"].items() for region, rows in regions.items()]
    return str(data["period"]), parsed, hashlib.sha256(raw).hexdigest()


def dump(period: str, parsed: list[ParsedForm], source: str) -> str:
    """The extract as the committed JSON (one region's figures a line, so a diff shows what changed)."""
    forms: dict[str, dict[str, list[list[object]]]] = {}
    for item in parsed:
        forms.setdefault(str(item.form), {})[item.region] = [
            [f.subject, f.measure, f.value, f.cell] for f in item.figures]
    lines = ['{"period": ' + json.dumps(period) + ', "source": ' + json.dumps(source, ensure_ascii=False)
             + ', "forms": {']
    form_blocks = []
    for form, regions in forms.items():
        body = ",\n".join(f"  {json.dumps(region)}: {json.dumps(rows, ensure_ascii=False)}"
                          for region, rows in regions.items())
        form_blocks.append(f" {json.dumps(form)}: {{\n{body}\n }}")
    return "\n".join(lines) + "\n" + ",\n".join(form_blocks) + "\n}}\n"


def seed(session: Session, *, actor: audit.Actor) -> int:
    """Store the committed 2023 figures unless that period already has forms; the number of forms stored."""
    period, parsed, digest = load()
    if session.scalar(select(LegalFormImport.id).where(LegalFormImport.period == period).limit(1)) is not None:
        return 0
    done = service.store(session, parsed=[(item, SEED_FILE, digest) for item in parsed], period=period, actor=actor)
    return len(done)
