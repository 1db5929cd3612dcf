import { apiRequest } from "./client";
import type { components } from "./schema";

/** The audit log: search, the chain's status, verification and the export of a filtered range. */

type Schemas = components["schemas"];

export type AuditItem = Schemas["AuditRead"];
export type AuditPage = Schemas["Page_AuditRead_"];
export type ChainStatus = Schemas["ChainStatusRead"];
export type VerifyResult = Schemas["VerifyRead"];

/** What the auditor searches by; empty fields are left out. Times are ISO 8601 instants. */
export interface AuditSearch {
  person?: string;
  action?: string;
  target_type?: string;
  target?: string;
  from?: string;
  to?: string;
}

export function auditQuery(search: AuditSearch, extra: Record<string, string> = {}): URLSearchParams {
  const query = new URLSearchParams(extra);
  for (const [key, value] of Object.entries(search)) {
    if (typeof value === "string" && value.trim()) query.set(key, value.trim());
  }
  return query;
}

export function fetchAudit(search: AuditSearch, cursor: string | null, options: { signal?: AbortSignal } = {}) {
  const query = auditQuery(search, { limit: "50", ...(cursor ? { cursor } : {}) });
  return apiRequest<AuditPage>(`/api/audit?${query}`, options);
}

export function fetchChainStatus(options: { signal?: AbortSignal } = {}) {
  return apiRequest<ChainStatus>("/api/audit/status", options);
}

export function verifyChain() {
  return apiRequest<VerifyResult>("/api/audit/verify", { method: "POST", timeoutMs: 120_000 });
}

/** The URL of the export (a download: the browser sends the session cookie; a GET needs no CSRF token). */
export function exportUrl(search: AuditSearch, format: "csv" | "jsonl"): string {
  return `/api/audit/export?${auditQuery(search, { format })}`;
}
