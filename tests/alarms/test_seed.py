"""The defaults for Aksai: installed with the database, and install_defaults adds only what is missing."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from qorgau.alarms.models import AlarmRule, Procedure, ProcedureStep
from qorgau.alarms.seed import PROCEDURES, RULES, STEPS, install_defaults
from qorgau.core.db import Database


def _counts(db: Database) -> tuple[int, int, int]:
    with db.reading() as session:
        return (session.scalar(select(func.count()).select_from(Procedure)) or 0,
                session.scalar(select(func.count()).select_from(ProcedureStep)) or 0,
                session.scalar(select(func.count()).select_from(AlarmRule)) or 0)


def test_the_migration_installs_the_defaults_and_installing_again_changes_nothing(db: Database) -> None:
    steps = sum(len(p.steps) for p in PROCEDURES)
    assert _counts(db) == (len(PROCEDURES), steps, len(RULES))
    with db.unit_of_work() as session:
        assert install_defaults(session) == (0, 0)
    assert _counts(db) == (len(PROCEDURES), steps, len(RULES))


def test_missing_defaults_come_back_and_edited_ones_stay(db: Database) -> None:
    with db.unit_of_work() as session:
        session.execute(delete(AlarmRule).where(AlarmRule.code == "tamper"))
        session.scalars(select(AlarmRule).where(AlarmRule.code == "sos_press")).one().priority = 2
    with db.unit_of_work() as session:
        assert install_defaults(session) == (0, 1)
    with db.reading() as session:
        assert session.scalars(select(AlarmRule.priority).where(AlarmRule.code == "sos_press")).one() == 2
        assert session.scalars(select(AlarmRule.priority).where(AlarmRule.code == "tamper")).one() == 40


def test_every_procedure_step_has_words_in_three_languages() -> None:
    used = {key for p in PROCEDURES for key in p.steps}
    assert used == set(STEPS)
    assert all(text.kk and text.ru and text.en for text in STEPS.values())
    assert {r.procedure for r in RULES} <= {p.code for p in PROCEDURES}
    assert {r.code for r in RULES if r.priority <= 20} >= {"school_panic", "school_duress", "sos_press", "door_forced"}
