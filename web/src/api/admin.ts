import { apiRequest } from "./client";
import type { components } from "./schema";

/** Administration: accounts, unit crews, devices and sites, alarm rules and procedures, settings. */

type Schemas = components["schemas"];

export type UserItem = Schemas["UserRead"];
export type UserCreate = Schemas["UserCreate"];
export type UserUpdate = Schemas["UserUpdate"];
export type Role = Schemas["Role"];
export type DeviceItem = Schemas["DeviceRead"];
export type DevicePatch = Schemas["DevicePatch"];
export type SiteItem = Schemas["SiteRead"];
export type SitePatch = Schemas["SitePatch"];
export type RuleItem = Schemas["RuleRead"];
export type RuleFields = Schemas["RuleFields"];
export type Procedure = Schemas["ProcedureRead"];
export type SettingsList = Schemas["SettingsRead"];
export type SettingItem = Schemas["SettingRead"];

export const ROLES: readonly Role[] = ["operator", "dispatcher", "supervisor", "inspector", "analyst", "admin", "auditor", "patrol", "simulator"];

/** Every account (the server pages by 500 at most; a town has far fewer). */
export async function fetchUsers(options: { signal?: AbortSignal } = {}): Promise<UserItem[]> {
  const items: UserItem[] = [];
  let cursor: string | null | undefined = null;
  do {
    const query = new URLSearchParams({ limit: "500", ...(cursor ? { cursor } : {}) });
    const page: Schemas["Page_UserRead_"] = await apiRequest(`/api/users?${query}`, options);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

export function createUser(body: UserCreate) {
  return apiRequest<UserItem>("/api/users", { method: "POST", body });
}

export function updateUser(id: number, body: UserUpdate) {
  return apiRequest<UserItem>(`/api/users/${id}`, { method: "PATCH", body });
}

export function resetPassword(id: number, password: string) {
  return apiRequest<void>(`/api/users/${id}/password`, { method: "POST", body: { password } satisfies Schemas["PasswordReset"] });
}

export function unlockUser(id: number) {
  return apiRequest<{ cleared: number }>(`/api/users/${id}/unlock`, { method: "POST" });
}

/** Your own password; 400 `auth.wrong_current_password` when the current one is wrong. */
export function changeOwnPassword(body: Schemas["PasswordChange"]) {
  return apiRequest<void>("/api/auth/password", { method: "POST", body });
}

/** The unit's crew: user ids of the accounts that sign in to the unit app as this unit. */
export function setCrew(unitCode: string, members: number[]) {
  return apiRequest<Schemas["UnitRead"]>(`/api/units/${encodeURIComponent(unitCode)}`, { method: "PATCH", body: { members } satisfies Schemas["UnitPatch"] });
}

export function fetchDevices(q: string, options: { signal?: AbortSignal } = {}) {
  const query = new URLSearchParams({ limit: "50", ...(q.trim() ? { q: q.trim() } : {}) });
  return apiRequest<Schemas["Page_DeviceRead_"]>(`/api/devices?${query}`, options);
}

export function updateDevice(code: string, body: DevicePatch) {
  return apiRequest<DeviceItem>(`/api/devices/${encodeURIComponent(code)}`, { method: "PATCH", body });
}

export function decommissionDevice(code: string) {
  return apiRequest<DeviceItem>(`/api/devices/${encodeURIComponent(code)}/decommission`, { method: "POST" });
}

export function fetchSites(q: string, options: { signal?: AbortSignal } = {}) {
  const query = new URLSearchParams({ limit: "50", ...(q.trim() ? { q: q.trim() } : {}) });
  return apiRequest<Schemas["Page_SiteRead_"]>(`/api/sites?${query}`, options);
}

export function updateSite(code: string, body: SitePatch) {
  return apiRequest<SiteItem>(`/api/sites/${encodeURIComponent(code)}`, { method: "PATCH", body });
}

export function fetchRules(options: { signal?: AbortSignal } = {}) {
  return apiRequest<RuleItem[]>("/api/alarms/rules", options);
}

/** A rule is replaced whole; its code stays. */
export function replaceRule(rule: RuleFields) {
  return apiRequest<RuleItem>(`/api/alarms/rules/${encodeURIComponent(rule.code)}`, { method: "PUT", body: rule });
}

export function fetchProcedures(options: { signal?: AbortSignal } = {}) {
  return apiRequest<Procedure[]>("/api/alarms/procedures", options);
}

export function fetchSettings(options: { signal?: AbortSignal } = {}) {
  return apiRequest<SettingsList>("/api/settings", options);
}
