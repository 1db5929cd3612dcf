import { apiRequest } from "./client";

/** The alarm desk's API (`/api/alarms`): the queue, one alarm, acknowledge, resolve, procedure steps, config. */

export type AlarmState = "new" | "acknowledged" | "resolved";
export type AlarmResolution = "confirmed" | "false" | "test";
export type AlarmAction = "acknowledge" | "resolve";
export type StepState = "done" | "skipped";

export interface Texts {
  kk: string;
  ru: string;
  en: string;
}

export interface AlarmItem {
  id: number;
  state: AlarmState;
  /** 1 is the highest, 255 the lowest. */
  priority: number;
  /** Sounds on the desk (priority within the configured limit). */
  sounds: boolean;
  escalation_level: number;
  escalated_at?: string | null;
  rule?: string;
  kind: string;
  signal?: string;
  event_name?: string;
  procedure?: string | null;
  incident_category?: string | null;
  auto_incident?: boolean;
  device_code: string | null;
  site_code: string | null;
  lon: number | null;
  lat: number | null;
  details?: Record<string, unknown>;
  count: number;
  first_at: string;
  last_at: string;
  restored_at?: string | null;
  acknowledged_at?: string | null;
  acknowledged_by?: number | null;
  acknowledged_by_name?: string | null;
  resolved_at?: string | null;
  resolution?: AlarmResolution | null;
  resolution_note?: string | null;
  simulated?: boolean;
  /** What can be done to it now. */
  allowed: AlarmAction[];
}

export interface StepProgress {
  key: string;
  /** Null for a record of a step the procedure no longer has. */
  text: Texts | null;
  /** Null: not done yet. */
  state: StepState | null;
  note?: string | null;
  by_name?: string | null;
  at?: string | null;
}

export interface NearestCamera {
  code: string;
  name_kk: string;
  name_ru: string;
  purpose?: string;
  health?: string;
  lon: number;
  lat: number;
  distance_m: number;
  score: number;
}

export interface AlarmDetail extends AlarmItem {
  procedure_title: Texts | null;
  steps: StepProgress[];
  progress: { done: number; skipped: number; total: number };
  cameras: NearestCamera[];
}

export interface AlarmDeskConfig {
  highest_priority: number;
  lowest_priority: number;
  /** Alarms of priority 1..this sound. */
  sound_max_priority: number;
  fold_window_s: number;
  escalation: { up_to_priority: number; after_s: number }[];
  time_zone: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export function fetchAlarmQueue(options: { signal?: AbortSignal } = {}) {
  return apiRequest<Page<AlarmItem>>("/api/alarms?limit=500", options);
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
  return apiRequest<AlarmItem>(`/api/alarms/${id}/resolve`, { method: "POST", body: { resolution, note } });
}

export function markAlarmStep(id: number, stepKey: string, state: StepState, note: string | null) {
  return apiRequest<AlarmDetail>(`/api/alarms/${id}/steps/${encodeURIComponent(stepKey)}`, {
    method: "POST",
    body: { state, note },
  });
}
