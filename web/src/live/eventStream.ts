import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from "./backoff";
import { parseServerMessage, type ConnectionState, type LiveEvent } from "./types";

/**
 * The live event hub: one WebSocket to /api/events/ws for the whole tab,
 * reconnecting with exponential backoff, keeping the most recent events in
 * memory. Desks read it through the hooks in ./hooks.ts or subscribe to new
 * events with `eventStream.onEvent(...)`.
 */

/** The subset of the browser WebSocket the hub uses (lets tests pass a fake). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface EventStreamSnapshot {
  readonly state: ConnectionState;
  /** Newest first, at most `bufferSize` entries. */
  readonly events: readonly LiveEvent[];
  /** Epoch ms of the last frame of any type (hello, event, ping). */
  readonly lastMessageAt: number | null;
  /** Server clock from the last hello. */
  readonly serverTime: string | null;
  /** Connection attempts in a row that ended before any message arrived. */
  readonly failures: number;
  /** Epoch ms of the next scheduled reconnect while closed. */
  readonly nextRetryAt: number | null;
}

export interface EventStreamOptions {
  url?: string | (() => string);
  createSocket?: WebSocketFactory;
  /** How many recent events to keep. */
  bufferSize?: number;
  /** No frame for this long means the connection is dead. */
  deadAfterMs?: number;
  backoff?: BackoffOptions;
  random?: () => number;
  now?: () => number;
  /** Whether the browser says it has a network (navigator.onLine); while not, no connection is attempted. */
  isOnline?: () => boolean;
}

export type EventHandler = (event: LiveEvent) => void;

export const EVENTS_PATH = "/api/events/ws";
export const DEFAULT_BUFFER_SIZE = 200;
/** The server pings every 15 s: two missed pings and a margin mean the stream is dead though the socket is open. */
export const DEAD_AFTER_MS = 33_000;

/** ws:// or wss:// to the same host the page came from. */
export function defaultStreamUrl(loc: Pick<Location, "protocol" | "host"> = window.location): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}${EVENTS_PATH}?batch=1`;
}

const INITIAL_SNAPSHOT: EventStreamSnapshot = Object.freeze({
  state: "closed",
  events: Object.freeze([]) as readonly LiveEvent[],
  lastMessageAt: null,
  serverTime: null,
  failures: 0,
  nextRetryAt: null,
});

export class EventStream {
  private readonly options: Required<Omit<EventStreamOptions, "url">> & { url: string | (() => string) };
  private socket: WebSocketLike | null = null;
  private running = false;
  private attempt = 0;
  private receivedOnThisSocket = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdogTimer: ReturnType<typeof setTimeout> | null = null;
  private snapshot: EventStreamSnapshot = INITIAL_SNAPSHOT;
  private readonly seenIds = new Set<string>();
  private readonly storeListeners = new Set<() => void>();
  private readonly eventHandlers = new Set<EventHandler>();

  constructor(options: EventStreamOptions = {}) {
    this.options = {
      url: options.url ?? (() => defaultStreamUrl()),
      createSocket: options.createSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike),
      bufferSize: options.bufferSize ?? DEFAULT_BUFFER_SIZE,
      deadAfterMs: options.deadAfterMs ?? DEAD_AFTER_MS,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
      isOnline: options.isOnline ?? (() => typeof navigator === "undefined" || navigator.onLine !== false),
    };
  }

  // ---- store interface (useSyncExternalStore-compatible) -------------------

  subscribe = (listener: () => void): (() => void) => {
    this.storeListeners.add(listener);
    return () => this.storeListeners.delete(listener);
  };

  getSnapshot = (): EventStreamSnapshot => this.snapshot;

  /** Called for every new event (after it is stored). Returns an unsubscribe function. */
  onEvent(handler: EventHandler): () => void {
    this.eventHandlers.add(handler);
    return () => this.eventHandlers.delete(handler);
  }

  get isRunning(): boolean {
    return this.running;
  }

  // ---- lifecycle -----------------------------------------------------------

  /** Opens the connection (idempotent). Call after login. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.connect();
  }

  /** Closes the connection and forgets the buffered events. Call on logout. */
  stop(): void {
    this.running = false;
    this.clearReconnect();
    this.clearWatchdog();
    this.dropSocket(1000, "client stopped");
    this.seenIds.clear();
    this.attempt = 0;
    this.setSnapshot(INITIAL_SNAPSHOT);
  }

  /** Skips the remaining backoff wait (e.g. the user clicked the indicator, or the browser came online). */
  reconnectNow(): void {
    if (!this.running || this.snapshot.state !== "closed") return;
    this.clearReconnect();
    this.connect();
  }

  /**
   * The browser lost its network: the socket may not notice for a long time (no close event while the cable is
   * out), so the stream is dropped at once and the indicator turns offline. `reconnectNow` on "online" resumes.
   */
  goOffline(): void {
    if (!this.running || this.snapshot.state === "closed") return;
    this.handleDisconnect();
  }

  // ---- internals -----------------------------------------------------------

  private connect(): void {
    this.clearReconnect();
    if (!this.options.isOnline()) {
      // No network: attempting would only fail; wait for the next retry or the browser's "online".
      this.handleDisconnect();
      return;
    }
    this.receivedOnThisSocket = false;
    this.update({ state: "connecting", nextRetryAt: null });

    const url = typeof this.options.url === "function" ? this.options.url() : this.options.url;
    let socket: WebSocketLike;
    try {
      socket = this.options.createSocket(url);
    } catch {
      this.handleDisconnect();
      return;
    }
    this.socket = socket;

    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.update({ state: "open" });
      this.armWatchdog();
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      this.handleFrame(ev.data);
    };
    socket.onerror = () => {
      // A close event always follows; reconnecting is handled there.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.handleDisconnect();
    };
  }

  private handleFrame(data: unknown): void {
    const now = this.options.now();
    this.armWatchdog();
    if (!this.receivedOnThisSocket) {
      // The server is really talking to us: the next outage starts again at 0.5 s.
      this.receivedOnThisSocket = true;
      this.attempt = 0;
    }
    const message = parseServerMessage(data);
    const patch: { -readonly [K in keyof EventStreamSnapshot]?: EventStreamSnapshot[K] } = { lastMessageAt: now, failures: 0 };
    if (this.snapshot.state !== "open") patch.state = "open";

    if (message?.type === "hello") {
      patch.serverTime = message.server_time || null;
    } else if (message?.type === "ping") {
      this.send({ type: "pong" });
    }
    const incoming = message?.type === "event" ? [message] : message?.type === "batch" ? message.messages : [];
    const fresh: LiveEvent[] = [];
    for (const item of incoming) {
      if (item.type !== "event") continue;
      const key = String(item.event.id);
      if (this.seenIds.has(key)) continue;
      this.seenIds.add(key);
      fresh.push(item.event);
    }
    if (fresh.length > 0) {
      const events = [...fresh.reverse(), ...this.snapshot.events];
      fresh.reverse();
      while (events.length > this.options.bufferSize) {
        const dropped = events.pop();
        if (dropped) this.seenIds.delete(String(dropped.id));
      }
      patch.events = events;
    }
    this.update(patch);
    for (const event of fresh) {
      for (const handler of [...this.eventHandlers]) {
        try {
          handler(event);
        } catch (err) {
          console.error("event handler failed", err);
        }
      }
    }
  }

  private send(message: unknown): void {
    try {
      this.socket?.send(JSON.stringify(message));
    } catch {
      // The socket is going away; its close event will trigger a reconnect.
    }
  }

  private handleDisconnect(): void {
    this.clearWatchdog();
    this.dropSocket();
    if (!this.running) return;
    const failures = this.receivedOnThisSocket ? 0 : this.snapshot.failures + 1;
    const delay = backoffDelay(this.attempt, this.options.backoff, this.options.random);
    this.attempt += 1;
    this.update({ state: "closed", failures, nextRetryAt: this.options.now() + delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.running) this.connect();
    }, delay);
  }

  private armWatchdog(): void {
    this.clearWatchdog();
    this.watchdogTimer = setTimeout(() => {
      this.watchdogTimer = null;
      // Silence for too long: the connection is dead even if the socket has not noticed.
      this.handleDisconnect();
    }, this.options.deadAfterMs);
  }

  private dropSocket(code = 4000, reason = "reconnecting"): void {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
    try {
      socket.close(code, reason);
    } catch {
      // already closed
    }
  }

  private clearReconnect(): void {
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private clearWatchdog(): void {
    if (this.watchdogTimer !== null) clearTimeout(this.watchdogTimer);
    this.watchdogTimer = null;
  }

  private update(patch: Partial<EventStreamSnapshot>): void {
    this.setSnapshot({ ...this.snapshot, ...patch });
  }

  private setSnapshot(next: EventStreamSnapshot): void {
    this.snapshot = next;
    for (const listener of [...this.storeListeners]) listener();
  }
}

/** The tab-wide hub. */
export const eventStream = new EventStream();
