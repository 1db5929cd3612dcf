"""Scale-out tables of the video workers (issue 18, ADR 0055): the node registry, where every worker process on
every host says it is alive, and the camera leases that say which worker records which camera.

A row of ``video_nodes`` is one lease holder: a worker process, named ``<node id>/<index>``. A holder whose
``renewed_at`` is older than the lease time is taken for dead; its leases expire at the same time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from qorgau.core.db import Base, UTCDateTime


class VideoNode(Base):
    """One worker process that takes camera leases: which host it runs on and when it last renewed."""

    __tablename__ = "video_nodes"

    holder: Mapped[str] = mapped_column(String(96), primary_key=True)  # "<node id>/<worker index>"
    node: Mapped[str] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    live_port: Mapped[int] = mapped_column(Integer)  # where its live-view relay listens on that host
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CameraLease(Base):
    """Who records a camera until when. ``epoch`` grows at every change of holder: the fencing token a holder
    compares with the one it acquired, so a worker that lost the camera knows it at its next renewal."""

    __tablename__ = "video_camera_leases"
    __table_args__ = (Index("ix_video_camera_leases_holder", "holder"),)

    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(96))  # null: free
    epoch: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acquired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def changed(result: object) -> int:
    """Rows a conditional UPDATE changed: the check that decides who won a lease."""
    return int(getattr(result, "rowcount", 0) or 0)


def register(session: Session, *, holder: str, node: str, host: str, pid: int, live_port: int,
             now: datetime) -> None:
    """Enter (or re-enter, after a restart) this worker in the registry: a conditional UPDATE, else an INSERT."""
    values = {"node": node, "host": host, "pid": pid, "live_port": live_port, "started_at": now, "renewed_at": now}
    if changed(session.execute(update(VideoNode).where(VideoNode.holder == holder).values(**values))) == 0:
        session.add(VideoNode(holder=holder, **values))
        session.flush()


def heartbeat(session: Session, *, holder: str, now: datetime) -> bool:
    """Say this holder is alive; False when its row is gone (deleted by an operator or a cleanup)."""
    result = session.execute(update(VideoNode).where(VideoNode.holder == holder).values(renewed_at=now))
    return changed(result) == 1


def alive(session: Session, *, since: datetime) -> list[str]:
    """The holders that renewed since ``since``, in a fixed order (every holder computes the same shares)."""
    return list(session.scalars(select(VideoNode.holder).where(VideoNode.renewed_at >= since)
                                .order_by(VideoNode.holder)))


def leave(session: Session, *, holder: str) -> None:
    """A worker that stops cleanly leaves the registry, so the others count it out at once."""
    session.execute(delete(VideoNode).where(VideoNode.holder == holder))
