"""People as the desks name them: "Ахметова А. С. (operator)" for an actor id such as ``user:33``.

Timelines, alarms and audit entries store who acted as an id; the name is read when they are shown, so a
renamed account shows its current name. Lookups are remembered for the transaction (a page of entries names
the same few people many times).
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from qorgau.auth.models import User

USER_PREFIX = "user:"


class PersonRead(BaseModel):
    """A person behind an actor id."""

    actor: str = Field(description="The id as stored, e.g. user:33.")
    user_id: int
    name: str = Field(description="Surname and initials, e.g. Ахметова А. С.")
    role: str
    label: str = Field(description="Name and role, e.g. Ахметова А. С. (operator).")


def short_name(display_name: str) -> str:
    """Surname and initials of a full name written surname first ("Ахметова Айгерим Серикқызы" →
    "Ахметова А. С."); a single word stays as it is."""
    first, *rest = display_name.split() or [""]
    return " ".join([first, *(f"{word[0]}." for word in rest if word[0].isalpha())])


def user_id_of(actor: str | None) -> int | None:
    """33 for ``user:33``; None for a unit, the system or anything else."""
    if not actor or not actor.startswith(USER_PREFIX) or not actor[len(USER_PREFIX):].isdigit():
        return None
    return int(actor[len(USER_PREFIX):])


def people(session: Session, user_ids: Iterable[int | None]) -> dict[int, PersonRead]:
    """The accounts with these ids (ids of deleted accounts are left out)."""
    memo: dict[int, PersonRead | None] = session.info.setdefault("auth.people", {})
    wanted = {i for i in user_ids if i is not None}
    missing = wanted - memo.keys()
    if missing:
        rows = session.execute(select(User.id, User.display_name, User.username, User.role)
                               .where(User.id.in_(sorted(missing))))
        for user_id, display_name, username, role in rows:
            name = short_name(display_name or username)
            memo[user_id] = PersonRead(actor=f"{USER_PREFIX}{user_id}", user_id=user_id, name=name, role=role,
                                       label=f"{name} ({role})")
        for user_id in missing - memo.keys():
            memo[user_id] = None
    return {i: person for i in wanted if (person := memo[i]) is not None}


def by_actor(session: Session, actors: Iterable[str | None]) -> dict[str, PersonRead]:
    """Actor id → person, for the actors that are user accounts."""
    found = people(session, (user_id_of(a) for a in actors))
    return {person.actor: person for person in found.values()}


def label(session: Session, user_id: int | None) -> str | None:
    """"Name (role)" of an account, or None."""
    person = people(session, [user_id]).get(user_id) if user_id is not None else None
    return person.label if person is not None else None
