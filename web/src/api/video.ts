import { apiRequest } from "./client";

/**
 * The video API (`/api/video`): cameras with their stream state, timelines, playback sessions, exports and walls.
 * Declared locally after the contracts while the server views are being written; switch to the generated
 * `schema.d.ts` types once they exist.
 */

export type CameraState = "idle" | "connecting" | "streaming" | "auth_failed" | "unreachable" | "no_video" | "unsupported";
export type StreamKind = "main" | "sub";
export type WallLayout = "1" | "2x2" | "3x3" | "4x4";
export type ExportState = "pending" | "running" | "done" | "failed";

/** The figures a worker reports for one stream of a camera. */
export interface StreamStatus {
  state: CameraState;
  codec?: string | null;
  width?: number | null;
  height?: number | null;
  fps_in?: number | null;
  bitrate_kbps?: number | null;
  reconnects?: number;
  dropped_packets?: number;
  last_frame_at?: string | null;
  viewers?: number;
  recording?: boolean;
  error?: string | null;
}

export interface VideoCamera {
  code: string;
  name_kk: string;
  name_ru: string;
  lon?: number | null;
  lat?: number | null;
  group?: string | null;
  recording_mode?: string | null;
  state: CameraState;
  /** Per stream (main, sub), when a worker has reported. */
  streams?: Partial<Record<StreamKind, StreamStatus>>;
  distance_m?: number | null;
  privacy_masks?: number[][][];
}

export interface CameraPage {
  items: VideoCamera[];
  total?: number;
}

export interface TimeRange {
  from: string;
  to: string;
}

export interface TimelineMarker {
  id: number | string;
  at: string;
  kind?: string;
  label?: string | null;
}

export interface CameraTimeline {
  code?: string;
  from: string;
  to: string;
  recorded: TimeRange[];
  gaps: TimeRange[];
  alarms: TimelineMarker[];
  incidents: TimelineMarker[];
}

export interface SegmentRef {
  id: number;
  start_at: string;
  end_at: string;
  frames?: number;
  codec?: string;
  width?: number;
  height?: number;
}

export interface PlaybackCamera {
  code: string;
  segments: SegmentRef[];
}

export interface PlaybackSession {
  from: string;
  to: string;
  cameras: PlaybackCamera[];
}

export interface VideoExport {
  id: string;
  state: ExportState;
  cameras: string[];
  from: string;
  to: string;
  reason: string;
  created_by?: string;
  created_by_name?: string | null;
  created_at: string;
  finished_at?: string | null;
  bytes?: number | null;
  manifest_sha256?: string | null;
  error?: string | null;
}

export interface WallTile {
  camera: string | null;
  follow_alarms: boolean;
}

export interface VideoWall {
  id: number;
  name: string;
  layout: WallLayout;
  tiles: WallTile[];
  /** The situation center's wall (no owner). */
  shared: boolean;
  updated_by?: string;
  updated_at?: string;
}

export interface WallSave {
  name: string;
  layout: WallLayout;
  tiles: WallTile[];
}

type Opts = { signal?: AbortSignal };

export interface CameraQuery {
  q?: string;
  state?: CameraState | "";
  group?: string;
  near?: [number, number];
  limit?: number;
}

export function cameraQueryString(query: CameraQuery): string {
  const params = new URLSearchParams();
  if (query.q) params.set("q", query.q);
  if (query.state) params.set("state", query.state);
  if (query.group) params.set("group", query.group);
  if (query.near) params.set("near", `${query.near[0]},${query.near[1]}`);
  if (query.limit !== undefined) params.set("limit", String(query.limit));
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function fetchCameras(query: CameraQuery = {}, options: Opts = {}) {
  return apiRequest<CameraPage>(`/api/video/cameras${cameraQueryString(query)}`, options);
}

export function fetchCamera(code: string, options: Opts = {}) {
  return apiRequest<VideoCamera>(`/api/video/cameras/${encodeURIComponent(code)}`, options);
}

export function snapshotUrl(code: string): string {
  return `/api/video/cameras/${encodeURIComponent(code)}/snapshot.jpg`;
}

/** The live WebSocket's address on this page's origin. */
export function liveSocketUrl(code: string, stream: StreamKind, location: Pick<Location, "protocol" | "host"> = window.location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/api/video/cameras/${encodeURIComponent(code)}/live?stream=${stream}`;
}

export function fetchTimeline(code: string, range: TimeRange, options: Opts = {}) {
  const query = new URLSearchParams({ from: range.from, to: range.to });
  return apiRequest<CameraTimeline>(`/api/video/cameras/${encodeURIComponent(code)}/timeline?${query}`, options);
}

export function openPlayback(body: { cameras: string[]; from: string; to: string; reason?: string }, options: Opts = {}) {
  return apiRequest<PlaybackSession>("/api/video/playback", { method: "POST", body, ...options });
}

export function segmentUrl(id: number): string {
  return `/api/video/segments/${id}`;
}

export function createExport(body: { cameras: string[]; from: string; to: string; reason: string }) {
  return apiRequest<VideoExport>("/api/video/exports", { method: "POST", body });
}

export function fetchExports(options: Opts = {}) {
  return apiRequest<{ items: VideoExport[] } | VideoExport[]>("/api/video/exports", options).then((page) =>
    Array.isArray(page) ? page : page.items,
  );
}

export function exportDownloadUrl(id: string): string {
  return `/api/video/exports/${encodeURIComponent(id)}/download`;
}

export function fetchWalls(options: Opts = {}) {
  return apiRequest<{ items: VideoWall[] } | VideoWall[]>("/api/video/walls", options).then((page) =>
    Array.isArray(page) ? page : page.items,
  );
}

/** Creates or replaces the caller's wall of this name, or (shared) the situation center's one wall. */
export function saveWall(wall: WallSave, shared: boolean) {
  return apiRequest<VideoWall>(shared ? "/api/video/walls/shared" : "/api/video/walls", { method: "PUT", body: wall });
}

export function deleteWall(wall: Pick<VideoWall, "id" | "shared">) {
  return apiRequest<void>(wall.shared ? "/api/video/walls/shared" : `/api/video/walls/${wall.id}`, { method: "DELETE" });
}

export type RecordingMode = "continuous" | "events" | "off";
/** A privacy mask: [x, y] points in frame coordinates 0..1. */
export type MaskPolygon = number[][];

export interface CameraGroup {
  code: string;
  name_kk: string;
  name_ru: string;
  name_en: string;
  retention_days: number | null;
  roles: string[] | null;
}

export interface CameraSettings {
  code: string;
  /** The effective group (own setting, else by purpose). */
  group: string;
  own_group: string | null;
  recording_mode: RecordingMode | null;
  volume: string | null;
  privacy_masks: MaskPolygon[];
}

export interface CameraSettingsIn {
  group: string | null;
  recording_mode: RecordingMode | null;
  volume: string | null;
  privacy_masks: MaskPolygon[];
}

export function fetchGroups(options: Opts = {}) {
  return apiRequest<CameraGroup[]>("/api/video/groups", options);
}

export function fetchCameraSettings(code: string, options: Opts = {}) {
  return apiRequest<CameraSettings>(`/api/video/cameras/${encodeURIComponent(code)}/settings`, options);
}

export function saveCameraSettings(code: string, body: CameraSettingsIn) {
  return apiRequest<CameraSettings>(`/api/video/cameras/${encodeURIComponent(code)}/settings`, { method: "PUT", body });
}
