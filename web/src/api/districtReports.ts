import { apiRequest } from "./client";

/**
 * The service model's report (`/api/district-reports`): per police district and inspector for a period of local
 * days — residents, walking coverage, incidents, appeals, residents' satisfaction — as JSON or as an XLSX/PDF
 * document. Types are written here until the generated schema names them.
 */

export type DistrictFlag = "over_norm" | "low_coverage" | "overdue_appeals" | "low_satisfaction";
export const DISTRICT_FLAGS: readonly DistrictFlag[] = ["over_norm", "low_coverage", "overdue_appeals", "low_satisfaction"];

export interface ReportFigures {
  incidents: number | null;
  appeals_received: number;
  appeals_answered: number;
  appeals_on_time: number;
  appeals_overdue: number;
  appeals_open: number;
  on_time_share: number | null;
  feedback_requests: number;
  feedback_answers: number;
  mean_score: number | null;
  satisfied_share: number | null;
  response_rate: number | null;
}

export interface DistrictReportRow extends ReportFigures {
  district_id: number;
  number: number;
  name_kk: string;
  name_ru: string;
  name_en: string;
  inspectors: string[];
  residents: number;
  residents_per_inspector: number | null;
  /** Aligned with the report's walk_minutes. */
  walk_shares: (number | null)[];
  flags: DistrictFlag[];
}

export interface InspectorReportRow extends ReportFigures {
  user_id: number | null;
  name: string;
  district_numbers: number[];
  residents: number;
  flags: DistrictFlag[];
}

export interface ReportThresholds {
  residents_norm: number;
  low_coverage_share: number;
  low_coverage_minutes: number;
  low_satisfaction_share: number;
  low_satisfaction_min_answers: number;
}

export interface DistrictReport {
  start: string;
  end: string;
  set_version: number | null;
  include_simulated: boolean;
  walk_minutes: number[];
  thresholds: ReportThresholds;
  districts: DistrictReportRow[];
  inspectors: InspectorReportRow[];
  total: ReportFigures;
  total_residents: number;
  total_walk_shares: (number | null)[];
}

/** A period of local days, both ends included, as YYYY-MM-DD. */
export interface ReportPeriod {
  start: string;
  end: string;
}

export type ReportFormat = "xlsx" | "pdf";
export type ReportLanguage = "kk" | "ru" | "en";

function query(period: ReportPeriod, includeSimulated: boolean): URLSearchParams {
  const params = new URLSearchParams({ start: period.start, end: period.end });
  if (includeSimulated) params.set("include_simulated", "true");
  return params;
}

export function fetchDistrictReport(period: ReportPeriod, includeSimulated: boolean, options: { signal?: AbortSignal } = {}): Promise<DistrictReport> {
  return apiRequest<DistrictReport>(`/api/district-reports?${query(period, includeSimulated).toString()}`, {
    signal: options.signal,
    timeoutMs: 60_000,
  });
}

/** The document's download address (a plain link: the browser's session cookie authorises it). */
export function districtReportUrl(period: ReportPeriod, includeSimulated: boolean, format: ReportFormat, lang: ReportLanguage): string {
  const params = query(period, includeSimulated);
  params.set("format", format);
  params.set("lang", lang);
  return `/api/district-reports?${params.toString()}`;
}
