"""Audit vocabulary."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


class Action(StrEnum):
    LOGIN = "auth.login"
    LOGOUT = "auth.logout"
    PASSWORD_CHANGE = "auth.password_change"
    TOKEN_CREATE = "auth.token_create"
    TOKEN_REVOKE = "auth.token_revoke"
    USER_CREATE = "users.create"
    USER_UPDATE = "users.update"
    USER_ROLE_CHANGE = "users.role_change"
    USER_PASSWORD_RESET = "users.password_reset"
    USER_UNLOCK = "users.unlock"
    PERMISSION_DENIED = "auth.permission_denied"
    KEYS_ROTATE = "keys.rotate"
    AUDIT_VERIFY = "audit.verify"
    AUDIT_EXPORT = "audit.export"
