import { segmentUrl } from "../api/video";
import { afterGap, spansAround, type Span } from "./segments";

/**
 * Playback of one camera's recording on a <video>: each segment file (fragmented MP4, pts from 0) is appended to
 * one SourceBuffer with `timestampOffset` = its start minus the playback origin, so the element's currentTime is
 * seconds since the origin. Loads what is around the playing time, drops what is far behind, hops over gaps.
 */

/** Recordings are H.264 (H.265 is transcoded by the server); the exact profile comes with each init segment. */
export const PLAYBACK_MIME = 'video/mp4; codecs="avc1.640028"';
const AHEAD_S = 30;
const KEEP_BEHIND_S = 30;
const TICK_MS = 300;

export class SegmentPlayer {
  private source: MediaSource | null = null;
  private buffer: SourceBuffer | null = null;
  private objectUrl: string | null = null;
  private loaded = new Set<number>();
  private busy = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private controller = new AbortController();
  private ready: Promise<void>;

  constructor(
    readonly video: HTMLVideoElement,
    readonly spans: readonly Span[],
    private readonly onError: (error: unknown) => void,
  ) {
    const source = new MediaSource();
    this.source = source;
    this.objectUrl = URL.createObjectURL(source);
    video.src = this.objectUrl;
    this.ready = new Promise((resolve) => {
      source.addEventListener(
        "sourceopen",
        () => {
          if (this.source !== source) return;
          // Long enough for a 24-hour range; the element's own duration is otherwise that of the first append.
          source.duration = Math.max(1, ...spans.map((s) => s.end));
          this.buffer = source.addSourceBuffer(PLAYBACK_MIME);
          this.buffer.mode = "segments";
          resolve();
          this.feed();
        },
        { once: true },
      );
    });
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Moves to `time` (s from the origin); loads what is there first. */
  seek(time: number): void {
    const target = afterGap(this.spans, time) ?? time;
    this.video.currentTime = target;
    void this.ready.then(() => this.feed());
  }

  destroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.controller.abort();
    this.buffer = null;
    this.source = null;
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    this.objectUrl = null;
    this.video.removeAttribute("src");
    this.video.load();
  }

  private tick(): void {
    const time = this.video.currentTime;
    // A gap between recordings: continue at the next one rather than stall.
    if (!this.video.paused || this.video.seeking) {
      const next = afterGap(this.spans, time);
      if (next !== null) this.video.currentTime = next;
    }
    const last = this.spans.length > 0 ? this.spans[this.spans.length - 1].end : 0;
    if (!this.video.paused && time >= last - 0.05) this.video.pause();
    this.feed();
  }

  /** Appends the next needed segment, one at a time; trims far-behind media first. */
  private feed(): void {
    const buffer = this.buffer;
    if (!buffer || this.busy || buffer.updating || this.source?.readyState !== "open") return;
    const time = this.video.currentTime;
    const wanted = spansAround(this.spans, afterGap(this.spans, time) ?? time, AHEAD_S);
    const far = this.farRange(buffer, time, wanted);
    if (far) {
      this.busy = true;
      buffer.addEventListener("updateend", () => {
        this.busy = false;
        this.feed();
      }, { once: true });
      for (const span of this.spans) if (span.end <= far[1] && span.start >= far[0]) this.loaded.delete(span.id);
      buffer.remove(far[0], far[1]);
      return;
    }
    const next = wanted.find((s) => !this.loaded.has(s.id));
    if (!next) return;
    this.busy = true;
    void this.append(buffer, next).finally(() => {
      this.busy = false;
      if (this.buffer === buffer) this.feed();
    });
  }

  /** A buffered range far from the playing time (after a seek, or long played), to remove. */
  private farRange(buffer: SourceBuffer, time: number, wanted: readonly Span[]): [number, number] | null {
    const ranges = buffer.buffered;
    const keepFrom = Math.min(time - KEEP_BEHIND_S, ...wanted.map((s) => s.start));
    const keepTo = Math.max(time + AHEAD_S, ...wanted.map((s) => s.end));
    for (let i = 0; i < ranges.length; i += 1) {
      const start = ranges.start(i);
      const end = ranges.end(i);
      if (end < keepFrom) return [start, end];
      if (start > keepTo) return [start, end];
    }
    return null;
  }

  private async append(buffer: SourceBuffer, span: Span): Promise<void> {
    try {
      const response = await fetch(segmentUrl(span.id), { credentials: "same-origin", signal: this.controller.signal });
      if (!response.ok) throw new Error(`segment ${span.id}: HTTP ${response.status}`);
      const data = await response.arrayBuffer();
      if (this.buffer !== buffer) return;
      buffer.timestampOffset = span.start;
      await new Promise<void>((resolve, reject) => {
        buffer.addEventListener("updateend", () => resolve(), { once: true });
        buffer.addEventListener("error", () => reject(new Error(`segment ${span.id}: append failed`)), { once: true });
        buffer.appendBuffer(data);
      });
      this.loaded.add(span.id);
    } catch (error) {
      if (!this.controller.signal.aborted) {
        // Do not retry a broken segment forever: mark it loaded and let playback hop over it.
        this.loaded.add(span.id);
        this.onError(error);
      }
    }
  }
}
