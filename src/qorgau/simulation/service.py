"""Simulation runs: start, heartbeat, end, and ending the runs whose simulator fell silent. Functions never commit.

Heartbeats and ends are conditional UPDATEs (``WHERE ended_at IS NULL``), so a run ended by the simulator and
by the lost-run job at the same moment ends once, with one `simulation.ended`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qorgau.audit import service as audit
from qorgau.core.bus import Context, EventType, publish
from qorgau.core.errors import Conflict, NotFound
from qorgau.core.time import utcnow
from qorgau.simulation.enums import EndReason, SimulationAction
from qorgau.simulation.events import ENDED, STARTED, RunChanged
from qorgau.simulation.models import SimulationRun
from qorgau.simulation.schemas import RunCreate

LOST_BATCH = 100


def simulated(ctx: Context) -> Context:
    """Everything about a simulation run is itself simulated."""
    return ctx if ctx.simulated else ctx.model_copy(update={"simulated": True})


def get(session: Session, run_id: int, *, fresh: bool = False) -> SimulationRun:
    run = session.get(SimulationRun, run_id, populate_existing=fresh)
    if run is None:
        raise NotFound("simulation.run_not_found", params={"id": run_id})
    return run


def active(session: Session) -> list[SimulationRun]:
    """The runs not ended, oldest first."""
    return list(session.scalars(select(SimulationRun).where(SimulationRun.ended_at.is_(None))
                                .order_by(SimulationRun.started_at, SimulationRun.id)))


def start(session: Session, *, run_in: RunCreate, actor: audit.Actor, ctx: Context,
          now: datetime | None = None) -> SimulationRun:
    """Open a run and announce it (`simulation.started`)."""
    now = now or utcnow()
    run = SimulationRun(name=run_in.name, seed=run_in.seed, scale=run_in.scale, started_at=now, last_seen_at=now,
                        started_by=actor.ref, details=dict(run_in.details))
    session.add(run)
    session.flush()
    audit.record(session, action=SimulationAction.START, actor=actor, target_type="simulation_run",
                 target_id=str(run.id), details={"name": run.name, "seed": run.seed, "scale": run.scale})
    _announce(session, STARTED, run, ctx)
    return run


def heartbeat(session: Session, *, run_id: int, now: datetime | None = None) -> SimulationRun:
    """The simulator is alive; 409 `simulation.run_ended` once the run has ended (it should stop)."""
    now = now or utcnow()
    result = session.execute(update(SimulationRun)
                             .where(SimulationRun.id == run_id, SimulationRun.ended_at.is_(None))
                             .values(last_seen_at=now).execution_options(synchronize_session=False))
    if getattr(result, "rowcount", 0) == 0:
        _refuse(session, run_id)
    return get(session, run_id, fresh=True)


def end(session: Session, *, run_id: int, summary: dict[str, Any], actor: audit.Actor | None, ctx: Context,
        reason: EndReason = EndReason.ENDED, now: datetime | None = None) -> SimulationRun:
    """End a run with the simulator's summary and announce it (`simulation.ended`); 409 if it already ended."""
    now = now or utcnow()
    if not _close(session, run_id, reason, now):
        _refuse(session, run_id)
    run = get(session, run_id, fresh=True)
    run.details = {**run.details, "summary": summary}
    if actor is not None:
        audit.record(session, action=SimulationAction.END, actor=actor, target_type="simulation_run",
                     target_id=str(run.id), details={"reason": str(reason)})
    _announce(session, ENDED, run, ctx)
    return run


def end_lost(session: Session, *, lost_after_s: float, now: datetime | None = None, ctx: Context | None = None,
             limit: int = LOST_BATCH) -> list[int]:
    """End the runs without a heartbeat for ``lost_after_s`` (reason `lost`); returns their ids."""
    now = now or utcnow()
    ctx = ctx or Context.system("simulation.supervision")
    cutoff = now - timedelta(seconds=lost_after_s)
    candidates = list(session.scalars(select(SimulationRun.id)
                                      .where(SimulationRun.ended_at.is_(None), SimulationRun.last_seen_at < cutoff)
                                      .order_by(SimulationRun.id).limit(limit)))
    ended = []
    for run_id in candidates:
        # Only if still silent: a heartbeat that landed meanwhile keeps the run going.
        if _close(session, run_id, EndReason.LOST, now, silent_since=cutoff):
            _announce(session, ENDED, get(session, run_id, fresh=True), ctx)
            ended.append(run_id)
    return ended



def _close(session: Session, run_id: int, reason: EndReason, now: datetime, *,
           silent_since: datetime | None = None) -> bool:
    query = update(SimulationRun).where(SimulationRun.id == run_id, SimulationRun.ended_at.is_(None))
    if silent_since is not None:
        query = query.where(SimulationRun.last_seen_at < silent_since)
    result = session.execute(query.values(ended_at=now, end_reason=str(reason))
                             .execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def _refuse(session: Session, run_id: int) -> NoReturn:
    """Why a run cannot be touched: 404 when there is none, else 409 because it has ended."""
    run = get(session, run_id, fresh=True)
    raise Conflict("simulation.run_ended", params={"id": run.id, "reason": run.end_reason or "-"})


def _announce(session: Session, kind: EventType[RunChanged], run: SimulationRun, ctx: Context) -> None:
    payload = RunChanged(run_id=run.id, name=run.name, seed=run.seed, scale=run.scale, started_at=run.started_at,
                         ended_at=run.ended_at, end_reason=EndReason(run.end_reason) if run.end_reason else None)
    publish(session, kind, subject_id=str(run.id), payload=payload, ctx=simulated(ctx),
            occurred_at=run.ended_at or run.started_at)
