import { liveSocketUrl, type StreamKind } from "../api/video";
import { backoffDelay } from "../live/backoff";
import { LIVE_KEEP_BEHIND_S, bufferedEnd, catchUpRate, liveEdgeJump, trimRange } from "./buffer";

/**
 * One live view: a WebSocket carrying fragmented MP4 (first a text message with the MIME type, then the init
 * segment and one fragment per frame) into a MediaSource on a <video>. Keeps the buffer short, jumps to the live
 * edge when behind, reconnects with backoff; a refusal (no permission, unknown camera) is final.
 */

export type LiveStatus = "connecting" | "playing" | "waiting" | "refused" | "unsupported" | "closed";

export interface LiveStatusInfo {
  status: LiveStatus;
  /** A translation key or error code from the server (close reason or refusal), when it gave one. */
  code?: string;
  /** The server's own words for it (in the browser's language), and the camera's state when it said. */
  message?: string;
  state?: string;
}

/** Close codes of the live socket that are final: policy violation (1008) and the application's 44xx (refusals). */
export function isFinalClose(code: number): boolean {
  return code === 1008 || (code >= 4400 && code < 4500);
}

/** A text message: the first one `{"mime": "..."}`, or on a failure `{"error": code, "message": text, "state": ...}`. */
export function parseHello(data: unknown): { mime: string } | { code: string; message?: string; state?: string } | null {
  if (typeof data !== "string") return null;
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value !== "object" || value === null) return null;
    const record = value as Record<string, unknown>;
    if (typeof record.mime === "string") return { mime: record.mime };
    const code = typeof record.error === "string" ? record.error : typeof record.code === "string" ? record.code : null;
    if (code === null) return null;
    return {
      code,
      message: typeof record.message === "string" ? record.message : undefined,
      state: typeof record.state === "string" ? record.state : undefined,
    };
  } catch {
    return null;
  }
}

const WATCH_MS = 250;

export class LiveStream {
  private socket: WebSocket | null = null;
  private source: MediaSource | null = null;
  private buffer: SourceBuffer | null = null;
  private objectUrl: string | null = null;
  private queue: ArrayBuffer[] = [];
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private watchTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  private final = false;
  private failure: { code: string; message?: string; state?: string } | null = null;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly code: string,
    private readonly stream: StreamKind,
    private readonly onStatus: (info: LiveStatusInfo) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
    this.watchTimer = setInterval(() => this.watch(), WATCH_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.retryTimer = null;
    this.watchTimer = null;
    this.teardown();
    this.onStatus({ status: "closed" });
  }

  private connect(): void {
    this.teardown();
    this.onStatus({ status: "connecting" });
    const socket = new WebSocket(liveSocketUrl(this.code, this.stream));
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket !== socket) return;
      if (typeof event.data === "string") this.hello(event.data);
      else if (event.data instanceof ArrayBuffer) this.enqueue(event.data);
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket || this.stopped) return;
      const said = this.failure ?? { code: event.reason || undefined };
      this.failure = null;
      if (isFinalClose(event.code)) {
        this.final = true;
        this.teardown();
        this.onStatus({ status: "refused", ...said });
        return;
      }
      this.onStatus({ status: "waiting", ...said });
      this.retry();
    };
  }

  private hello(text: string): void {
    const hello = parseHello(text);
    if (!hello) return;
    if ("code" in hello) {
      // The close that follows decides between a retry and a refusal; keep the words for it.
      this.failure = hello;
      return;
    }
    if (!("MediaSource" in window) || !MediaSource.isTypeSupported(hello.mime)) {
      this.final = true;
      this.teardown();
      this.onStatus({ status: "unsupported", code: "video.codecUnsupported" });
      return;
    }
    const source = new MediaSource();
    this.source = source;
    this.objectUrl = URL.createObjectURL(source);
    this.video.src = this.objectUrl;
    source.addEventListener(
      "sourceopen",
      () => {
        if (this.source !== source) return;
        const buffer = source.addSourceBuffer(hello.mime);
        // Sequence: each fragment goes right after the previous one, so a new init segment (the camera reconnected
        // upstream, or this viewer fell behind and was moved on to a key frame) never lands in the past.
        buffer.mode = "sequence";
        buffer.addEventListener("updateend", () => this.pump());
        this.buffer = buffer;
        this.pump();
      },
      { once: true },
    );
  }

  private enqueue(data: ArrayBuffer): void {
    this.queue.push(data);
    this.pump();
  }

  private pump(): void {
    const buffer = this.buffer;
    if (!buffer || buffer.updating || this.source?.readyState !== "open") return;
    const trim = trimRange(buffer.buffered, this.video.currentTime, LIVE_KEEP_BEHIND_S);
    if (trim) {
      buffer.remove(trim[0], trim[1]);
      return;
    }
    const next = this.queue.shift();
    if (!next) return;
    try {
      buffer.appendBuffer(next);
    } catch {
      // QuotaExceeded or a decode error: start over with a fresh connection (a new init segment).
      this.retry();
    }
  }

  private watch(): void {
    if (!this.buffer) return;
    if (this.video.error) {
      // A decode error (or a refused media load): start over with a fresh connection and init segment.
      this.onStatus({ status: "waiting", code: "video.codec_unsupported" });
      this.retry();
      return;
    }
    const jump = liveEdgeJump(this.video.buffered, this.video.currentTime);
    if (jump !== null) this.video.currentTime = jump;
    // Small lags are caught up by playing slightly fast (no visible jump); large ones by the jump above.
    const end = bufferedEnd(this.video.buffered);
    if (end !== null) {
      const rate = catchUpRate(end - this.video.currentTime, this.video.playbackRate);
      if (rate !== this.video.playbackRate) this.video.playbackRate = rate;
    }
    if (this.video.paused && this.video.buffered.length > 0) {
      this.video.play().catch(() => undefined);
    }
    if (this.video.readyState >= 2) {
      this.attempt = 0;
      this.onStatus({ status: "playing" });
    }
  }

  private retry(): void {
    if (this.stopped || this.final) return;
    this.teardown();
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }

  private teardown(): void {
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close();
    this.queue = [];
    this.buffer = null;
    if (this.source && this.source.readyState === "open") {
      try {
        this.source.endOfStream();
      } catch {
        // Already ended or detached: nothing to do.
      }
    }
    this.source = null;
    if (this.objectUrl) {
      URL.revokeObjectURL(this.objectUrl);
      this.objectUrl = null;
      this.video.removeAttribute("src");
      this.video.load();
    }
  }
}
