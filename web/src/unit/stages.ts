import type { Assignment, AssignmentStage as Stage, Progress } from "../api/units";

/**
 * The state machine behind the unit app's big buttons. It mirrors the backend's NEXT_STAGES
 * (src/qorgau/units/enums.py); the server stays the authority and answers 409 otherwise.
 */

export const PROGRESS_ORDER: readonly Progress[] = ["en_route", "on_scene", "resolved"];

export const ACTIVE_STAGES: readonly Stage[] = ["dispatched", "accepted", "en_route", "on_scene"];

export const NEXT_STAGES: Readonly<Record<Stage, readonly Stage[]>> = {
  dispatched: ["accepted", "declined", "en_route", "on_scene", "resolved"],
  accepted: ["en_route", "on_scene", "resolved"],
  en_route: ["on_scene", "resolved"],
  on_scene: ["resolved"],
  declined: [],
  resolved: [],
  cleared: [],
  reassigned: [],
};

/**
 * done: reached (with its time); next: the step to take now (the filled button);
 * skip: allowed but skips a step (e.g. on scene straight after accepting); locked: not now.
 */
export type ButtonState = "done" | "next" | "skip" | "locked";

export interface StageButton {
  stage: Progress;
  state: ButtonState;
  /** When the stage was reached (ISO), for done buttons. */
  at: string | null;
}

const RANK: Record<Stage, number> = {
  dispatched: 0,
  accepted: 1,
  en_route: 2,
  on_scene: 3,
  resolved: 4,
  declined: -1,
  cleared: -1,
  reassigned: -1,
};

export function isActiveStage(stage: Stage | string | null | undefined): boolean {
  return !!stage && (ACTIVE_STAGES as readonly string[]).includes(stage);
}

/** Whether the crew still has to answer (accept or decline) the dispatch. */
export function awaitsAnswer(assignment: Pick<Assignment, "stage" | "active"> | null | undefined): boolean {
  return !!assignment && assignment.active !== false && assignment.stage === "dispatched";
}

function stampOf(assignment: Assignment, stage: Progress): string | null {
  if (stage === "en_route") return assignment.en_route_at;
  if (stage === "on_scene") return assignment.on_scene_at;
  return assignment.stage === "resolved" ? assignment.ended_at : null;
}

/**
 * The three progress buttons for an assignment. Before the dispatch is accepted they are all
 * locked (the app asks to accept or decline first); while a request is in flight nothing changes
 * here, the view disables them.
 */
export function progressButtons(assignment: Assignment | null): StageButton[] {
  const stage = assignment?.stage ?? null;
  const allowed = stage && assignment?.active !== false ? NEXT_STAGES[stage] ?? [] : [];
  const accepted = stage !== null && stage !== "dispatched" && RANK[stage] >= 1;
  const rank = stage ? RANK[stage] ?? -1 : -1;
  let nextGiven = false;
  return PROGRESS_ORDER.map((p) => {
    const at = assignment ? stampOf(assignment, p) : null;
    if (rank >= RANK[p] && rank > 0) return { stage: p, state: "done", at };
    if (!accepted || !allowed.includes(p)) return { stage: p, state: "locked", at: null };
    if (!nextGiven) {
      nextGiven = true;
      return { stage: p, state: "next", at: null };
    }
    return { stage: p, state: "skip", at: null };
  });
}

/** The stage the crew is expected to report next, or null. */
export function nextProgress(assignment: Assignment | null): Progress | null {
  return progressButtons(assignment).find((b) => b.state === "next")?.stage ?? null;
}

/** "Resolved" ends the assignment: it takes a second tap within this long to confirm. */
export const CONFIRM_WINDOW_MS = 5000;

export interface Armed {
  stage: Progress;
  until: number;
}

export type TapResult = { send: Progress; armed: null } | { send: null; armed: Armed | null };

/** What a tap on a progress button does: send it, or (for resolved) arm it for a confirming tap. */
export function tapButton(button: StageButton, armed: Armed | null, now: number): TapResult {
  if (button.state === "done" || button.state === "locked") return { send: null, armed };
  const needsConfirm = button.stage === "resolved";
  if (!needsConfirm) return { send: button.stage, armed: null };
  if (armed && armed.stage === button.stage && armed.until > now) return { send: button.stage, armed: null };
  return { send: null, armed: { stage: button.stage, until: now + CONFIRM_WINDOW_MS } };
}

/** Applies the server's answer to a progress request over what we had (keeps the route and times). */
export function mergeAssignment(previous: Assignment | null, next: Assignment): Assignment {
  if (!previous || previous.id !== next.id) return next;
  return { ...previous, ...next, route: next.route ?? previous.route };
}
