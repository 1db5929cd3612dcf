import { apiRequest } from "./client";
import type { components } from "./schema";

/**
 * The registry of offences (`/api/offences`) as the statistics desk's drill-down reads it: a page of records
 * behind a figure. No personal data is stored in the registry. Types are the generated schema's.
 */

export type OffenceRecord = components["schemas"]["OffenceRead"];
export type OffencePage = components["schemas"]["OffencePage"];

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
