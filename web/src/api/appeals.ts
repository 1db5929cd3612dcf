import { apiRequest } from "./client";
import type { components } from "./schema";

/**
 * Residents' appeals (`/api/appeals`): register, list, read (the applicant only on request, audited), act,
 * attach, subjects and the working-day calendar. Types come from the generated schema.
 */

type Schemas = components["schemas"];

export type AppealChannel = Schemas["AppealChannel"];
export type AppealState = Schemas["AppealState"];
export type AppealActionName = "take" | "answer" | "extend" | "transfer" | "reassign";

export const APPEAL_CHANNELS: AppealChannel[] = ["reception", "phone", "online", "102", "eotinish"];
export const APPEAL_STATES: AppealState[] = ["registered", "in_progress", "extended", "answered", "transferred"];
export const OPEN_APPEAL_STATES: AppealState[] = ["registered", "in_progress", "extended"];

export type AppealRead = Schemas["AppealRead"];
export type AppealEntry = Schemas["AppealEntryRead"];
export type AppealAttachment = Schemas["AppealAttachmentRead"];
export type AppealDetail = Schemas["AppealDetail"];
export type AppealPage = Schemas["AppealPage"];
export type AppealSubject = Schemas["AppealSubjectRead"];
export type AppealCreate = Schemas["AppealCreate"];
/** One action; `action` narrowed to the five the server accepts (its schema states them as a pattern). */
export type AppealAction = Partial<Omit<Schemas["AppealUpdate"], "action">> & { action: AppealActionName };

export interface AppealFilters {
  mine?: boolean;
  district_id?: number | null;
  state?: AppealState | null;
  channel?: AppealChannel | null;
  overdue?: boolean | null;
  start?: string | null;
  end?: string | null;
  cursor?: string | null;
  limit?: number;
}

/** The query string of a list request: empty filters are left out. */
export function appealQuery(filters: AppealFilters): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === null || value === "" || value === false) continue;
    query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `?${text}` : "";
}

export function fetchAppeals(filters: AppealFilters, options: { signal?: AbortSignal } = {}) {
  return apiRequest<AppealPage>(`/api/appeals${appealQuery(filters)}`, options);
}

/** One appeal; `personal` shows the applicant's name and contact, and the server audits that view. */
export function fetchAppeal(id: number, personal = false, options: { signal?: AbortSignal } = {}) {
  return apiRequest<AppealDetail>(`/api/appeals/${id}${personal ? "?personal=true" : ""}`, options);
}

export function fetchAppealSubjects(options: { signal?: AbortSignal } = {}) {
  return apiRequest<AppealSubject[]>("/api/appeals/subjects", options);
}

export function registerAppeal(body: AppealCreate) {
  return apiRequest<AppealRead>("/api/appeals", { method: "POST", body });
}

export function actOnAppeal(id: number, body: AppealAction) {
  return apiRequest<AppealRead>(`/api/appeals/${id}/actions`, { method: "POST", body });
}
