import { apiRequest } from "./client";
import type { components } from "./schema";

/** The shift handover's API (`/api/shifts`): the current shift's summary, the two signatures, the history. */

type Schemas = components["schemas"];

export type ShiftSummary = Schemas["ShiftSummary"];
export type Handover = Schemas["HandoverRead"];
export type IncidentBrief = Schemas["IncidentBrief"];
export type AlarmBrief = Schemas["AlarmBrief"];

export function fetchCurrentShift(options: { signal?: AbortSignal } = {}) {
  return apiRequest<ShiftSummary>("/api/shifts/current", options);
}

export function fetchHandovers(options: { signal?: AbortSignal } = {}) {
  return apiRequest<Schemas["Page_HandoverRead_"]>("/api/shifts/handovers?limit=20", options);
}

/** The outgoing supervisor signs; 409 `shifts.handover_pending` while another awaits its incoming supervisor. */
export function handOver(notes: string) {
  return apiRequest<Handover>("/api/shifts/handovers", { method: "POST", body: { notes } satisfies Schemas["HandoverCreate"] });
}

/** The incoming supervisor signs; 409 `shifts.same_supervisor` for the outgoing one. */
export function takeOver(id: number, note: string | null) {
  return apiRequest<Handover>(`/api/shifts/handovers/${id}/sign`, { method: "POST", body: { note } satisfies Schemas["HandoverSign"] });
}
