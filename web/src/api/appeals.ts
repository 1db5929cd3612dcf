import { apiRequest } from "./client";

/**
 * Residents' appeals (`/api/appeals`): register, list, read (the applicant only on request, audited), act,
 * attach, subjects and the working-day calendar. Types are written here until the generated schema names them.
 */

export type AppealChannel = "reception" | "phone" | "online" | "102" | "eotinish";
export type AppealState = "registered" | "in_progress" | "extended" | "answered" | "transferred";
export type AppealActionName = "take" | "answer" | "extend" | "transfer" | "reassign";

export const APPEAL_CHANNELS: AppealChannel[] = ["reception", "phone", "online", "102", "eotinish"];
export const APPEAL_STATES: AppealState[] = ["registered", "in_progress", "extended", "answered", "transferred"];
export const OPEN_APPEAL_STATES: AppealState[] = ["registered", "in_progress", "extended"];

export interface AppealRead {
  id: number;
  number: string;
  channel: AppealChannel;
  state: AppealState;
  subject: string;
  address: string;
  lon: number;
  lat: number;
  district_id: number | null;
  district_number: number | null;
  routed_manually: boolean;
  inspector_id: number | null;
  inspector_name: string | null;
  text: string;
  registered_at: string;
  deadline: string;
  working_days_left: number;
  overdue: boolean;
  extended: boolean;
  extension_reason: string | null;
  answer: string | null;
  answered_at: string | null;
  transferred_to: string | null;
  simulated: boolean;
  personal_shown: boolean;
  applicant_name: string | null;
  applicant_contact: string | null;
}

export interface AppealEntry {
  at: string;
  kind: string;
  from_state: string | null;
  to_state: string | null;
  actor: string;
  actor_name: string | null;
  note: string | null;
}

export interface AppealAttachment {
  id: number;
  filename: string;
  media_type: string;
  size: number;
  uploaded_at: string;
}

export interface AppealDetail extends AppealRead {
  timeline: AppealEntry[];
  attachments: AppealAttachment[];
}

export interface AppealPage {
  items: AppealRead[];
  next_cursor: string | null;
}

export interface AppealSubject {
  code: string;
  name_kk: string;
  name_ru: string;
  name_en: string;
}

export interface AppealCreate {
  channel: AppealChannel;
  applicant_name: string;
  applicant_contact: string | null;
  address: string;
  lon: number;
  lat: number;
  subject: string;
  text: string;
  district_id?: number | null;
}

export interface AppealAction {
  action: AppealActionName;
  answer?: string;
  reason?: string;
  transferred_to?: string;
  inspector_id?: number;
}

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
