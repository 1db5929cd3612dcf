"""The history of closed alarms over HTTP: server-side search (codes, site names, people, notes), filters, pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qorgau.core.db import Database
from tests.alarms.conftest import alarms, panel_signal, registry, signal
from tests.conftest import login, make_user


def test_closed_alarms_are_searched_filtered_and_paged_newest_first(client: TestClient, app_db: Database) -> None:
    registry(app_db)
    for kind in ("tamper", "panic", "fire"):
        signal(app_db, panel_signal(kind))
    signal(app_db, panel_signal("panic", "PNL-02", "OBJ-02"))
    make_user(app_db, "aigerim", "operator")
    login(client, "aigerim")
    ids = [a.id for a in alarms(app_db)]
    notes = {ids[0]: "tamper switch cleaned", ids[1]: "drill", ids[2]: "smoke from a kettle"}
    for alarm_id, note in notes.items():
        assert client.post(f"/api/alarms/{alarm_id}/acknowledge").status_code == 200
        closed = client.post(f"/api/alarms/{alarm_id}/resolve", json={"resolution": "false", "note": note})
        assert closed.status_code == 200, closed.text
    history = client.get("/api/alarms/history").json()
    # The last closed first; the one still open is not history.
    assert [a["id"] for a in history["items"]] == list(reversed(list(notes))) and history["next_cursor"] is None
    first = client.get("/api/alarms/history", params={"limit": 2}).json()
    rest = client.get("/api/alarms/history", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [a["id"] for a in first["items"] + rest["items"]] == [a["id"] for a in history["items"]]

    def found(**params: str | int) -> list[int]:
        response = client.get("/api/alarms/history", params=params)
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()["items"]]

    assert found(q="KETTLE") == [ids[2]]
    assert found(q="aiger") == list(reversed(list(notes)))
    assert found(q="Школа №1") == list(reversed(list(notes)))  # the site's name, not only its code
    assert found(q="obj-02") == []
    assert found(q=str(ids[1])) == [ids[1]]
    assert found(q="100%_") == []  # wildcards are text
    assert found(kind="fire") == [ids[2]]
    assert found(max_priority=3) == [ids[2], ids[1]]
    assert found(resolution="confirmed") == []
    assert found(**{"from": "2100-01-01T00:00:00Z"}) == []
    assert client.get("/api/alarms/history", params={"cursor": "bm9wZQ"}).status_code == 400
