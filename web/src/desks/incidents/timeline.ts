/** The incident's history as one list: state changes, notes and links, oldest first. */
import type { IncidentDetail } from "../../api/incidents";

export type TimelineEntry =
  | { kind: "transition"; at: string; actor: string; from: string | null; to: string; reason: string | null; event?: string | null }
  | { kind: "note"; at: string; actor: string; text: string }
  | { kind: "link"; at: string; actor: string; link: string; ref: string };

/** The lists may be absent: the OpenAPI document marks fields with a default as optional. */
export function buildTimeline(detail: Pick<IncidentDetail, "transitions" | "notes" | "links">): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...(detail.transitions ?? []).map((t) => ({ kind: "transition" as const, at: t.at, actor: t.actor, from: t.from_state, to: t.to_state, reason: t.reason, event: t.event })),
    ...(detail.notes ?? []).map((n) => ({ kind: "note" as const, at: n.at, actor: n.author, text: n.text })),
    ...(detail.links ?? []).map((l) => ({ kind: "link" as const, at: l.at, actor: l.actor, link: l.kind, ref: l.ref })),
  ];
  const order = { transition: 0, link: 1, note: 2 };
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => Date.parse(a.entry.at) - Date.parse(b.entry.at) || order[a.entry.kind] - order[b.entry.kind] || a.index - b.index)
    .map(({ entry }) => entry);
}
