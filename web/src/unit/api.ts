import { apiRequest } from "../api/client";
import type { IncidentCategory, IncidentNote } from "../api/incidents";
import type { components } from "../api/schema";
import type { Assignment, MyUnit, Progress, UnitItem } from "../api/units";
import type { Fix } from "./types";

/** The unit app's calls; errors come back as ApiError (problem+json), as everywhere else. */

export function fetchMyUnit(options: { signal?: AbortSignal } = {}) {
  return apiRequest<MyUnit>("/api/me/unit", options);
}

export function fetchCategories(options: { signal?: AbortSignal } = {}) {
  return apiRequest<IncidentCategory[]>("/api/incidents/categories", options);
}

/** The body of POST /api/me/unit/position for a fix (speed and heading only when meaningful). */
export function positionBody(fix: Fix, sentAt: number = fix.at) {
  const body: components["schemas"]["PositionIn"] = {
    lon: Math.round(fix.lon * 1e6) / 1e6,
    lat: Math.round(fix.lat * 1e6) / 1e6,
    at: new Date(sentAt).toISOString(),
  };
  if (fix.speed_kmh !== null && Number.isFinite(fix.speed_kmh) && fix.speed_kmh >= 0) {
    body.speed_kmh = Math.round(fix.speed_kmh * 10) / 10;
  }
  if (fix.heading_deg !== null && Number.isFinite(fix.heading_deg) && fix.heading_deg >= 0 && fix.heading_deg < 360) {
    body.heading_deg = Math.round(fix.heading_deg * 10) / 10 % 360;
  }
  return body;
}

export function reportPosition(fix: Fix, sentAt?: number) {
  return apiRequest<UnitItem>("/api/me/unit/position", { method: "POST", body: positionBody(fix, sentAt) });
}

export function acceptAssignment(id: number) {
  return apiRequest<Assignment>(`/api/assignments/${id}/accept`, { method: "POST" });
}

export function declineAssignment(id: number, reason: string) {
  return apiRequest<Assignment>(`/api/assignments/${id}/decline`, { method: "POST", body: { reason } satisfies components["schemas"]["DeclineIn"] });
}

export function reportProgress(id: number, stage: Progress) {
  return apiRequest<Assignment>(`/api/assignments/${id}/progress`, { method: "POST", body: { stage } satisfies components["schemas"]["ProgressIn"] });
}

export function addAssignmentNote(id: number, text: string) {
  return apiRequest<IncidentNote>(`/api/assignments/${id}/notes`, { method: "POST", body: { text } satisfies components["schemas"]["NoteIn"] });
}
