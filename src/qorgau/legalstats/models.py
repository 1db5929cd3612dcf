"""Tables of the official forms: one row per imported (form, region, period) and its reference figures."""

# A re-import of the same form, region and period replaces the earlier one (its figures go with it through the
# cascade), so a figure is never counted twice. The national total is not stored: it is the sum of the regions.

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qorgau.core.db import Base, UTCDateTime


class LegalFormImport(Base):
    """One form of one region for one period, as imported from a published file."""

    __tablename__ = "legal_form_imports"
    __table_args__ = (UniqueConstraint("form", "region", "period", name="uq_legal_form_imports_form_region_period"),
                      Index("ix_legal_form_imports_period_form", "period", "form"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    form: Mapped[str] = mapped_column(String(16))  # forms.Form
    region: Mapped[str] = mapped_column(String(32))  # regions.Region.code
    period: Mapped[str] = mapped_column(String(7))  # "2023" (the year) or "2023-06" (January to June)
    source_name: Mapped[str] = mapped_column(String(200))  # the file's name as given
    source_sha256: Mapped[str] = mapped_column(String(64))
    imported_by: Mapped[str] = mapped_column(String(64))  # an actor id such as user:3, or cli
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    figures: Mapped[list[LegalFigure]] = relationship(
        back_populates="form_import", cascade="all, delete-orphan", passive_deletes=True)


class LegalFigure(Base):
    """A reference figure: the value of a printed line (subject) in a printed column (measure), and its cell."""

    __tablename__ = "legal_figures"
    __table_args__ = (UniqueConstraint("import_id", "subject", "measure", name="uq_legal_figures_import_subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("legal_form_imports.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(48))  # crimes, all, misdemeanours, severity.*, group.*, population
    measure: Mapped[str] = mapped_column(String(48))  # registered, completed, sent_to_court, interrupted, ...
    value: Mapped[int] = mapped_column(Integer)
    cell: Mapped[str] = mapped_column(String(24))  # "R1!E7": where the figure was read
    form_import: Mapped[LegalFormImport] = relationship(back_populates="figures")
