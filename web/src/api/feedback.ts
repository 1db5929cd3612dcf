import { apiRequest } from "./client";

/**
 * Residents' feedback (`/api/feedback`): one-time links for answered appeals and closed incidents, the resident's
 * public answer, officer entries, answers and figures per district and inspector. Types are written here until
 * the generated schema names them.
 */

export type FeedbackSubjectKind = "appeal" | "incident";
export type FeedbackChannel = "link" | "officer";

export interface FeedbackSubject {
  appeal_id?: number;
  incident_id?: number;
}

export interface FeedbackLink {
  feedback_id: number;
  token: string;
  /** The public page's path, /feedback/<token>. */
  path: string;
  expires_at: string;
}

export interface FeedbackRead {
  id: number;
  subject_kind: FeedbackSubjectKind;
  appeal_id: number | null;
  incident_id: number | null;
  subject_number: string;
  district_id: number | null;
  inspector_id: number | null;
  requested_at: string;
  expires_at: string | null;
  score: number | null;
  comment: string | null;
  answered_at: string | null;
  channel: FeedbackChannel | null;
  simulated: boolean;
}

export interface FeedbackPublic {
  subject_kind: FeedbackSubjectKind;
  subject_number: string;
  answered: boolean;
  expired: boolean;
}

export const SCORES = [1, 2, 3, 4, 5] as const;

export function issueFeedbackLink(subject: FeedbackSubject): Promise<FeedbackLink> {
  return apiRequest<FeedbackLink>("/api/feedback/links", { method: "POST", body: subject });
}

export function enterFeedback(subject: FeedbackSubject, score: number, comment: string | null): Promise<FeedbackRead> {
  return apiRequest<FeedbackRead>("/api/feedback", { method: "POST", body: { ...subject, score, comment } });
}

/** Answers given in [start, end) (instants), the latest first. */
export function fetchFeedbackAnswers(start: Date, end: Date, includeSimulated: boolean, options: { signal?: AbortSignal } = {}): Promise<FeedbackRead[]> {
  const params = new URLSearchParams({ start: start.toISOString(), end: end.toISOString(), limit: "50" });
  if (includeSimulated) params.set("include_simulated", "true");
  return apiRequest<FeedbackRead[]>(`/api/feedback?${params.toString()}`, { signal: options.signal });
}

export function fetchPublicFeedback(token: string): Promise<FeedbackPublic> {
  return apiRequest<FeedbackPublic>(`/api/feedback/t/${encodeURIComponent(token)}`, { allowUnauthorized: true });
}

export function answerPublicFeedback(token: string, score: number, comment: string | null): Promise<FeedbackPublic> {
  return apiRequest<FeedbackPublic>(`/api/feedback/t/${encodeURIComponent(token)}`, {
    method: "POST",
    body: { score, comment },
    allowUnauthorized: true,
  });
}
