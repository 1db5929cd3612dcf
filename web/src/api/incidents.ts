import { apiRequest } from "./client";
import type { components } from "./schema";

/** Incidents (`/api/incidents`): intake, the board, one incident, transitions, notes, EIDO, response metrics. */

type Schemas = components["schemas"];

export type IncidentState = Schemas["IncidentState"];
export type IncidentSource = Schemas["Source"];

export const INCIDENT_STATES: readonly IncidentState[] = [
  "new",
  "dispatched",
  "en_route",
  "on_scene",
  "on_hold",
  "resolved",
  "closed",
];

/** An incident category with its name in the request's language (the server's `IncidentCategory` is the code). */
export type IncidentCategory = Schemas["CategoryRead"];
/** An incident on the board; `allowed`: the states a person may move it to now. */
export type IncidentItem = Schemas["IncidentRead"];
/** `actor`: `user:<id>`, `unit:<code>` or `system:<component>`. */
export type IncidentTransition = Schemas["TransitionRead"];
export type IncidentNote = Schemas["NoteRead"];
export type IncidentLink = Schemas["LinkRead"];
export type IncidentCamera = Schemas["CameraRead"];
/** One incident with its timeline, notes, links and cameras; the caller only with incidents:write. */
export type IncidentDetail = Schemas["IncidentDetail"];
export type IncidentCreate = Schemas["IncidentCreate"];

/** `within_target`: the share (0–1) reaching the stage within the target. */
export type StageFigures = Schemas["StageFigures"];
/** `key`: `all`, a category code, or an area (settlement) name. */
export type ResponseGroup = Schemas["ResponseGroup"];
export type ResponseMetrics = Schemas["ResponseMetrics"];

/** The stages a response group has figures for. */
export type ResponseStage = Exclude<keyof ResponseGroup, "key" | "incidents">;
export const RESPONSE_STAGES: readonly ResponseStage[] = ["acknowledged", "dispatched", "on_scene", "closed"];

export function fetchIncidentCategories(options: { signal?: AbortSignal } = {}) {
  return apiRequest<IncidentCategory[]>("/api/incidents/categories", options);
}

export function fetchIncidents(states: readonly IncidentState[], options: { signal?: AbortSignal } = {}) {
  const query = new URLSearchParams({ limit: "500" });
  for (const state of states) query.append("state", state);
  return apiRequest<Schemas["Page_IncidentRead_"]>(`/api/incidents?${query}`, options);
}

export function fetchIncident(id: number, options: { signal?: AbortSignal } = {}) {
  return apiRequest<IncidentDetail>(`/api/incidents/${id}`, options);
}

export function createIncident(body: IncidentCreate) {
  return apiRequest<IncidentDetail>("/api/incidents", { method: "POST", body });
}

/** 409 when not allowed from the current state. */
export function transitionIncident(id: number, to: IncidentState, reason?: string | null) {
  return apiRequest<IncidentItem>(`/api/incidents/${id}/transition`, { method: "POST", body: { to, reason: reason ?? null } satisfies Schemas["TransitionIn"] });
}

export function addIncidentNote(id: number, text: string) {
  return apiRequest<IncidentNote>(`/api/incidents/${id}/notes`, { method: "POST", body: { text } satisfies Schemas["NoteIn"] });
}

export function fetchIncidentEido(id: number) {
  return apiRequest<Record<string, unknown>>(`/api/incidents/${id}/eido`);
}

export function fetchResponseMetrics(
  params: { from: string; to: string; category?: string | null; area?: string | null; includeSimulated: boolean },
  options: { signal?: AbortSignal } = {},
) {
  const query = new URLSearchParams({ from: params.from, to: params.to, include_simulated: String(params.includeSimulated) });
  if (params.category) query.set("category", params.category);
  if (params.area) query.set("area", params.area);
  return apiRequest<ResponseMetrics>(`/api/incidents/response?${query}`, options);
}

/** Close `duplicateId` as merged into `intoId` (its notes move, links follow); 409 when either is not open. */
export function mergeIncident(duplicateId: number, intoId: number) {
  return apiRequest<IncidentItem>(`/api/incidents/${duplicateId}/merge`, {
    method: "POST",
    body: { into: intoId } satisfies Schemas["MergeIn"],
  });
}
