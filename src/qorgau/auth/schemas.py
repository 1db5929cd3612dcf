"""Request and response models of the auth domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from qorgau.auth.enums import Permission, Role
from qorgau.core.settings import Language

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    locale: Language | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class Me(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    permissions: list[Permission]
    locale: Language | None


class SessionRead(BaseModel):
    user: Me
    csrf_token: str = Field(description="Send as X-CSRF-Token on every state-changing request.")


class UserCreate(Strict):
    username: str = Field(pattern=USERNAME_PATTERN, description="Lower-case login name.")
    display_name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=1, max_length=1024)
    locale: Language | None = None

    @field_validator("username", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        """Sign-in ignores case, so names are stored lower-cased rather than refused."""
        return value.strip().lower() if isinstance(value, str) else value


class UserUpdate(Strict):
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = None
    locale: Language | None = None  # null: back to the installation's default language
    is_active: bool | None = None

    @field_validator("display_name", "role", "is_active")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        """Leave a field out to keep it; an explicit null would corrupt the row (only locale may be null)."""
        if value is None:
            raise ValueError("may not be null; leave the field out to keep its value")
        return value


class PasswordReset(Strict):
    password: str = Field(min_length=1, max_length=1024)


class PasswordChange(Strict):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class TokenCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Permission] = Field(min_length=1, description="A subset of your own permissions.")
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    token: str = Field(description="Shown once; store it now.")


class RoleRead(BaseModel):
    role: Role
    permissions: list[Permission]
