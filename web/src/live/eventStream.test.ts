import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_BACKOFF } from "./backoff";
import { DEAD_AFTER_MS, EventStream, defaultStreamUrl, type WebSocketLike } from "./eventStream";
import { parseServerMessage } from "./types";

class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: WebSocketLike["onopen"] = null;
  onmessage: WebSocketLike["onmessage"] = null;
  onclose: WebSocketLike["onclose"] = null;
  onerror: WebSocketLike["onerror"] = null;
  sent: string[] = [];
  closedWith: number | undefined;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  // test helpers: the server side
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function event(id: number, name = "incident.created") {
  return {
    id,
    name,
    subject_type: "incident",
    subject_id: String(id),
    occurred_at: "2025-01-01T10:00:00Z",
    recorded_at: "2025-01-01T10:00:01Z",
    payload: {},
    context: {},
  };
}

function setup(options: { bufferSize?: number } = {}) {
  const sockets: FakeSocket[] = [];
  const stream = new EventStream({
    url: "ws://test/api/events/ws",
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    random: () => 0, // no jitter: delays are exactly 500, 1000, 2000…
    now: () => Date.now(),
    ...options,
  });
  const last = () => sockets[sockets.length - 1];
  return { stream, sockets, last };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("EventStream reconnect", () => {
  it("connects on start and reports the states", () => {
    const { stream, sockets, last } = setup();
    expect(stream.getSnapshot().state).toBe("closed");
    stream.start();
    expect(sockets).toHaveLength(1);
    expect(last().url).toBe("ws://test/api/events/ws");
    expect(stream.getSnapshot().state).toBe("connecting");
    last().open();
    expect(stream.getSnapshot().state).toBe("open");
    stream.stop();
  });

  it("retries after 0.5 s, 1 s, 2 s, 4 s, 8 s, 10 s, 10 s while the server is down", () => {
    const { stream, sockets, last } = setup();
    stream.start();
    const observed: number[] = [];
    for (let i = 0; i < 7; i++) {
      last().drop();
      expect(stream.getSnapshot().state).toBe("closed");
      const before = sockets.length;
      const startedAt = Date.now();
      // advance in 100 ms steps until the next socket is created
      while (sockets.length === before) vi.advanceTimersByTime(100);
      observed.push(Date.now() - startedAt);
      expect(stream.getSnapshot().state).toBe("connecting");
    }
    expect(observed).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000]);
    expect(stream.getSnapshot().failures).toBe(7);
    stream.stop();
  });

  it("starts again at 0.5 s once the server has talked to us", () => {
    const { stream, sockets, last } = setup();
    stream.start();
    last().drop();
    vi.advanceTimersByTime(500);
    last().drop();
    vi.advanceTimersByTime(1000);
    expect(sockets).toHaveLength(3);
    last().open();
    last().receive({ type: "hello", server_time: "2025-01-01T10:00:00Z" });
    expect(stream.getSnapshot().failures).toBe(0);
    expect(stream.getSnapshot().serverTime).toBe("2025-01-01T10:00:00Z");
    last().drop();
    vi.advanceTimersByTime(499);
    expect(sockets).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(4);
    stream.stop();
  });

  it("treats DEAD_AFTER_MS without any message as a dead connection", () => {
    const { stream, sockets, last } = setup();
    stream.start();
    last().open();
    last().receive({ type: "hello", server_time: "" });
    vi.advanceTimersByTime(15_000);
    last().receive({ type: "ping" });
    vi.advanceTimersByTime(DEAD_AFTER_MS - 1);
    expect(stream.getSnapshot().state).toBe("open");
    vi.advanceTimersByTime(1);
    expect(stream.getSnapshot().state).toBe("closed");
    expect(sockets[0].closedWith).toBeDefined();
    vi.advanceTimersByTime(DEFAULT_BACKOFF.initialMs);
    expect(sockets).toHaveLength(2);
    expect(stream.getSnapshot().state).toBe("connecting");
    stream.stop();
  });

  it("answers ping with pong", () => {
    const { stream, last } = setup();
    stream.start();
    last().open();
    last().receive({ type: "ping" });
    expect(last().sent.map((s) => JSON.parse(s))).toEqual([{ type: "pong" }]);
    stream.stop();
  });

  it("does not reconnect after stop, and ignores the old socket", () => {
    const { stream, sockets, last } = setup();
    stream.start();
    const first = last();
    first.open();
    stream.stop();
    expect(first.closedWith).toBe(1000);
    expect(stream.getSnapshot().state).toBe("closed");
    first.drop();
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });

  it("reconnectNow skips the remaining wait", () => {
    const { stream, sockets, last } = setup();
    stream.start();
    last().drop();
    vi.advanceTimersByTime(500);
    last().drop();
    expect(stream.getSnapshot().nextRetryAt).not.toBeNull();
    stream.reconnectNow();
    expect(sockets).toHaveLength(3);
    expect(stream.getSnapshot().state).toBe("connecting");
    stream.stop();
  });
});

describe("EventStream store", () => {
  it("keeps the newest events first, capped, without duplicates, and notifies", () => {
    const { stream, last } = setup({ bufferSize: 3 });
    const notified = vi.fn();
    const received: Array<string | number> = [];
    stream.subscribe(notified);
    stream.onEvent((e) => received.push(e.id));
    stream.start();
    last().open();
    for (const id of [1, 2, 3, 3, 4]) last().receive({ type: "event", event: event(id) });
    expect(stream.getSnapshot().events.map((e) => e.id)).toEqual([4, 3, 2]);
    expect(received).toEqual([1, 2, 3, 4]);
    expect(notified).toHaveBeenCalled();
    stream.stop();
    expect(stream.getSnapshot().events).toEqual([]);
  });

  it("takes a batch frame as its events in order, each once", () => {
    const { stream, last } = setup({ bufferSize: 10 });
    const received: Array<string | number> = [];
    stream.onEvent((e) => received.push(e.id));
    stream.start();
    last().open();
    last().receive({ type: "event", event: event(1) });
    last().receive({
      type: "batch",
      messages: [{ type: "event", event: event(1) }, { type: "event", event: event(2) }, { type: "mystery" },
        { type: "event", event: event(3) }],
    });
    expect(received).toEqual([1, 2, 3]);
    expect(stream.getSnapshot().events.map((e) => e.id)).toEqual([3, 2, 1]);
    stream.stop();
  });

  it("records the time of the last message of any type", () => {
    vi.setSystemTime(new Date("2025-01-01T10:00:00Z"));
    const { stream, last } = setup();
    stream.start();
    last().open();
    expect(stream.getSnapshot().lastMessageAt).toBeNull();
    vi.advanceTimersByTime(2000);
    last().receive({ type: "ping" });
    expect(stream.getSnapshot().lastMessageAt).toBe(Date.parse("2025-01-01T10:00:02Z"));
    stream.stop();
  });
});

describe("wire format", () => {
  it("parses the three server message types and rejects junk", () => {
    expect(parseServerMessage('{"type":"ping"}')).toEqual({ type: "ping" });
    expect(parseServerMessage('{"type":"hello","server_time":"t"}')).toEqual({ type: "hello", server_time: "t" });
    const parsed = parseServerMessage(JSON.stringify({ type: "event", event: event(9) }));
    expect(parsed?.type).toBe("event");
    expect(parseServerMessage("not json")).toBeNull();
    expect(parseServerMessage('{"type":"event","event":{"id":1}}')).toBeNull();
    expect(parseServerMessage('{"type":"mystery"}')).toBeNull();
    const batch = parseServerMessage(JSON.stringify({ type: "batch", messages: [{ type: "event", event: event(1) }] }));
    expect(batch?.type === "batch" && batch.messages.length).toBe(1);
    expect(parseServerMessage('{"type":"batch","messages":[{"type":"batch","messages":[]}]}')).toEqual({
      type: "batch",
      messages: [],
    });
    expect(parseServerMessage('{"type":"batch","messages":"no"}')).toBeNull();
  });

  it("builds ws:// or wss:// from the page protocol", () => {
    expect(defaultStreamUrl({ protocol: "http:", host: "occ.local:8000" })).toBe("ws://occ.local:8000/api/events/ws?batch=1");
    expect(defaultStreamUrl({ protocol: "https:", host: "occ.example.kz" })).toBe("wss://occ.example.kz/api/events/ws?batch=1");
  });
});
