"""The effective settings for the administration screen: read-only, secrets redacted.

Every setting is read once when a process starts (the server, the ingest writer, the video workers each hold
their own copy), and several size what a process builds at start (ports, pools, workers, graphs). Changing one in
the database while processes run would leave them disagreeing, so the screen shows the values with where they
come from and says how to change them: in the environment or the configuration file, then a restart.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from qorgau.auth.deps import Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.settings import CONFIG_FILE_ENV, ENV_PREFIX, redacted
from qorgau.core.web import AppRuntime
from qorgau.settings import PARTS, Settings, owner

router = APIRouter(prefix="/api", tags=["settings"])


class SettingRead(BaseModel):
    name: str
    section: str = Field(description="The part of the program that owns the setting.")
    env: str = Field(description="The environment variable that sets it.")
    title: str | None
    description: str | None
    value: Any = Field(description="The effective value; a secret shows as ******** when set.")
    default: bool = Field(description="Whether the value is the default.")


class SettingsRead(BaseModel):
    run_time_changes: bool = Field(description="Whether any setting can change without a restart (none today).")
    config_file_env: str
    items: list[SettingRead]


@router.get("/settings", response_model=SettingsRead)
def effective_settings(_: Annotated[Principal, Require(Permission.SETTINGS_READ)],
                       runtime: AppRuntime) -> SettingsRead:
    """Every setting of this server with its effective value (secrets redacted), read-only."""
    values = redacted(runtime.settings)
    fields = Settings.model_fields
    order = {part: index for index, part in enumerate(PARTS)}
    names = sorted((n for n in values if n in fields), key=lambda n: order.get(owner(n), len(order)))
    items = [SettingRead(name=name, section=owner(name).section, env=f"{ENV_PREFIX}{name.upper()}",
                         title=fields[name].title, description=fields[name].description, value=values[name],
                         default=getattr(runtime.settings, name) == fields[name].get_default(
                             call_default_factory=True))
             for name in names]
    return SettingsRead(run_time_changes=False, config_file_env=CONFIG_FILE_ENV, items=items)
