import { apiRequest } from "./client";
import type { components } from "./schema";

/**
 * Speed and red-light violations (`/api/violations`): the review queue, one violation's evidence, decisions,
 * rejection statistics per device, and camera calibration. Types come from the generated schema.
 */

type Schemas = components["schemas"];

export type ViolationRead = Schemas["ViolationRead"];
export type ViolationDeviceStats = Schemas["ViolationDeviceStats"];
export type CalibrationRead = Schemas["CalibrationRead"];
export type EvidenceCheck = Schemas["EvidenceCheck"];
export type RejectReason = NonNullable<Schemas["ViolationDecisionIn"]["reason"]>;

/** The rejection reasons in the order of the desk's number keys 1..6 (the server's RejectReason order). */
export const REJECT_REASONS: RejectReason[] = [
  "plate_unreadable", "plate_misread", "wrong_vehicle", "measurement_doubtful", "exempt_vehicle",
  "evidence_incomplete",
];

export function fetchViolationQueue(options: { signal?: AbortSignal } = {}) {
  return apiRequest<ViolationRead[]>("/api/violations?status=pending&limit=200", options);
}

export function fetchViolationStats(options: { signal?: AbortSignal } = {}) {
  return apiRequest<ViolationDeviceStats[]>("/api/violations/stats/devices", options);
}

export function verifyViolation(id: number, options: { signal?: AbortSignal } = {}) {
  return apiRequest<EvidenceCheck>(`/api/violations/${id}/verify`, options);
}

export function decideViolation(id: number, decision: "confirm" | "reject", reason: RejectReason | null = null) {
  return apiRequest<ViolationRead>(`/api/violations/${id}/decision`, { method: "POST", body: { decision, reason } });
}

/** The URL of one evidence file (the browser sends the session cookie with it). */
export function evidenceUrl(id: number, name: string): string {
  return `/api/violations/${id}/evidence/${encodeURIComponent(name)}`;
}

export function isImage(name: string): boolean {
  return /\.(jpe?g|png)$/i.test(name) && name !== "plate.png";
}

export function fetchCalibration(code: string, options: { signal?: AbortSignal } = {}) {
  return apiRequest<CalibrationRead>(`/api/violations/calibrations/${encodeURIComponent(code)}`, options);
}

export function saveCalibration(code: string, imagePoints: number[][], planePoints: number[][]) {
  return apiRequest<CalibrationRead>(`/api/violations/calibrations/${encodeURIComponent(code)}`, {
    method: "PUT", body: { image_points: imagePoints, plane_points: planePoints },
  });
}

/** The camera's current picture, from the video domain's snapshot route. */
export function snapshotUrl(code: string): string {
  return `/api/video/cameras/${encodeURIComponent(code)}/snapshot.jpg`;
}
