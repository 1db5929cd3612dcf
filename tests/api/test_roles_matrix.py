"""The role × route matrix: every role gets exactly what the permission table grants, on every guarded route.

The table (``qorgau.auth.enums.ROLE_PERMISSIONS``) is the single source of truth: for each role and each HTTP route
guarded by ``Require(permission)``, a signed-in user of that role is refused by the guard (403 ``auth.forbidden``)
exactly when the role lacks the permission. Other answers — 404 for the placeholder ids, 422 for the empty bodies, or
a scope rule's own 403 (the simulator's ``auth.simulated_only``, a crew's ``units.own_unit_only``) — mean the guard
let the request through. The README's role list is generated from the same table (``qorgau user roles``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from qorgau.api.guards import required_permissions
from qorgau.auth.enums import ROLE_PERMISSIONS, Role
from qorgau.auth.roles_doc import ROLES_BEGIN, ROLES_END, with_roles
from qorgau.cli import app as cli
from qorgau.core.db import Database
from tests.conftest import login, make_user

PLACEHOLDER = re.compile(r"\{([^}:]+)(:[^}]+)?\}")


def _path(template: str) -> str:
    """The route's path with its parameters filled: ids as 999999 (unknown: 404), codes and names as unknown ones."""
    return PLACEHOLDER.sub(lambda m: "999999" if m.group(1).endswith("id") else "nope-0", template)


def _request(client: TestClient, method: str, path: str) -> Any:
    if method in ("GET", "HEAD", "DELETE"):
        return client.request(method, path)
    return client.request(method, path, json={}, headers={"content-type": "application/json"})


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_what_the_permission_table_grants(client: TestClient, app_db: Database,
                                                                 role: Role) -> None:
    routes = required_permissions(client.app)  # type: ignore[arg-type]
    assert len(routes) > 50  # every domain's routes are mounted
    make_user(app_db, f"user-{role}", str(role))
    login(client, f"user-{role}")
    granted = ROLE_PERMISSIONS[role]
    wrong = []
    for method, template, permission in routes:
        response = _request(client, method, _path(template))
        assert response.status_code != 401, (method, template, response.text)
        refused = response.status_code == 403 and response.json().get("code") == "auth.forbidden"
        if refused == (permission in granted):
            wrong.append(f"{method} {template} ({permission}): {response.status_code} {response.text[:120]}")
    assert wrong == [], f"{role}: " + "\n".join(wrong)


def test_the_readme_role_list_is_generated_from_the_permission_table() -> None:
    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert with_roles(text) == text, "README.md's role list is out of date: run `qorgau user roles`"
    for role, granted in ROLE_PERMISSIONS.items():
        assert f"| `{role}` |" in text and all(f"`{p}`" in text for p in granted)


def test_qorgau_user_roles_writes_the_list_and_check_fails_when_it_is_stale(tmp_path: Path) -> None:
    stale = tmp_path / "README.md"
    stale.write_text(f"# Roles\n\n{ROLES_BEGIN}\n| `admin` | old |\n{ROLES_END}\n", encoding="utf-8")
    runner = CliRunner()
    checked = runner.invoke(cli, ["user", "roles", "--readme", str(stale), "--check"])
    assert checked.exit_code == 1 and "out of date" in checked.output
    assert runner.invoke(cli, ["user", "roles", "--readme", str(stale)]).exit_code == 0
    assert stale.read_text(encoding="utf-8") == with_roles(stale.read_text(encoding="utf-8"))
    assert runner.invoke(cli, ["user", "roles", "--readme", str(stale), "--check"]).exit_code == 0
