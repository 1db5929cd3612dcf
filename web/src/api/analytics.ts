import { apiRequest } from "./client";

/**
 * Video analytics (`/api/video/...`): rules drawn on a camera's picture, objects found for search with their
 * thumbnails, and line-crossing counts. Geometry is in frame coordinates 0..1, as the pipeline reports boxes.
 */

export const RULE_KINDS = ["zone", "line", "loitering", "crowd", "stopped_vehicle"] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
/** The classes the detector reports (contracts.CLASSES on the server). */
export const OBJECT_CLASSES = ["person", "bicycle", "car", "motorcycle", "bus", "truck"] as const;
export type ObjectClass = (typeof OBJECT_CLASSES)[number];
/** Which crossings of a line raise an event: forward is the way its arrow points (right of A → B, y down). */
export const LINE_DIRECTIONS = ["both", "forward", "backward"] as const;
export type LineDirection = (typeof LINE_DIRECTIONS)[number];

/** When a rule is armed: weekdays 0 = Monday … 6 = Sunday on which the window starts, local times "HH:MM"; `to`
 * before `from` is the next morning (22:00–06:00). */
export interface RuleSchedule {
  days: number[];
  from: string;
  to: string;
}

/** A rule as the server keeps it. */
export interface AnalyticsRule {
  id: number;
  camera: string;
  name: string;
  kind: RuleKind;
  /** A polygon (zone, loitering, crowd, stopped vehicle) or a line A → B (line), [x, y] each. */
  points: number[][];
  classes: ObjectClass[];
  schedule: RuleSchedule | null;
  /** Loitering, stopped vehicle: seconds before it fires. */
  min_seconds: number | null;
  /** Crowd: more than this many persons. */
  min_count: number | null;
  /** Lines: which crossings raise an event. */
  direction: LineDirection;
  /** Lines: false counts traffic only. */
  alert: boolean;
  enabled: boolean;
  created_at?: string;
  updated_at?: string;
}

/** What the API takes to create or replace a rule (schemas.RuleIn on the server). */
export type AnalyticsRuleIn = Omit<AnalyticsRule, "id" | "camera" | "created_at" | "updated_at">;

/** One tracked object kept for search: its class, when it was seen, its best thumbnail. */
export interface DetectedObject {
  id: number;
  camera: string;
  track_id: number;
  label: ObjectClass;
  first_seen: string;
  last_seen: string;
  /** When the thumbnail was taken: playback opens here. */
  best_at: string;
  score: number;
  /** x1, y1, x2, y2 in 0..1 at the best frame. */
  box: number[];
  /** Polygon rules it was seen in, by id. */
  zones: number[];
  thumbnail_url: string | null;
}

export interface ObjectPage {
  items: DetectedObject[];
  next_cursor: string | null;
}

/** One time bucket of a line's counts. */
export interface CountBucket {
  start: string;
  forward: number;
  backward: number;
}

/** Crossings of one line rule in a period, per direction (forward: the way its arrow points), class and interval. */
export interface LineCounts {
  rule_id: number;
  name: string;
  forward: number;
  backward: number;
  by_label: Record<string, { forward: number; backward: number }>;
  buckets: CountBucket[];
}

type Opts = { signal?: AbortSignal };

const camera = (code: string) => `/api/video/cameras/${encodeURIComponent(code)}/analytics`;

export function fetchRules(code: string, options: Opts = {}) {
  return apiRequest<AnalyticsRule[]>(`${camera(code)}/rules`, options);
}

export function createRule(code: string, body: AnalyticsRuleIn) {
  return apiRequest<AnalyticsRule>(`${camera(code)}/rules`, { method: "POST", body });
}

export function updateRule(code: string, id: number, body: AnalyticsRuleIn) {
  return apiRequest<AnalyticsRule>(`${camera(code)}/rules/${id}`, { method: "PUT", body });
}

export function deleteRule(code: string, id: number) {
  return apiRequest<void>(`${camera(code)}/rules/${id}`, { method: "DELETE" });
}

/** What a rule raised on a camera: its snapshot (box drawn) and the moment. */
export interface AnalyticsEvent {
  id: number;
  camera: string;
  rule_id: number | null;
  rule: string;
  kind: RuleKind;
  label: string | null;
  track_id: number | null;
  at: string;
  count: number | null;
  direction: LineDirection | null;
  box: number[] | null;
  snapshot_url: string | null;
}

export interface EventPage {
  items: AnalyticsEvent[];
  next_cursor: string | null;
}

/** The camera's latest analytics events, newest first. */
export function fetchEvents(code: string, limit: number, options: Opts = {}) {
  const params = new URLSearchParams({ camera: code, limit: String(limit) });
  return apiRequest<EventPage>(`/api/video/analytics/events?${params}`, options);
}

export interface ObjectQuery {
  /** One camera, or several (up to 20) searched at once. */
  camera: string | readonly string[];
  from: string;
  to: string;
  label?: ObjectClass | null;
  zone?: number | null;
  cursor?: string | null;
  limit?: number;
}

export function objectQueryString(query: ObjectQuery): string {
  const params = new URLSearchParams();
  for (const camera of typeof query.camera === "string" ? [query.camera] : query.camera) params.append("camera", camera);
  params.set("from", query.from);
  params.set("to", query.to);
  if (query.label) params.set("label", query.label);
  if (query.zone !== undefined && query.zone !== null) params.set("zone", String(query.zone));
  if (query.cursor) params.set("cursor", query.cursor);
  params.set("limit", String(query.limit ?? 48));
  return params.toString();
}

export function searchObjects(query: ObjectQuery, options: Opts = {}) {
  return apiRequest<ObjectPage>(`/api/video/analytics/objects?${objectQueryString(query)}`, options);
}

export function fetchLineCounts(code: string, range: { from: string; to: string }, options: Opts = {}) {
  const params = new URLSearchParams({ from: range.from, to: range.to });
  return apiRequest<LineCounts[]>(`${camera(code)}/counts?${params}`, options);
}
