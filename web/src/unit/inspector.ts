import { apiRequest } from "../api/client";
import { isApiError } from "../api/problem";
import type { Passport } from "../api/districts";

/**
 * What the unit app shows an inspector about their own district: which screen, the police points inside, and their
 * district's appeals read defensively (the appeals API may be absent on an older server: then the section is
 * empty with a note rather than an error).
 */

export const INSPECTOR_ROLE = "inspector";
const OPEN_APPEAL_STATES = new Set(["registered", "in_progress", "extended"]);
const POLICE_POINT_KINDS = new Set(["police_post", "reception_point"]);
export const APPEALS_SHOWN = 20;

/** "My district" replaces the not-a-crew-member notice for an inspector, and follows the idle screen of one who
 * also serves in a unit; a dispatch or an assignment always comes first. */
export function showsMyDistrict(role: string | undefined, phase: string, busy: boolean): boolean {
  return role === INSPECTOR_ROLE && !busy && (phase === "not_member" || phase === "ready");
}

/** МОП and УПП inside the district (its passport's registry sites). */
export function policePoints(passport: Pick<Passport, "sites">): number {
  return passport.sites.filter((s) => POLICE_POINT_KINDS.has(s.kind)).length;
}

export interface AppealLine {
  id: number;
  number: string;
  state: string;
  subject: string;
  address: string;
  deadline: string | null;
  overdue: boolean;
  open: boolean;
}

export type DistrictAppeals = { available: true; items: AppealLine[] } | { available: false; items: [] };

const str = (v: unknown, fallback = ""): string => (typeof v === "string" ? v : fallback);

/** The appeals of a page as lines, skipping anything that is not an appeal; open ones first, then the newest. */
export function appealLines(page: unknown): AppealLine[] {
  const items: unknown = typeof page === "object" && page !== null ? (page as { items?: unknown }).items : null;
  if (!Array.isArray(items)) return [];
  const lines: AppealLine[] = [];
  for (const raw of items as unknown[]) {
    if (typeof raw !== "object" || raw === null) continue;
    const a = raw as Record<string, unknown>;
    if (typeof a.id !== "number") continue;
    const state = str(a.state);
    lines.push({
      id: a.id, number: str(a.number, String(a.id)), state, subject: str(a.subject), address: str(a.address),
      deadline: typeof a.deadline === "string" ? a.deadline : null, overdue: a.overdue === true,
      open: OPEN_APPEAL_STATES.has(state),
    });
  }
  // Stable: the server's newest-first order is kept within open and closed.
  return lines.map((line, k) => ({ line, k })).sort((a, b) => Number(b.line.open) - Number(a.line.open) || a.k - b.k).map((x) => x.line);
}

/** The district's latest appeals; a 404 (no appeals API on this server) is "not available", not an error. */
export async function fetchDistrictAppeals(districtId: number, options: { signal?: AbortSignal } = {}): Promise<DistrictAppeals> {
  const query = new URLSearchParams({ district_id: String(districtId), limit: String(APPEALS_SHOWN) });
  try {
    return { available: true, items: appealLines(await apiRequest<unknown>(`/api/appeals?${query}`, options)) };
  } catch (error) {
    if (isApiError(error) && (error.status === 404 || error.status === 405)) return { available: false, items: [] };
    throw error;
  }
}
