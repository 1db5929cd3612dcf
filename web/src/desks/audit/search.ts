import type { AuditSearch } from "../../api/audit";
import { wallClock } from "../../shell/time";
import { fromLocalInput } from "../video/localTime";

/** The audit desk's search form: text as typed, times as `datetime-local` values in the installation's zone. */
export interface SearchForm {
  person: string;
  action: string;
  targetType: string;
  target: string;
  from: string;
  to: string;
}

export const EMPTY_FORM: SearchForm = { person: "", action: "", targetType: "", target: "", from: "", to: "" };

/** Actions an auditor looks for most; any other action name can be typed. */
export const COMMON_ACTIONS: readonly string[] = [
  "auth.login", "auth.logout", "auth.password_change", "auth.permission_denied", "users.create", "users.update",
  "users.role_change", "users.password_reset", "users.unlock", "units.create", "units.update", "devices.update",
  "devices.decommission", "sites.update", "alarms.rule_update", "audit.verify", "audit.export", "video.live_view",
  "video.playback", "video.export",
];

function instant(value: string, timeZone: string): string | undefined {
  const ms = fromLocalInput(value, timeZone);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The server's search parameters for a form (empty fields and unreadable times left out). */
export function toSearch(form: SearchForm, timeZone: string): AuditSearch {
  return {
    person: form.person, action: form.action, target_type: form.targetType, target: form.target,
    from: instant(form.from, timeZone), to: instant(form.to, timeZone),
  };
}

/** A whole local day as `datetime-local` values: 0 today, -1 yesterday (midnight to midnight in `timeZone`). */
export function dayRange(offsetDays: number, now: Date, timeZone: string): { from: string; to: string } {
  const day = (shift: number) => {
    // Noon of the wanted day, read back in the zone: never lands on the wrong date near midnight or a DST change.
    const c = wallClock(now, timeZone);
    const noon = Date.UTC(Number(c.year), Number(c.month) - 1, Number(c.day) + shift, 12);
    const d = new Date(noon);
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}-${String(d.getUTCDate()).padStart(2, "0")}T00:00`;
  };
  return { from: day(offsetDays), to: day(offsetDays + 1) };
}
