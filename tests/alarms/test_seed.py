"""The defaults for Aksai: installed with the database, and install_defaults adds only what is missing."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from qorgau.alarms.models import AlarmRule, Procedure, ProcedureStep
from qorgau.alarms.seed import PROCEDURES, RULES, STEPS, install_defaults
from qorgau.core.db import Database
from qorgau.core.migrate import downgrade, upgrade


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


def test_a_database_made_before_the_unreadable_signal_rule_gets_it_on_upgrade(db: Database) -> None:
    db.dispose()
    downgrade(db.url, "0010")  # as a database made before the rule stood
    with db.reading() as session:
        assert session.get(Procedure, "unreadable_signal") is None
        assert session.scalars(select(AlarmRule).where(AlarmRule.code == "unreadable_signal")).first() is None
    upgrade(db.url)
    with db.reading() as session:
        rule = session.scalars(select(AlarmRule).where(AlarmRule.code == "unreadable_signal")).one()
        assert (rule.event, rule.match, rule.priority, rule.procedure_code) == (
            "ingest.panel_event", {"kind": ["unknown"]}, 90, "unreadable_signal")
        assert rule.created_at.tzinfo is not None
        procedure = session.get(Procedure, "unreadable_signal")
        assert procedure is not None and [step.key for step in procedure.steps] == [
            "check_panel_settings", "call_object", "notify_maintenance"]
    assert _counts(db) == (len(PROCEDURES), sum(len(p.steps) for p in PROCEDURES), len(RULES))
