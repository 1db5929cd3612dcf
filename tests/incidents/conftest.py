"""Fixtures of incidents and dispatch: the seeded Aksai model, the domains mounted, and flows driven by hand.

The lead adds these domains to qorgau.domains; until then the fixture below mounts them for these tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from qorgau import domains
from qorgau.core.bus.outbox import read_after
from qorgau.core.db import Database
from tests.city.conftest import aksai_data, seeded_pg_template, seeded_sqlite_template  # noqa: F401
from tests.conftest import copied_database

OUR_MODELS = ("qorgau.incidents.models", "qorgau.units.models")
OUR_EVENTS = ("qorgau.alarms.events", "qorgau.incidents.events", "qorgau.units.events")
OUR_VIEWS = ("qorgau.incidents.views", "qorgau.units.views")
OUR_FLOWS = ("qorgau.incidents.flows", "qorgau.units.flows")


@pytest.fixture(autouse=True)
def mounted(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, ours in (("MODEL_MODULES", OUR_MODELS), ("EVENT_MODULES", OUR_EVENTS), ("VIEW_MODULES", OUR_VIEWS),
                       ("FLOW_MODULES", OUR_FLOWS)):
        have = getattr(domains, name)
        monkeypatch.setattr(domains, name, have + tuple(m for m in ours if m not in have))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of each kind holding the generated Aksai model (active)."""
    name = "seeded_sqlite_template" if request.param == "sqlite" else "seeded_pg_template"
    with copied_database(request.getfixturevalue(name), tmp_path) as url:
        yield url


Flows = Callable[[Database], int]


@pytest.fixture
def run_flows() -> Flows:
    """Deliver every event committed since the last call to our subscribers, each in its own transaction
    (what the dispatcher does after commit); returns how many deliveries were made."""
    cursor = {"seq": 0}

    def deliver(db: Database) -> int:
        subscribers = domains.subscribers()
        with db.reading() as session:
            events = read_after(session, cursor["seq"], limit=100_000)
        delivered = 0
        for event in events:
            for sub in subscribers:
                if sub.wants(event):
                    with db.unit_of_work() as session:
                        sub.handler(session, event)
                    delivered += 1
            cursor["seq"] = event.seq
        return delivered

    return deliver


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["detail"], body
    return body
