import { awaitsAnswer, isActiveStage, mergeAssignment } from "./stages";
import type { Assignment, AssignmentStage as Stage, MyUnit, Progress } from "../api/units";

/** The unit app's screen state: what /api/me/unit said, what the crew is doing, what to announce. */

export type Phase = "loading" | "ready" | "not_member" | "error";
export type Action = "accept" | "decline" | Progress;

export interface ClosedNotice {
  number: string | null;
  stage: Stage;
}

export interface UnitState {
  phase: Phase;
  data: MyUnit | null;
  loadError: unknown;
  /** Assignments already announced with the sound (each dispatch beeps once). */
  announced: readonly number[];
  /** The dispatch to announce; `seq` changes on each new one. */
  alert: { assignmentId: number; seq: number } | null;
  /** The request in flight, if any. */
  busy: Action | null;
  actionError: unknown;
  /** The assignment that just ended (resolved, declined, cleared, reassigned), for a notice on the idle screen. */
  closed: ClosedNotice | null;
}

export type UnitEvent =
  | { type: "loaded"; data: MyUnit }
  | { type: "load_failed"; error: unknown; notMember: boolean }
  | { type: "live_assignment"; assignmentId: number; unitCode: string; stage: Stage }
  | { type: "action_started"; action: Action }
  | { type: "action_done"; assignment: Assignment }
  | { type: "action_failed"; error: unknown }
  | { type: "dismiss_error" }
  | { type: "dismiss_closed" };

export const INITIAL_STATE: UnitState = {
  phase: "loading",
  data: null,
  loadError: null,
  announced: [],
  alert: null,
  busy: null,
  actionError: null,
  closed: null,
};

const MAX_REMEMBERED = 50;

function announce(state: UnitState, assignmentId: number): UnitState {
  if (state.announced.includes(assignmentId)) return state;
  return {
    ...state,
    announced: [...state.announced, assignmentId].slice(-MAX_REMEMBERED),
    alert: { assignmentId, seq: (state.alert?.seq ?? 0) + 1 },
  };
}

function closedNotice(state: UnitState, assignment: Assignment): ClosedNotice {
  const incident = state.data?.incident;
  return { number: incident && incident.id === assignment.incident_id ? incident.number : null, stage: assignment.stage };
}

export function unitReducer(state: UnitState, event: UnitEvent): UnitState {
  switch (event.type) {
    case "loaded": {
      const previous = state.data?.assignment ?? null;
      const next = event.data.assignment;
      let closed = state.closed;
      // The assignment we showed is gone (the dispatcher cleared or reassigned it).
      if (previous && (!next || next.id !== previous.id)) {
        closed = closedNotice(state, isActiveStage(previous.stage) ? { ...previous, stage: "cleared" } : previous);
      }
      if (next) closed = null;
      let out: UnitState = { ...state, phase: "ready", data: event.data, loadError: null, closed };
      if (next && awaitsAnswer(next)) out = announce(out, next.id);
      return out;
    }
    case "load_failed":
      // Keep showing what we had (offline); only an empty screen turns into an error screen.
      if (event.notMember) return { ...state, phase: "not_member", data: null, loadError: event.error };
      return { ...state, phase: state.data ? "ready" : "error", loadError: event.error };
    case "live_assignment": {
      const data = state.data;
      if (!data || data.unit.code !== event.unitCode) return state;
      let out = state;
      if (event.stage === "dispatched") out = announce(out, event.assignmentId);
      const current = data.assignment;
      if (current && current.id === event.assignmentId && current.stage !== event.stage) {
        out = { ...out, data: { ...data, assignment: { ...current, stage: event.stage, active: isActiveStage(event.stage) } } };
      }
      return out;
    }
    case "action_started":
      return { ...state, busy: event.action, actionError: null };
    case "action_done": {
      const data = state.data;
      if (!data) return { ...state, busy: null };
      const assignment = mergeAssignment(data.assignment, event.assignment);
      if (!assignment.active || !isActiveStage(assignment.stage)) {
        return {
          ...state,
          busy: null,
          closed: closedNotice(state, assignment),
          data: { ...data, assignment: null, incident: null, unit: { ...data.unit, assignment_id: null, incident_id: null } },
        };
      }
      return { ...state, busy: null, data: { ...data, assignment } };
    }
    case "action_failed":
      return { ...state, busy: null, actionError: event.error };
    case "dismiss_error":
      return { ...state, actionError: null };
    case "dismiss_closed":
      return { ...state, closed: null };
    default:
      return state;
  }
}

/** Reads a `units.assignment_changed` event's payload; null when it is not one. */
export function assignmentEventOf(
  name: string,
  payload: Record<string, unknown>,
): { assignmentId: number; unitCode: string; stage: Stage; incidentId: number | null } | null {
  if (name !== "units.assignment_changed") return null;
  const { assignment_id, unit_code, stage, incident_id } = payload;
  if (typeof assignment_id !== "number" || typeof unit_code !== "string" || typeof stage !== "string") return null;
  return {
    assignmentId: assignment_id,
    unitCode: unit_code,
    stage: stage as Stage,
    incidentId: typeof incident_id === "number" ? incident_id : null,
  };
}

/** Whether a live event concerns my unit or its incident, so the screen should reload. */
export function concernsMe(
  name: string,
  payload: Record<string, unknown>,
  subjectId: string | number | null,
  mine: { unitCode: string; incidentId: number | null },
): boolean {
  if (name.startsWith("units.")) {
    const code = payload.unit_code ?? payload.code;
    if (name === "units.moved") return false; // our own reports: nothing on screen changes
    return code === mine.unitCode;
  }
  if (name.startsWith("incidents.") && mine.incidentId !== null) {
    const id = payload.incident_id ?? payload.id ?? subjectId;
    return id !== undefined && id !== null && String(id) === String(mine.incidentId);
  }
  return false;
}
