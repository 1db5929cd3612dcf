/** How the review queue follows the live feed: violations opened elsewhere join it, those decided elsewhere leave. */

export const VIOLATION_OPENED = "roads.violation_opened";
export const VIOLATION_DECIDED = "roads.violation_decided";

/** The violation an event of the feed is about, or null for other events. */
export function violationEvent(event: { name: string; payload: Record<string, unknown> }):
  { kind: "opened" | "decided"; id: number } | null {
  const id = event.payload.violation_id;
  if (typeof id !== "number") return null;
  if (event.name === VIOLATION_OPENED) return { kind: "opened", id };
  if (event.name === VIOLATION_DECIDED) return { kind: "decided", id };
  return null;
}

/** The loaded queue's new items appended to the shown one (oldest first, by id): the officer's place stays. */
export function mergeQueue<T extends { id: number }>(shown: readonly T[], loaded: readonly T[]): T[] {
  const known = new Set(shown.map((v) => v.id));
  const stillPending = new Set(loaded.map((v) => v.id));
  const kept = shown.filter((v) => stillPending.has(v.id));
  return [...kept, ...loaded.filter((v) => !known.has(v.id))].sort((a, b) => a.id - b.id);
}

/** The queue without a violation decided elsewhere, and the index that keeps the officer on the same item. */
export function withoutDecided<T extends { id: number }>(queue: readonly T[], index: number, id: number):
  { queue: T[]; index: number } {
  const at = queue.findIndex((v) => v.id === id);
  if (at < 0) return { queue: [...queue], index };
  const rest = queue.filter((v) => v.id !== id);
  const next = at < index ? index - 1 : index;
  return { queue: rest, index: Math.max(0, Math.min(next, rest.length - 1)) };
}
