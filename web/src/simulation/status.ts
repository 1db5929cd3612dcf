import { apiRequest } from "../api/client";
import type { components } from "../api/schema";
import type { LiveEvent } from "../live/types";

/** A simulation run as the banner knows it: the fields of GET /api/simulation/status it uses, or of a live event. */
export type SimulationRun = Pick<components["schemas"]["RunRead"], "id" | "name" | "started_at">;

export type SimulationStatusBody = components["schemas"]["SimulationStatus"];

export const STATUS_PATH = "/api/simulation/status";
/** Safety net: the status is asked again this often, in case an event was missed. */
export const RECHECK_MS = 30_000;
export const SIMULATION_EVENT_PREFIX = "simulation.";

export function fetchSimulationStatus(options: { signal?: AbortSignal } = {}) {
  return apiRequest<SimulationStatusBody>(STATUS_PATH, { ...options, timeoutMs: 15_000 });
}

/**
 * What the banner knows: the active runs by id, and an epoch that every live event advances, so a status
 * answer requested before the latest event (and possibly older than it) cannot undo what the event said.
 */
export interface SimulationState {
  readonly runs: ReadonlyMap<number, SimulationRun>;
  readonly epoch: number;
}

export const INITIAL_STATE: SimulationState = Object.freeze({ runs: new Map<number, SimulationRun>(), epoch: 0 });

export function isActive(state: SimulationState): boolean {
  return state.runs.size > 0;
}

/** The state after a live event; anything but simulation.started / .ended leaves it as it is. */
export function applyEvent(state: SimulationState, event: LiveEvent): SimulationState {
  if (event.name !== "simulation.started" && event.name !== "simulation.ended") return state;
  const id = Number(event.payload.run_id ?? event.subject_id);
  if (!Number.isFinite(id)) return state;
  const runs = new Map(state.runs);
  if (event.name === "simulation.started") {
    const name = typeof event.payload.name === "string" ? event.payload.name : String(id);
    const startedAt = typeof event.payload.started_at === "string" ? event.payload.started_at : event.occurred_at;
    runs.set(id, { id, name, started_at: startedAt });
  } else {
    runs.delete(id);
  }
  return { runs, epoch: state.epoch + 1 };
}

/** The state after a status answer to a request made at `requestedAt` (an epoch); stale answers are dropped. */
export function applyStatus(state: SimulationState, body: SimulationStatusBody, requestedAt: number): SimulationState {
  if (requestedAt !== state.epoch) return state;
  const runs = new Map<number, SimulationRun>();
  for (const run of body.active ? body.runs : []) runs.set(run.id, run);
  return { runs, epoch: state.epoch };
}
