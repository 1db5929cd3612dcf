import type { AnalyticsRule, AnalyticsRuleIn, LineDirection, ObjectClass, RuleKind } from "../../../api/analytics";
import { lineProblem, zoneProblem, type GeometryProblem, type Point } from "./geometry";

/** The rule editor's form (pure): a draft of one rule, its checks, and the server's field errors mapped onto it. */

/** Weekdays as the API names them: 0 = Monday … 6 = Sunday. */
export const WEEK = [0, 1, 2, 3, 4, 5, 6] as const;
const VEHICLE_CLASSES: ObjectClass[] = ["car", "bus", "truck", "motorcycle"];

export interface RuleDraft {
  id: number | null;
  name: string;
  kind: RuleKind;
  points: Point[];
  classes: ObjectClass[];
  /** Off: armed always. */
  scheduled: boolean;
  days: number[];
  from: string;
  to: string;
  minSeconds: number | null;
  minCount: number | null;
  /** Lines: which crossings raise an event (both are always counted). */
  direction: LineDirection;
  /** Lines: false counts traffic only, raising no event. */
  alert: boolean;
  enabled: boolean;
}

/** The form's fields a message can stand beside. */
export type DraftField = "name" | "kind" | "points" | "classes" | "schedule" | "direction" | "minSeconds" | "minCount" | "form";

export function isLine(kind: RuleKind): boolean {
  return kind === "line";
}

/** Which threshold a kind has: seconds (loitering, stopped vehicle), a count (crowd), or none. */
export function thresholdOf(kind: RuleKind): "seconds" | "count" | null {
  if (kind === "loitering" || kind === "stopped_vehicle") return "seconds";
  if (kind === "crowd") return "count";
  return null;
}

/** Whether a kind takes a duration: required (loitering, stopped vehicle), optional (a crowd that must last before
 * it alarms; empty: at once), or none. */
export function secondsOf(kind: RuleKind): "required" | "optional" | null {
  if (thresholdOf(kind) === "seconds") return "required";
  if (kind === "crowd") return "optional";
  return null;
}

/** Sensible defaults per kind: a crowd is persons, a stopped vehicle is a vehicle, a line counts traffic. */
export function defaultClasses(kind: RuleKind): ObjectClass[] {
  if (kind === "stopped_vehicle" || kind === "line") return [...VEHICLE_CLASSES];
  return ["person"];
}

export function newDraft(kind: RuleKind = "zone"): RuleDraft {
  return {
    id: null, name: "", kind, points: [], classes: defaultClasses(kind), scheduled: false, days: [...WEEK],
    from: "22:00", to: "06:00", minSeconds: thresholdOf(kind) === "seconds" ? (kind === "loitering" ? 60 : 30) : null,
    minCount: thresholdOf(kind) === "count" ? 10 : null, direction: "both", alert: kind !== "line", enabled: true,
  };
}

/** Another kind chosen: the drawing goes when it changes between a polygon and a line, the thresholds follow. */
export function withKind(draft: RuleDraft, kind: RuleKind): RuleDraft {
  const fresh = newDraft(kind);
  return {
    ...draft, kind, points: isLine(kind) === isLine(draft.kind) ? draft.points : [],
    classes: draft.points.length === 0 && draft.id === null ? fresh.classes : draft.classes,
    minSeconds: secondsOf(kind) === null ? null : secondsOf(kind) === secondsOf(draft.kind) ? draft.minSeconds : fresh.minSeconds,
    alert: isLine(kind) === isLine(draft.kind) ? draft.alert : fresh.alert,
    minCount: thresholdOf(kind) === "count" ? draft.minCount ?? fresh.minCount : null,
  };
}

export function draftFromRule(rule: AnalyticsRule): RuleDraft {
  const base = newDraft(rule.kind);
  return {
    id: rule.id, name: rule.name, kind: rule.kind, points: rule.points.map((p): Point => [p[0], p[1]]),
    classes: [...rule.classes], scheduled: rule.schedule !== null, days: rule.schedule ? [...rule.schedule.days] : base.days,
    from: rule.schedule?.from ?? base.from, to: rule.schedule?.to ?? base.to, minSeconds: rule.min_seconds,
    minCount: rule.min_count, direction: rule.direction, alert: rule.alert, enabled: rule.enabled,
  };
}

/** The body the API takes. */
export function ruleBody(draft: RuleDraft): AnalyticsRuleIn {
  const threshold = thresholdOf(draft.kind);
  return {
    name: draft.name.trim(), kind: draft.kind, points: draft.points.map((p) => [p[0], p[1]]), classes: [...draft.classes],
    schedule: draft.scheduled ? { days: [...draft.days].sort((a, b) => a - b), from: draft.from, to: draft.to } : null,
    min_seconds: secondsOf(draft.kind) !== null ? draft.minSeconds : null, min_count: threshold === "count" ? draft.minCount : null,
    direction: isLine(draft.kind) ? draft.direction : "both", alert: isLine(draft.kind) ? draft.alert : true, enabled: draft.enabled,
  };
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Whether the schedule runs past midnight (22:00–06:00 is one night, not two halves). */
export function crossesMidnight(from: string, to: string): boolean {
  return TIME.test(from) && TIME.test(to) && to <= from;
}

/** A problem found in the form, as a translation key under `analytics.problem.` or `analytics.geometry.`. */
export type DraftProblems = Partial<Record<DraftField, string>>;

/** What is wrong with the draft before it goes to the server (the server checks the same and more). */
export function draftProblems(draft: RuleDraft): DraftProblems {
  const problems: DraftProblems = {};
  if (!draft.name.trim()) problems.name = "analytics.problem.name";
  const geometry: GeometryProblem | null = isLine(draft.kind) ? lineProblem(draft.points) : zoneProblem(draft.points);
  if (geometry) problems.points = `analytics.geometry.${geometry}`;
  if (draft.classes.length === 0) problems.classes = "analytics.problem.classes";
  if (draft.scheduled && (draft.days.length === 0 || !TIME.test(draft.from) || !TIME.test(draft.to) || draft.from === draft.to)) {
    problems.schedule = "analytics.problem.schedule";
  }
  const threshold = thresholdOf(draft.kind);
  if (threshold === "seconds" && !(draft.minSeconds !== null && Number.isInteger(draft.minSeconds) && draft.minSeconds >= 1)) {
    problems.minSeconds = "analytics.problem.seconds";
  }
  if (secondsOf(draft.kind) === "optional" && draft.minSeconds !== null
    && !(Number.isInteger(draft.minSeconds) && draft.minSeconds >= 0 && draft.minSeconds <= 86400)) {
    problems.minSeconds = "analytics.problem.crowdSeconds";
  }
  if (threshold === "count" && !(draft.minCount !== null && Number.isInteger(draft.minCount) && draft.minCount >= 1)) {
    problems.minCount = "analytics.problem.count";
  }
  return problems;
}

const SERVER_FIELDS: Record<string, DraftField> = {
  name: "name", kind: "kind", points: "points", geometry: "points", line: "points", polygon: "points",
  classes: "classes", labels: "classes", schedule: "schedule", days: "schedule", from: "schedule", to: "schedule",
  direction: "direction", alert: "direction", min_seconds: "minSeconds", seconds: "minSeconds", min_count: "minCount", count: "minCount",
};

/** The form field a server error's field path (`body.points.2.0`, `schedule.from`) belongs to; "form" when none. */
export function draftField(path: string): DraftField {
  const parts = path.split(".").filter((p) => p !== "body" && !/^\d+$/.test(p));
  for (const part of parts) {
    const field = SERVER_FIELDS[part];
    if (field) return field;
  }
  return "form";
}

/**
 * The server's field errors (problem+json `errors`) placed beside the form's fields. A rule the server refuses for
 * one reason names one field: that field gets `message`, the translated reason, rather than the field's own note
 * (which the server writes in English for developers).
 */
export function serverFieldErrors(errors: Record<string, string>, message?: string): Partial<Record<DraftField, string>> {
  const placed: Partial<Record<DraftField, string>> = {};
  const entries = Object.entries(errors);
  if (message && entries.length === 1) {
    placed[draftField(entries[0][0])] = message;
    return placed;
  }
  for (const [path, message] of entries) {
    const field = draftField(path);
    placed[field] = placed[field] ? `${placed[field]}; ${message}` : message;
  }
  return placed;
}
