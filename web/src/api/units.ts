import type { LineString } from "geojson";
import { apiRequest } from "./client";
import type { Page } from "./alarms";

/** Units and dispatch: the board, recommendations for an incident, dispatch, assignments. */

export type UnitKind = "patrol_car" | "foot_patrol" | "district_inspector" | "post";
export type UnitStatus = "available" | "dispatched" | "en_route" | "on_scene" | "busy" | "off_duty";
export type AssignmentStage =
  | "dispatched"
  | "accepted"
  | "declined"
  | "en_route"
  | "on_scene"
  | "resolved"
  | "cleared"
  | "reassigned";

export const UNIT_STATUSES: readonly UnitStatus[] = ["available", "dispatched", "en_route", "on_scene", "busy", "off_duty"];
export const UNIT_KINDS: readonly UnitKind[] = ["patrol_car", "foot_patrol", "district_inspector", "post"];

export interface UnitItem {
  code: string;
  kind: UnitKind;
  name: string;
  site_code: string | null;
  active: boolean;
  status: UnitStatus;
  status_changed_at: string;
  /** Seconds in the status when the board was read. */
  time_in_status_s: number;
  lon: number | null;
  lat: number | null;
  position_at: string | null;
  position_age_s: number | null;
  /** No position, or an old one (posts never). */
  stale: boolean;
  members: number[];
  trackers: string[];
  assignment_id: number | null;
  incident_id: number | null;
}

export interface UnitRecommendation {
  code: string;
  kind: UnitKind;
  name: string;
  mode: "drive" | "walk";
  eta_s: number;
  meters: number;
  stale: boolean;
  position_age_s: number | null;
  route: LineString;
}

export interface Assignment {
  id: number;
  unit_code: string;
  incident_id: number;
  stage: AssignmentStage;
  active: boolean;
  dispatched_by: string;
  dispatched_at: string;
  accepted_at: string | null;
  declined_at: string | null;
  decline_reason: string | null;
  en_route_at: string | null;
  on_scene_at: string | null;
  ended_at: string | null;
  replaced_by: number | null;
  eta_s: number | null;
  route: LineString | null;
}

export function fetchUnits(options: { signal?: AbortSignal } = {}) {
  return apiRequest<Page<UnitItem>>("/api/units", options);
}

export function fetchRecommendations(incidentId: number, options: { signal?: AbortSignal } = {}) {
  return apiRequest<UnitRecommendation[]>(`/api/incidents/${incidentId}/recommendations`, options);
}

/** 409 `units.busy` when the unit was taken meanwhile. */
export function dispatchUnit(incidentId: number, unitCode: string) {
  return apiRequest<Assignment>(`/api/incidents/${incidentId}/dispatch`, { method: "POST", body: { unit_code: unitCode } });
}

export function fetchIncidentAssignments(incidentId: number, options: { signal?: AbortSignal } = {}) {
  return apiRequest<Assignment[]>(`/api/incidents/${incidentId}/assignments`, options);
}

export function reassignAssignment(assignmentId: number, unitCode: string, reason?: string | null) {
  return apiRequest<Assignment>(`/api/assignments/${assignmentId}/reassign`, {
    method: "POST",
    body: { unit_code: unitCode, reason: reason ?? null },
  });
}
