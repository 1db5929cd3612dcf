import { apiRequest } from "./client";

/**
 * The registry of offences (`/api/offences`) as the statistics desk's drill-down reads it: a page of records
 * behind a figure. No personal data is stored in the registry. Types are written here until the generated schema
 * names them.
 */

export interface OffenceRecord {
  id: number;
  reg_number: string | null;
  kind: "criminal" | "administrative";
  registered_on: string;
  committed_at: string | null;
  article_code: string;
  offence_class: "crime" | "misdemeanour" | "administrative";
  severity: "minor" | "medium" | "grave" | "especially_grave" | null;
  article_group: string;
  status: "investigating" | "sent_to_court" | "terminated" | "interrupted";
  termination_ground: string | null;
  status_on: string | null;
  persons_identified: number;
  lon: number | null;
  lat: number | null;
  settlement: string | null;
  district_id: number | null;
  place_type: string;
  incident_id: number | null;
  call_ref: string | null;
  source: "import" | "qorgau" | "generated";
  draft: boolean;
}

export interface OffencePage {
  items: OffenceRecord[];
  next_cursor: string | null;
}

/** The records behind one figure: its period, the desk's filters and the figure's own slice. */
export interface DrillDown {
  first: string;
  last: string;
  districtId?: number | null;
  settlement?: string | null;
  articleGroup?: string | null;
  offenceClass?: string | null;
  status?: string | null;
  includeGenerated: boolean;
}

export function drillDownParams(drill: DrillDown, cursor?: string | null, limit = 50): URLSearchParams {
  const params = new URLSearchParams({ date_from: drill.first, date_to: drill.last, limit: String(limit) });
  if (drill.districtId) params.set("district_id", String(drill.districtId));
  if (drill.settlement) params.set("settlement", drill.settlement);
  if (drill.articleGroup) params.set("article_group", drill.articleGroup);
  if (drill.offenceClass) params.set("offence_class", drill.offenceClass);
  if (drill.status) params.set("status", drill.status);
  // The list shows extracts and Qorgau's own records unless sources are named; generated ones only when included.
  for (const source of drill.includeGenerated ? ["import", "qorgau", "generated"] : ["import", "qorgau"]) params.append("source", source);
  params.set("draft", "false");
  if (cursor) params.set("cursor", cursor);
  return params;
}

export function fetchOffences(drill: DrillDown, cursor?: string | null, options: { signal?: AbortSignal } = {}): Promise<OffencePage> {
  return apiRequest<OffencePage>(`/api/offences?${drillDownParams(drill, cursor).toString()}`, { signal: options.signal });
}
