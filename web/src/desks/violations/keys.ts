/** The review desk's keys as actions: a pure function so the mapping is tested without a browser. */
export type ReviewAction =
  | { kind: "confirm" }
  | { kind: "startReject" }
  | { kind: "cancel" }
  | { kind: "reject"; reason: number }
  | { kind: "move"; step: number };

export function reviewKey(key: string, rejecting: boolean, reasons: number): ReviewAction | null {
  if (rejecting) {
    if (key === "Escape") return { kind: "cancel" };
    const n = Number.parseInt(key, 10);
    return Number.isInteger(n) && n >= 1 && n <= reasons ? { kind: "reject", reason: n - 1 } : null;
  }
  switch (key.toLowerCase()) {
    case "c": return { kind: "confirm" };
    case "r": return { kind: "startReject" };
    case "s": case "arrowdown": case "j": return { kind: "move", step: 1 };
    case "arrowup": case "k": return { kind: "move", step: -1 };
    default: return null;
  }
}

/** Which row is selected after the current one was decided and left the queue of ``remaining`` items. */
export function nextAfterDecision(index: number, remaining: number): number {
  return Math.max(0, Math.min(index, remaining - 1));
}
