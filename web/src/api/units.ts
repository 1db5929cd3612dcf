import { apiRequest } from "./client";
import type { components } from "./schema";

/** Units and dispatch: the board, recommendations for an incident, dispatch, assignments. */

type Schemas = components["schemas"];

export type UnitKind = Schemas["UnitKind"];
export type UnitStatus = Schemas["UnitStatus"];
export type AssignmentStage = Schemas["Stage"];

export const UNIT_STATUSES: readonly UnitStatus[] = ["available", "dispatched", "en_route", "on_scene", "busy", "off_duty"];
export const UNIT_KINDS: readonly UnitKind[] = ["patrol_car", "foot_patrol", "district_inspector", "post"];

/**
 * A unit on the board: `time_in_status_s` is the time in the status when the board was read; `stale` means no
 * position or an old one (posts never).
 */
export type UnitItem = Schemas["UnitRead"];
export type UnitRecommendation = Schemas["RecommendationRead"];
/** A unit's assignment to an incident, on the desks and in the unit app. */
export type Assignment = Schemas["AssignmentRead"];
/** What the unit app shows: the unit, its active assignment and that incident. */
export type MyUnit = Schemas["MyUnit"];
/** What a unit reports from the unit app after accepting. */
export type Progress = Schemas["ProgressIn"]["stage"];

export function fetchUnits(options: { signal?: AbortSignal } = {}) {
  return apiRequest<Schemas["Page_UnitRead_"]>("/api/units", options);
}

export function fetchRecommendations(incidentId: number, options: { signal?: AbortSignal } = {}) {
  return apiRequest<UnitRecommendation[]>(`/api/incidents/${incidentId}/recommendations`, options);
}

/** 409 `units.busy` when the unit was taken meanwhile. */
export function dispatchUnit(incidentId: number, unitCode: string) {
  return apiRequest<Assignment>(`/api/incidents/${incidentId}/dispatch`, { method: "POST", body: { unit_code: unitCode } satisfies Schemas["DispatchIn"] });
}

export function fetchIncidentAssignments(incidentId: number, options: { signal?: AbortSignal } = {}) {
  return apiRequest<Assignment[]>(`/api/incidents/${incidentId}/assignments`, options);
}

export function reassignAssignment(assignmentId: number, unitCode: string, reason?: string | null) {
  return apiRequest<Assignment>(`/api/assignments/${assignmentId}/reassign`, {
    method: "POST",
    body: { unit_code: unitCode, reason: reason ?? null } satisfies Schemas["ReassignIn"],
  });
}
