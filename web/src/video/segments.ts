import type { SegmentRef } from "../api/video";

/** Pure helpers of playback over recorded segments: which to load around a time, frame duration, time mapping. */

export interface Span {
  id: number;
  /** Seconds from the playback origin. */
  start: number;
  end: number;
  frames?: number;
}

/** Segments as seconds from `originMs`, in time order. */
/** A segment as the API lists it; a frame count where known (frame steps), else 25 fps is assumed. */
export type SegmentTimes = Pick<SegmentRef, "id" | "start_at" | "end_at"> & { frames?: number };

export function toSpans(segments: readonly SegmentTimes[], originMs: number): Span[] {
  return segments
    .map((s) => ({ id: s.id, start: (Date.parse(s.start_at) - originMs) / 1000, end: (Date.parse(s.end_at) - originMs) / 1000, frames: s.frames }))
    .filter((s) => Number.isFinite(s.start) && Number.isFinite(s.end) && s.end > s.start)
    .sort((a, b) => a.start - b.start);
}

/** The spans a player needs around `time`: the one playing (or the next after a gap) and what follows within `ahead` s. */
export function spansAround(spans: readonly Span[], time: number, ahead: number): Span[] {
  return spans.filter((s) => s.end > time - 0.5 && s.start < time + ahead);
}

/** The span holding `time`, or null in a gap or outside the recording. */
export function spanAt(spans: readonly Span[], time: number): Span | null {
  return spans.find((s) => s.start <= time && time < s.end) ?? null;
}

/** Where playback continues when `time` falls in a gap: the next span's start (null: nothing after). */
export function afterGap(spans: readonly Span[], time: number): number | null {
  if (spanAt(spans, time)) return null;
  const next = spans.find((s) => s.start > time);
  return next ? next.start : null;
}

const DEFAULT_FPS = 25;

/** One frame's duration (s) at `time`, from the segment's frame count; 1/25 s when unknown. */
export function frameDuration(spans: readonly Span[], time: number): number {
  const span = spanAt(spans, time) ?? spans.find((s) => s.start > time) ?? null;
  if (span?.frames && span.frames > 1) return (span.end - span.start) / span.frames;
  return 1 / DEFAULT_FPS;
}

/** Speeds the controls offer. */
export const SPEEDS = [1, 2, 4, 8] as const;

/** Position (0..1) of an instant on a time line from `fromMs` to `toMs`, clamped. */
export function fractionOf(ms: number, fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  return Math.min(1, Math.max(0, (ms - fromMs) / (toMs - fromMs)));
}

/** The instant at a position (0..1) of the time line. */
export function instantAt(fraction: number, fromMs: number, toMs: number): number {
  return Math.round(fromMs + Math.min(1, Math.max(0, fraction)) * (toMs - fromMs));
}

/**
 * The part of [fromMs, toMs] that every camera has recorded from its first to its last recording (an export must
 * lie within each camera's recording); null when they share nothing.
 */
export function commonRecorded(
  recordedByCamera: readonly (readonly { start_at: string; end_at: string }[])[],
  fromMs: number,
  toMs: number,
): { fromMs: number; toMs: number } | null {
  let from = fromMs;
  let to = toMs;
  for (const spans of recordedByCamera) {
    if (spans.length === 0) return null;
    from = Math.max(from, Math.min(...spans.map((s) => Date.parse(s.start_at))));
    to = Math.min(to, Math.max(...spans.map((s) => Date.parse(s.end_at))));
  }
  return to > from ? { fromMs: from, toMs: to } : null;
}
