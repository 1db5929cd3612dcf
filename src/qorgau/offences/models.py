"""Tables of the registry of offences: the article list and one row per registered offence."""

# The offence row copies its article's class, severity and group (denormalised) so the statistics read one table
# with plain indexes; an article's classification is fixed by the code in force, and an edit of an article
# re-copies it to its records in the same unit of work. No personal data is stored: no names, no birth dates.

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qorgau.core.db import Base, UTCDateTime


class OffenceArticle(Base):
    """An article (and part) of the Criminal Code ("uk") or the Code of Administrative Offences ("koap")."""

    __tablename__ = "offence_articles"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)  # "UK-188-1", "KoAP-434"
    code_kind: Mapped[str] = mapped_column(String(8))  # uk | koap
    article: Mapped[int] = mapped_column(Integer)
    part: Mapped[int | None] = mapped_column(Integer)
    title_ru: Mapped[str] = mapped_column(String(300))
    title_kk: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    offence_class: Mapped[str] = mapped_column(String(16))  # crime | misdemeanour | administrative
    severity: Mapped[str | None] = mapped_column(String(20))  # minor | medium | grave | especially_grave
    article_group: Mapped[str] = mapped_column(String(32), index=True)
    editable: Mapped[bool] = mapped_column(Boolean, default=True)


class Offence(Base):
    """One registered offence (an ЕРДР entry or an administrative protocol), or a draft made from an incident."""

    __tablename__ = "offences"
    __table_args__ = (
        Index("ix_offences_registered_on", "registered_on"),
        Index("ix_offences_district_registered", "district_id", "registered_on"),
        Index("ix_offences_group_registered", "article_group", "registered_on"),
        Index("ix_offences_source", "source"),
        # The statistics cube's watermark reads max(updated_at) on every refresh (ADR 0037).
        Index("ix_offences_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reg_number: Mapped[str | None] = mapped_column(String(40), unique=True)  # ЕРДР or protocol number
    kind: Mapped[str] = mapped_column(String(16))  # criminal | administrative
    registered_on: Mapped[date] = mapped_column(Date)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    article_code: Mapped[str] = mapped_column(ForeignKey("offence_articles.code", ondelete="RESTRICT"))
    offence_class: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str | None] = mapped_column(String(20))
    article_group: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # investigating | sent_to_court | terminated | interrupted
    termination_ground: Mapped[str | None] = mapped_column(String(64))
    status_on: Mapped[date | None] = mapped_column(Date)
    persons_identified: Mapped[int] = mapped_column(Integer, default=0)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    settlement: Mapped[str | None] = mapped_column(String(200))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="SET NULL"))
    place_type: Mapped[str] = mapped_column(String(16))
    # One record per incident: a draft delivered twice, or racing the import, cannot count an offence twice.
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"), unique=True)
    call_ref: Mapped[str | None] = mapped_column(String(40), index=True)  # the incident's number, as extracts cite it
    source: Mapped[str] = mapped_column(String(12))  # import | qorgau | generated
    draft: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(64))  # an actor id such as user:3 or import
