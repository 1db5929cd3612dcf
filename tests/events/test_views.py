"""The live event stream over WebSocket and the event list."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.conftest import login, make_user


def _next_event(ws: Any, name: str) -> dict[str, Any]:
    for _ in range(50):
        message = json.loads(ws.receive_text())
        if message["type"] == "event" and message["event"]["name"] == name:
            return message["event"]  # type: ignore[no-any-return]
    raise AssertionError(f"no {name} event")


def test_live_stream_pushes_committed_events(admin_client: TestClient) -> None:
    with admin_client.websocket_connect("/api/events/ws") as ws:
        hello = json.loads(ws.receive_text())
        assert hello["type"] == "hello"
        created = admin_client.post("/api/users", json={"username": "op1", "display_name": "Op", "role": "operator",
                                                        "password": "long-enough-pass"})
        assert created.status_code == 201
        event = _next_event(ws, "auth.user_created")
    assert event["subject_type"] == "user" and event["subject_id"] == str(created.json()["id"])
    assert event["payload"]["role"] == "operator"
    assert event["context"]["actor"].startswith("user:")


def test_live_stream_narrowed_to_name_prefixes(admin_client: TestClient) -> None:
    with admin_client.websocket_connect("/api/events/ws?events=audit.,auth.user_") as ws:
        assert json.loads(ws.receive_text())["type"] == "hello"
        for name in ("op2", "op3"):
            assert admin_client.post("/api/users", json={"username": name, "display_name": "Op", "role": "operator",
                                                         "password": "long-enough-pass"}).status_code == 201
        names = [json.loads(ws.receive_text())["event"]["name"] for _ in range(2)]
    assert names == ["auth.user_created", "auth.user_created"]  # other events of the same requests left out


def test_event_list_pages_newest_first(admin_client: TestClient) -> None:
    for n in range(3):
        admin_client.post("/api/users", json={"username": f"u{n}", "display_name": "U", "role": "analyst",
                                              "password": "long-enough-pass"})
    first = admin_client.get("/api/events", params={"limit": 2, "name": "auth.user_created"}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = admin_client.get("/api/events", params={"limit": 2, "name": "auth.user_created",
                                                   "cursor": first["next_cursor"]}).json()
    seqs = [e["seq"] for e in first["items"] + rest["items"]]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) == 4  # admin fixture + 3


def test_stream_refuses_anonymous_and_cross_site(client: TestClient, app_db: Any) -> None:
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/api/events/ws") as ws:
        ws.receive_text()
    make_user(app_db, "viewer", "analyst")
    login(client, "viewer")
    with pytest.raises(WebSocketDisconnect), client.websocket_connect(
        "/api/events/ws", headers={"origin": "http://evil.example"}
    ) as ws:
        ws.receive_text()


def test_event_list_rejects_a_foreign_cursor(admin_client: TestClient) -> None:
    from qorgau.core.pagination import encode_cursor

    response = admin_client.get("/api/events", params={"cursor": encode_cursor("not-a-seq")})
    assert response.status_code == 400
    assert response.json()["code"] == "request.bad_cursor"


def test_a_burst_comes_as_batch_frames_when_asked(admin_client: TestClient) -> None:
    rows = ["code,kind,purpose,name_kk,name_ru,lon,lat,lifecycle"] + [
        f"CAM-B{n:03d},camera,public_space,Камера {n},Камера {n},{53.0 + n * 1e-4:.4f},51.17,commissioned"
        for n in range(30)]
    with admin_client.websocket_connect("/api/events/ws?events=devices.registered&batch=1") as ws:
        assert json.loads(ws.receive_text())["type"] == "hello"
        imported = admin_client.post("/api/devices/import", content="\n".join(rows) + "\n",
                                     headers={"Content-Type": "text/csv"})
        assert imported.status_code == 200, imported.text
        frames: list[str] = []
        codes: list[str] = []
        while len(codes) < 30:
            frame = json.loads(ws.receive_text())
            frames.append(frame["type"])
            messages = frame["messages"] if frame["type"] == "batch" else [frame]
            codes += [m["event"]["subject_id"] for m in messages if m["type"] == "event"]
    assert codes == [f"CAM-B{n:03d}" for n in range(30)]  # in commit order, each once
    assert "batch" in frames and len(frames) < 30
