"""Events of the auth domain."""

from __future__ import annotations

from pydantic import Field

from qorgau.core.bus import EventPayload, event_type


class UserChanged(EventPayload):
    user_id: int = Field(description="The user's id.")
    role: str = Field(description="Role after the change.")
    is_active: bool = Field(description="Whether the account can sign in.")
    changes: list[str] = Field(description="Names of the fields that changed.")


USER_CREATED = event_type(
    "auth.user_created", UserChanged, subject_type="user", description="An account was created."
)
USER_UPDATED = event_type(
    "auth.user_updated", UserChanged, subject_type="user",
    description="An account's role, name, state or password changed, or it was unlocked.",
)
