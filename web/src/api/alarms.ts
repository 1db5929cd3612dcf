import { apiRequest } from "./client";
import type { components } from "./schema";

/** The alarm desk's API (`/api/alarms`): the queue, one alarm, acknowledge, resolve, procedure steps, config. */

type Schemas = components["schemas"];

export type AlarmState = Schemas["AlarmState"];
export type AlarmResolution = Schemas["Resolution"];
/** What can be done to an alarm now (`allowed`). */
export type AlarmAction = Schemas["Transition"];
export type StepState = Schemas["StepState"];
export type Texts = Schemas["Texts"];

/** One alarm of the queue; priority 1 is the highest, 255 the lowest. */
export type AlarmItem = Schemas["AlarmRead"];
/** A procedure step with what was done about it; `text` is null for a step the procedure no longer has. */
export type StepProgress = Schemas["StepProgress"];
export type NearestCamera = Schemas["NearestCamera"];
export type AlarmDetail = Schemas["AlarmDetail"];
export type AlarmDeskConfig = Schemas["DeskConfig"];

export function fetchAlarmQueue(options: { signal?: AbortSignal } = {}) {
  return apiRequest<Schemas["Page_AlarmRead_"]>("/api/alarms?limit=500", options);
}

export function fetchAlarm(id: number, options: { signal?: AbortSignal } = {}) {
  return apiRequest<AlarmDetail>(`/api/alarms/${id}`, options);
}

export function fetchAlarmConfig(options: { signal?: AbortSignal } = {}) {
  return apiRequest<AlarmDeskConfig>("/api/alarms/config", options);
}

/** 409 `alarms.already_acknowledged` when another operator was first (its params name who). */
export function acknowledgeAlarm(id: number) {
  return apiRequest<AlarmItem>(`/api/alarms/${id}/acknowledge`, { method: "POST" });
}

export function resolveAlarm(id: number, resolution: AlarmResolution, note: string | null) {
  return apiRequest<AlarmItem>(`/api/alarms/${id}/resolve`, { method: "POST", body: { resolution, note } satisfies Schemas["ResolveBody"] });
}

export function markAlarmStep(id: number, stepKey: string, state: StepState, note: string | null) {
  return apiRequest<AlarmDetail>(`/api/alarms/${id}/steps/${encodeURIComponent(stepKey)}`, {
    method: "POST",
    body: { state, note } satisfies Schemas["StepBody"],
  });
}

export interface AlarmHistoryQuery {
  q?: string;
  kind?: string | null;
  maxPriority?: number | null;
  cursor?: string | null;
}

/** Closed alarms, the latest first, searched on the server (codes, site names, people, notes). */
export function fetchAlarmHistory(query: AlarmHistoryQuery, options: { signal?: AbortSignal } = {}) {
  const params = new URLSearchParams({ limit: "50" });
  if (query.q?.trim()) params.set("q", query.q.trim());
  if (query.kind) params.set("kind", query.kind);
  if (query.maxPriority) params.set("max_priority", String(query.maxPriority));
  if (query.cursor) params.set("cursor", query.cursor);
  return apiRequest<Schemas["Page_AlarmRead_"]>(`/api/alarms/history?${params}`, options);
}
