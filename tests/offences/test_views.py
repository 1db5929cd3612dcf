"""The registry over HTTP: who may read and write, upload of an extract, drill-down filters and pages, hand
entry and edit, drafts reconciled, the article list edited with its records following."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from qorgau.core.db import Database
from qorgau.offences.seeding import generate_registry
from tests.conftest import CLI_ACTOR, login, make_user
from tests.incidents.conftest import ok, problem
from tests.offences.conftest import AKSAI, OUTSIDE

EXTRACT = ("Номер ЕРДР;Дата регистрации;Статья;Решение;Долгота;Широта\n"
           f"241127030000001;05.03.2024;ст.188 ч.1 УК;прервано;{AKSAI[0]};{AKSAI[1]}\n"
           "241127030000002;06.03.2024;ст.190 ч.2 УК;направлено в суд;;\n"
           "241127030000003;07.03.2024;КоАП 434;;;\n")


@pytest.mark.timeout(90)
def test_registry_over_http(client: TestClient, app_db: Database) -> None:
    for name, role in (("ana", "analyst"), ("boss", "supervisor"), ("op", "operator")):
        make_user(app_db, name, role)
    with app_db.unit_of_work() as session:  # generated records exist but stay out of lists unless asked for
        generate_registry(session, years=range(2024, 2025), today=date(2026, 12, 7), actor=CLI_ACTOR)

    login(client, "op")
    problem(client.get("/api/offences"), 403, "auth.forbidden")

    login(client, "boss")
    assert ok(client.get("/api/offences"))["items"] == []
    problem(client.post("/api/offences/import", files={"file": ("x.csv", EXTRACT.encode())}), 403, "auth.forbidden")

    login(client, "ana")
    bad = EXTRACT + f"241127030000004;08.03.2024;188-1;;{OUTSIDE[0]};{OUTSIDE[1]}\n"
    body = problem(client.post("/api/offences/import", files={"file": ("bad.csv", bad.encode())}), 422,
                   "offences.invalid")
    assert [(e["line"], e["code"]) for e in body["errors"]] == [("5", "offences.outside_area")]
    assert ok(client.get("/api/offences"))["items"] == []  # nothing half-saved
    report = ok(client.post("/api/offences/import", files={"file": ("march.csv", EXTRACT.encode())}))
    assert (report["created"], report["updated"], report["lines"]) == (3, 0, 3)

    page = ok(client.get("/api/offences", params={"limit": 2}))
    assert [r["reg_number"] for r in page["items"]] == ["241127030000003", "241127030000002"]
    rest = ok(client.get("/api/offences", params={"limit": 2, "cursor": page["next_cursor"]}))
    assert [r["reg_number"] for r in rest["items"]] == ["241127030000001"] and rest["next_cursor"] is None
    theft = rest["items"][0]
    assert theft["settlement"] == "Ақсай" and theft["district_id"] and "caller" not in str(theft)
    crimes = ok(client.get("/api/offences", params={"offence_class": "crime", "article_group": "fraud"}))["items"]
    assert [r["reg_number"] for r in crimes] == ["241127030000002"]
    generated = ok(client.get("/api/offences", params={"source": "generated", "limit": 500,
                                                       "date_from": "2024-03-01", "date_to": "2024-03-31"}))
    assert generated["items"] and all(r["source"] == "generated" and r["registered_on"].startswith("2024-03")
                                      for r in generated["items"])
    problem(client.get("/api/offences", params={"cursor": "bm9wZQ"}), 400, "request.bad_cursor")

    draft = ok(client.post("/api/offences", json={"registered_on": "2024-03-09", "article_code": "UK-191-1",
                                                  "lon": AKSAI[0], "lat": AKSAI[1], "place_type": "street"}), 201)
    assert draft["draft"] and draft["reg_number"] is None and draft["source"] == "qorgau"
    body = problem(client.post("/api/offences", json={"registered_on": "2031-01-01", "article_code": "UK-1"}),
                   422, "offences.invalid")
    assert {e["code"] for e in body["errors"]} == {"offences.unknown_article", "offences.impossible_date"}
    problem(client.post("/api/offences", json={"reg_number": "241127030000001", "registered_on": "2024-03-09",
                                               "article_code": "UK-191-1"}), 409, "offences.reg_number_taken")
    record = ok(client.post(f"/api/offences/{draft['id']}/reconcile", json={"reg_number": "241127030000009"}))
    assert (record["id"], record["draft"], record["reg_number"]) == (draft["id"], False, "241127030000009")
    problem(client.post(f"/api/offences/{draft['id']}/reconcile", json={"reg_number": "x"}), 409,
            "offences.not_a_draft")
    edited = ok(client.put(f"/api/offences/{draft['id']}", json={
        "reg_number": "241127030000009", "registered_on": "2024-03-09", "article_code": "UK-191-2",
        "status": "sent_to_court", "status_on": "2024-04-01", "persons_identified": 2}))
    assert (edited["severity"], edited["status"], edited["persons_identified"]) == ("grave", "sent_to_court", 2)
    problem(client.get("/api/offences/999999"), 404, "offences.not_found")

    articles = ok(client.get("/api/offences/articles"))
    assert {"UK-188-1", "UK-190-2", "KoAP-434"} <= {a["code"] for a in articles}
    changed = ok(client.patch("/api/offences/articles/UK-188-1", json={"severity": "medium"}))
    assert changed["severity"] == "medium"
    assert ok(client.get(f"/api/offences/{theft['id']}"))["severity"] == "medium"  # the copy follows
    problem(client.patch("/api/offences/articles/UK-1", json={"severity": "medium"}), 404,
            "offences.article_not_found")
