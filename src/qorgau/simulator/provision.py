"""Getting a server ready to be simulated, over its API as an installer would: panel keys, crew accounts, and
in load mode the extra panels; then a crew member's session per unit."""

from __future__ import annotations

import secrets
from collections.abc import AsyncGenerator

from qorgau.simulator.api import Api
from qorgau.simulator.world import Device, Unit, World

ENCRYPT_EVERY = 3  # one panel in three talks AES-128, as the newer communicators do
LOAD_RECEIVER, LOAD_LINE, LOAD_FIRST_ACCOUNT = "1", "2", 100_000


def crew_username(unit: Unit) -> str:
    return f"sim-{unit.code.lower()}"


async def panel_keys(api: Api, panels: tuple[Device, ...]) -> dict[str, bytes]:
    """A fresh AES-128 key for every third panel, stored in the registry (encrypted at rest there)."""
    keys: dict[str, bytes] = {}
    for index, panel in enumerate(panels):
        if index % ENCRYPT_EVERY == ENCRYPT_EVERY - 1:
            key = secrets.token_bytes(16)
            await api.patch(f"/api/devices/{panel.code}", {"dc09_key": key.hex()})
            keys[panel.code] = key
        elif panel.encrypted:  # left over from an earlier run: back to plain text
            await api.patch(f"/api/devices/{panel.code}", {"dc09_key": None})
    return keys


async def crews(api: Api, units: tuple[Unit, ...], base_url: str) -> AsyncGenerator[tuple[str, Api]]:
    """A signed-in session of a crew member for each unit (accounts made or re-keyed as needed), yielded as each is
    ready: every account costs the server two password hashes, so on a busy machine the last crew is signed in a
    minute after the first, and the first unit need not stand still that long. The caller owns what it was given;
    the session being made when the run stops is closed here."""
    existing = {u["username"]: u for u in await api.all("/api/users")}
    for unit in units:
        username, password = crew_username(unit), secrets.token_urlsafe(18)
        user = existing.get(username)
        if user is None:
            user = await api.post("/api/users", {"username": username, "display_name": f"Экипаж {unit.name}",
                                                 "role": "patrol", "password": password})
        else:
            await api.post(f"/api/users/{user['id']}/password", {"password": password})
        if user["id"] not in unit.members:
            await api.patch(f"/api/units/{unit.code}", {"members": [*unit.members, user["id"]]})
        crew = Api(base_url)
        try:
            await crew.login(username, password)
        except BaseException:
            await crew.close()
            raise
        yield unit.code, crew


async def load_panels(api: Api, world: World, scale: int) -> int:
    """Load mode: (scale − 1) more panels per simulated panel, registered as simulated; returns how many."""
    wanted = (scale - 1) * len(world.panels)
    if wanted <= 0:
        return 0
    have = {d["code"] for d in await api.all("/api/devices", kind="alarm_panel", q="SIM-PNL-")}
    rows = []
    for i in range(wanted):
        code = f"SIM-PNL-{i + 1:05d}"
        if code in have:
            continue
        twin = world.panels[i % len(world.panels)]
        rows.append(_panel_row(code, twin, LOAD_FIRST_ACCOUNT + i))
    if rows:
        header = "code,kind,name_kk,name_ru,site_code,lon,lat,lifecycle,simulated,dc09_receiver,dc09_line,dc09_account"
        body = "\n".join([header, *rows]) + "\n"
        await api.upload("/api/devices/import", body.encode(), "text/csv")
    return wanted


def _panel_row(code: str, twin: Device, account: int) -> str:
    return (f"{code},alarm_panel,Жүктеме {code},Нагрузка {code},{twin.site_code or ''},{twin.lon:.6f},{twin.lat:.6f},"
            f"commissioned,true,{LOAD_RECEIVER},{LOAD_LINE},{account:X}")

