"""Property-based tests of the whole HTTP API from its own OpenAPI document (Schemathesis).

Every operation gets a bounded number of generated requests, as an admin and as a low-privilege crew member (bearer
tokens holding each role's permissions), on SQLite and on PostgreSQL: no answer may be a server error, and every
answer must match the schema the document declares for it. The WebSocket route is not in the document.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import update

from qorgau.auth import service as auth_service
from qorgau.auth.enums import permissions_of
from qorgau.auth.models import User
from qorgau.auth.schemas import TokenCreate
from qorgau.core.db import Database
from qorgau.settings import Settings
from tests.conftest import CLI_ACTOR, copied_database, make_user
from tests.web.test_api_types import build_openapi

ROLES = ("admin", "patrol")  # everything, and the least: a crew member's unit app
EXAMPLES = 5  # per operation, role and database: bounds the run (about 90 operations)
CHECKS = [not_a_server_error, response_schema_conformance]

with tempfile.TemporaryDirectory() as _scratch:
    schema = schemathesis.openapi.from_dict(build_openapi(Path(_scratch)))


@dataclass
class Api:
    """A started app on a database of one kind, and the users the generated requests act as."""

    client: TestClient
    db: Database
    user_ids: dict[str, int]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One app per database kind for the module: starting one per generated request would dominate the run."""
    from qorgau.runtime.server import create_app

    template = request.getfixturevalue("sqlite_template" if request.param == "sqlite" else "pg_template")
    tmp_path = tmp_path_factory.mktemp(f"schemathesis-{request.param}")
    with copied_database(template, tmp_path) as url:
        app_settings = Settings(data_dir=tmp_path / "var", database_url=url, log_json=False,
                                event_poll_interval_s=1.0, web_dist=tmp_path / "no-web", ingest_in_serve=False)
        app = create_app(app_settings)
        with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
            db: Database = app.state.runtime.db
            yield Api(client=client, db=db, user_ids={role: make_user(db, f"st_{role}", role) for role in ROLES})


def _token(api: Api, role: str) -> str:
    """A fresh token for the role's user, the account restored first: an earlier generated request may have
    deactivated it, changed its role or revoked its token (the API lets an admin do all three)."""
    user_id = api.user_ids[role]
    with api.db.unit_of_work() as session:
        session.execute(update(User).where(User.id == user_id).values(is_active=True, role=role))
        secret, _ = auth_service.create_token(
            session, user_id=user_id, actor=CLI_ACTOR,
            token_in=TokenCreate(name="schemathesis", scopes=sorted(permissions_of(role))))
    return secret


def _part(value: Any) -> Any:
    """A generated multipart part (filename, value[, type]) whose value is not text or bytes (a number, a list)
    becomes its JSON text: the test client can send only those, and so can any real client."""
    if not isinstance(value, tuple) or isinstance(value[1], str | bytes):
        return value
    return (value[0], json.dumps(value[1]), *value[2:])


def _send(client: TestClient, case: Any, token: str) -> Any:
    """The generated request through the app's own test client (its lifespan already started)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers={"Authorization": f"Bearer {token}"})
    content = kwargs.pop("data", None)
    kwargs.pop("cookies", None)  # the document declares no cookie parameters (sessions are not what is tested)
    if "json" in kwargs:
        return client.request(**kwargs)
    if "files" in kwargs:  # multipart (an upload route): every part's value as text or bytes, as a browser sends
        kwargs["files"] = [(name, _part(value)) for name, value in kwargs["files"]]
        return client.request(**kwargs, data=content)
    return client.request(**kwargs, content=content)


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink])
def test_no_server_error_and_responses_match_the_schema(case: Any, role: str, api: Api) -> None:
    token = _token(api, role)
    response = _send(api.client, case, token)
    case.validate_response(response, checks=CHECKS)
