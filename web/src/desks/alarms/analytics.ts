/** What an analytics alarm carries in its details (pure): the rule, the object's class, the snapshot and the moment. */

export interface AnalyticsAlarm {
  camera: string;
  rule: string;
  kind: string;
  label: string | null;
  count: number | null;
  direction: string | null;
  snapshotUrl: string | null;
  recordingAt: string | null;
}

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v : typeof v === "number" ? String(v) : null);

/**
 * The analytics part of an alarm's details (as the video domain's `video.analytics_event` put it there), or null
 * for an alarm of another source. Only same-origin API paths are taken as the snapshot: the details are data.
 */
export function analyticsOf(details: Record<string, unknown> | null | undefined, eventName?: string | null): AnalyticsAlarm | null {
  if (!details) return null;
  const camera = text(details.code);
  const rule = text(details.rule);
  const kind = text(details.kind);
  const fromAnalytics = eventName === "video.analytics_event" || (text(details.snapshot_url) !== null && text(details.recording_at) !== null);
  if (!fromAnalytics || !camera || !rule || !kind) return null;
  const snapshot = text(details.snapshot_url);
  const at = text(details.recording_at);
  const count = text(details.count);
  return {
    camera,
    rule,
    kind,
    label: text(details.label),
    count: count !== null && Number.isFinite(Number(count)) ? Number(count) : null,
    direction: text(details.direction),
    snapshotUrl: snapshot && snapshot.startsWith("/api/") ? snapshot : null,
    recordingAt: at && Number.isFinite(Date.parse(at)) ? at : null,
  };
}
