"""Storing the generated registry: bulk insert (COPY on PostgreSQL), the Aksai seed, replacing a generated set."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.offences import generate
from qorgau.offences.enums import OffenceAction, RecordSource
from qorgau.offences.models import Offence
from qorgau.offences.service import local_today

COLUMNS = ("reg_number", "kind", "registered_on", "committed_at", "article_code", "offence_class", "severity",
           "article_group", "status", "termination_ground", "status_on", "persons_identified", "lon", "lat",
           "settlement", "district_id", "place_type", "incident_id", "call_ref", "source", "draft", "created_at",
           "updated_at", "updated_by")


def _copy(session: Session, rows: list[dict[str, object]]) -> None:
    """PostgreSQL's COPY: several times faster than batched INSERTs for the benchmark's millions."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if row[c] is None else str(row[c]).replace("\t", " ") for c in COLUMNS))
        buffer.write("\n")
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY offences ({', '.join(COLUMNS)}) FROM STDIN") as copy:  # type: ignore[union-attr]
        copy.write(buffer.getvalue())


def generate_registry(session: Session, *, years: range, seed: int = generate.DEFAULT_SEED,
                      today: date | None = None, records: int | None = None,
                      actor: audit.Actor) -> Counter[int]:
    """Replace the generated records by a fresh draw; returns the records stored per year."""
    session.execute(delete(Offence).where(Offence.source == RecordSource.GENERATED))
    postgres = session.get_bind().dialect.name == "postgresql"
    per_year: Counter[int] = Counter()
    for rows in generate.draw(session, years=years, seed=seed, today=today, records=records):
        if not rows:
            continue
        if postgres:
            _copy(session, rows)
        else:
            session.execute(insert(Offence), rows)
        per_year.update(row["registered_on"].year for row in rows)  # type: ignore[attr-defined]
    audit.record(session, action=OffenceAction.GENERATE, actor=actor, target_type="offences",
                 target_id="generated", details={"years": f"{years.start}-{years.stop - 1}", "seed": seed,
                                                 "records": sum(per_year.values())})
    return per_year


def seed_aksai(session: Session, *, actor: audit.Actor, today: date | None = None) -> int:
    """The default generated registry (2021 to this year) unless generated records exist; returns how many."""
    if session.scalar(select(func.count()).select_from(Offence).where(
            Offence.source == RecordSource.GENERATED)):
        return 0
    this_year = (today or local_today()).year
    return sum(generate_registry(session, years=range(this_year - 5, this_year + 1), today=today,
                                 actor=actor).values())
