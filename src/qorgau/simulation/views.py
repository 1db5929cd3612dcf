"""HTTP routes of simulation runs: the status every desk polls, and the simulator's start, heartbeat and end."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from qorgau.auth.deps import CurrentPrincipal, Require
from qorgau.auth.enums import Permission
from qorgau.auth.service import Principal
from qorgau.core.web import ClientSource, DbSession, IdPath, ReadSession
from qorgau.simulation import service
from qorgau.simulation.schemas import RunCreate, RunEnd, RunRead, SimulationStatus

router = APIRouter(prefix="/api/simulation", tags=["simulation"])
Runner = Annotated[Principal, Require(Permission.SIMULATION_RUN)]


@router.get("/status", response_model=SimulationStatus)
def status(_: CurrentPrincipal, db: ReadSession) -> SimulationStatus:
    """Whether a simulation runs now (every desk shows the SIMULATION banner while one does), and which."""
    runs = [RunRead.model_validate(run) for run in service.active(db)]
    return SimulationStatus(active=bool(runs), runs=runs)


@router.post("/runs", response_model=RunRead, status_code=201)
def start_run(body: RunCreate, principal: Runner, db: DbSession, source: ClientSource) -> RunRead:
    """Start a run (the simulator, before it sends anything); publishes `simulation.started`."""
    run = service.start(db, run_in=body, actor=principal.actor(source), ctx=principal.context())
    return RunRead.model_validate(run)


@router.post("/runs/{run_id}/heartbeat", response_model=RunRead,
             responses={409: {"description": "The run has ended (by its simulator, or lost): stop simulating"}})
def heartbeat(run_id: IdPath, _: Runner, db: DbSession) -> RunRead:
    """The simulator is alive; a run without one for `simulation_lost_after_s` is ended as lost."""
    return RunRead.model_validate(service.heartbeat(db, run_id=run_id))


@router.post("/runs/{run_id}/end", response_model=RunRead,
             responses={409: {"description": "The run has already ended"}})
def end_run(run_id: IdPath, principal: Runner, db: DbSession, source: ClientSource,
            body: RunEnd | None = None) -> RunRead:
    """End the run with the simulator's summary; publishes `simulation.ended`."""
    run = service.end(db, run_id=run_id, summary=(body or RunEnd()).summary, actor=principal.actor(source),
                      ctx=principal.context())
    return RunRead.model_validate(run)
