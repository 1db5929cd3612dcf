import { apiRequest } from "./client";
import type { components } from "./schema";

/**
 * The video API (`/api/video`): cameras with their stream state, timelines, playback sessions, exports, walls and
 * camera settings. The live view is a WebSocket (see `video/liveStream.ts`), segments and exports plain files.
 */

type Schemas = components["schemas"];

export type CameraState = Schemas["CameraState"];
export type StreamKind = Schemas["StreamKind"];
export type WallLayout = Schemas["WallRead"]["layout"];
export type ExportState = Schemas["ExportState"];
export type RecordingMode = Schemas["RecordingMode"];

/** The figures a worker reports for one stream of a camera. */
export type StreamStatus = Schemas["StreamStatusRead"];
/** A camera of the list: registry data, group, state, frame rate. */
export type VideoCamera = Schemas["VideoCameraRead"];
/** One camera with both streams' figures, recording mode, retention, number of masks. */
export type VideoCameraDetail = Schemas["CameraDetail"];
export type CameraPage = Schemas["CameraPage"];

export interface TimeRange {
  from: string;
  to: string;
}

export type Span = Schemas["SpanRead"];
export type TimelineAlarm = Schemas["TimelineAlarm"];
export type TimelineIncident = Schemas["TimelineIncident"];
export type CameraTimeline = Schemas["TimelineRead"];
export type SegmentRef = Schemas["SegmentRead"];
export type PlaybackCamera = Schemas["CameraSegments"];
export type PlaybackSession = Schemas["PlaybackRead"];
export type VideoExport = Schemas["ExportRead"];
export type WallTile = Schemas["Tile"];
export type VideoWall = Schemas["WallRead"];
export type WallSave = Schemas["WallIn"];
export type CameraGroup = Schemas["GroupRead"];
export type CameraSettings = Schemas["CameraSettingsRead"];
export type CameraSettingsIn = Schemas["CameraSettingsIn"];
/** A privacy mask: [x, y] points in frame coordinates 0..1. */
export type MaskPolygon = number[][];

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
  return apiRequest<VideoCameraDetail>(`/api/video/cameras/${encodeURIComponent(code)}`, options);
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

export function openPlayback(body: Schemas["PlaybackCreate"], options: Opts = {}) {
  return apiRequest<PlaybackSession>("/api/video/playback", { method: "POST", body, ...options });
}

export function segmentUrl(id: number): string {
  return `/api/video/segments/${id}`;
}

export function createExport(body: Schemas["ExportCreate"]) {
  return apiRequest<VideoExport>("/api/video/exports", { method: "POST", body });
}

export function fetchExports(options: Opts = {}) {
  return apiRequest<Schemas["Page_ExportRead_"]>("/api/video/exports", options).then((page) => page.items);
}

export function exportDownloadUrl(id: string): string {
  return `/api/video/exports/${encodeURIComponent(id)}/download`;
}

export function fetchWalls(options: Opts = {}) {
  return apiRequest<VideoWall[]>("/api/video/walls", options);
}

/** Creates or replaces the caller's wall of this name, or (shared) the situation center's one wall. */
export function saveWall(wall: WallSave, shared: boolean) {
  return apiRequest<VideoWall>(shared ? "/api/video/walls/shared" : "/api/video/walls", { method: "PUT", body: wall });
}

export function deleteWall(wall: Pick<VideoWall, "id" | "shared">) {
  return apiRequest<void>(wall.shared ? "/api/video/walls/shared" : `/api/video/walls/${wall.id}`, { method: "DELETE" });
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

/** Forget the camera's learned reference view (it was re-aimed on purpose): its worker learns a new one (ADR 0029). */
export function resetPictureReference(code: string) {
  return apiRequest<void>(`/api/video/cameras/${encodeURIComponent(code)}/picture-reference`, { method: "DELETE" });
}
