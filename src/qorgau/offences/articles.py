"""The article list: loaded from the shipped CSV into the table (missing rows only), read and edited."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from functools import cache
from importlib import resources

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.core.errors import NotFound
from qorgau.offences.enums import OffenceAction
from qorgau.offences.models import Offence, OffenceArticle


@cache
def shipped() -> tuple[dict[str, str], ...]:
    """The rows of data/articles.csv as text (see data/SOURCE.md)."""
    text = resources.files("qorgau.offences").joinpath("data/articles.csv").read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines()))


def _article(row: dict[str, str]) -> OffenceArticle:
    return OffenceArticle(code=row["code"], code_kind=row["code_kind"], article=int(row["article"]),
                          part=int(row["part"]) if row["part"] else None, title_ru=row["title_ru"],
                          title_kk=row["title_kk"], title_en=row["title_en"], offence_class=row["offence_class"],
                          severity=row["severity"] or None, article_group=row["article_group"], editable=True)


def ensure(session: Session) -> int:
    """Add the shipped articles the table lacks (edits made through the API are kept); returns how many."""
    present = set(session.scalars(select(OffenceArticle.code)))
    missing = [_article(row) for row in shipped() if row["code"] not in present]
    session.add_all(missing)
    session.flush()
    return len(missing)


def all_articles(session: Session) -> Sequence[OffenceArticle]:
    return session.scalars(select(OffenceArticle).order_by(OffenceArticle.code_kind.desc(), OffenceArticle.article,
                                                           OffenceArticle.part)).all()


def by_code(session: Session) -> dict[str, OffenceArticle]:
    return {a.code: a for a in session.scalars(select(OffenceArticle))}


def get(session: Session, code: str) -> OffenceArticle:
    found = session.get(OffenceArticle, code)
    if found is None:
        raise NotFound("offences.article_not_found", params={"code": code})
    return found


def edit(session: Session, *, code: str, changes: dict[str, object], actor: audit.Actor) -> OffenceArticle:
    """Change an article's titles or classification; its records' copies follow in the same transaction."""
    article = get(session, code)
    if not article.editable:
        raise NotFound("offences.article_not_found", params={"code": code})
    for field, value in changes.items():
        setattr(article, field, value)
    session.flush()
    session.execute(update(Offence).where(Offence.article_code == code).values(
        offence_class=article.offence_class, severity=article.severity, article_group=article.article_group))
    audit.record(session, action=OffenceAction.ARTICLE_UPDATE, actor=actor, target_type="offence_article",
                 target_id=code, details={k: str(v) for k, v in changes.items()})
    return article
