import { apiRequest } from "./client";
import type { Page } from "./alarms";

/** Incidents (`/api/incidents`): intake, the board, one incident, transitions, notes, EIDO, response metrics. */

export type IncidentState = "new" | "dispatched" | "en_route" | "on_scene" | "on_hold" | "resolved" | "closed";
export type IncidentSource = "alarm" | "call" | "manual";

export const INCIDENT_STATES: readonly IncidentState[] = [
  "new",
  "dispatched",
  "en_route",
  "on_scene",
  "on_hold",
  "resolved",
  "closed",
];

export interface IncidentCategory {
  code: string;
  /** In the request's language. */
  name: string;
  default_priority: number;
}

export interface IncidentItem {
  id: number;
  number: string;
  category: string;
  priority: number;
  state: IncidentState;
  source: IncidentSource;
  alarm_id: number | null;
  address: string | null;
  lon: number | null;
  lat: number | null;
  area: string | null;
  description: string | null;
  simulated: boolean;
  received_at: string;
  acknowledged_at: string | null;
  dispatched_at: string | null;
  en_route_at: string | null;
  on_scene_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  state_changed_at: string;
  /** States a person may move it to now. */
  allowed: IncidentState[];
}

export interface IncidentTransition {
  from_state: IncidentState | null;
  to_state: IncidentState;
  at: string;
  /** `user:<id>`, `unit:<code>` or `system:<component>`. */
  actor: string;
  reason: string | null;
}

export interface IncidentNote {
  id: number;
  at: string;
  author: string;
  text: string;
}

export interface IncidentLink {
  kind: "alarm" | "camera" | "unit";
  ref: string;
  at: string;
  actor: string;
}

export interface IncidentCamera {
  code: string;
  name_kk: string;
  name_ru: string;
  lon: number;
  lat: number;
  distance_m: number;
  score: number;
}

export interface IncidentDetail extends IncidentItem {
  caller_name?: string | null;
  caller_phone?: string | null;
  transitions: IncidentTransition[];
  notes: IncidentNote[];
  links: IncidentLink[];
  cameras: IncidentCamera[];
}

export interface IncidentCreate {
  category?: string | null;
  priority?: number | null;
  source?: "call" | "manual";
  alarm_id?: number | null;
  caller_name?: string | null;
  caller_phone?: string | null;
  address?: string | null;
  lon?: number | null;
  lat?: number | null;
  description?: string | null;
}

export interface StageFigures {
  count: number;
  p50_s: number | null;
  p90_s: number | null;
  target_s?: number | null;
  /** Share (0–1) reaching the stage within the target. */
  within_target?: number | null;
}

export type ResponseStage = "acknowledged" | "dispatched" | "on_scene" | "closed";
export const RESPONSE_STAGES: readonly ResponseStage[] = ["acknowledged", "dispatched", "on_scene", "closed"];

export type ResponseGroup = {
  /** `all`, a category code, or an area (settlement) name. */
  key: string;
  incidents: number;
} & Record<ResponseStage, StageFigures>;

export interface ResponseMetrics {
  start: string;
  end: string;
  include_simulated: boolean;
  overall: ResponseGroup;
  by_category: ResponseGroup[];
  by_area: ResponseGroup[];
}

export function fetchIncidentCategories(options: { signal?: AbortSignal } = {}) {
  return apiRequest<IncidentCategory[]>("/api/incidents/categories", options);
}

export function fetchIncidents(states: readonly IncidentState[], options: { signal?: AbortSignal } = {}) {
  const query = new URLSearchParams({ limit: "500" });
  for (const state of states) query.append("state", state);
  return apiRequest<Page<IncidentItem>>(`/api/incidents?${query}`, options);
}

export function fetchIncident(id: number, options: { signal?: AbortSignal } = {}) {
  return apiRequest<IncidentDetail>(`/api/incidents/${id}`, options);
}

export function createIncident(body: IncidentCreate) {
  return apiRequest<IncidentDetail>("/api/incidents", { method: "POST", body });
}

/** 409 when not allowed from the current state. */
export function transitionIncident(id: number, to: IncidentState, reason?: string | null) {
  return apiRequest<IncidentItem>(`/api/incidents/${id}/transition`, { method: "POST", body: { to, reason: reason ?? null } });
}

export function addIncidentNote(id: number, text: string) {
  return apiRequest<IncidentNote>(`/api/incidents/${id}/notes`, { method: "POST", body: { text } });
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
