import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEAD_AFTER_MS, EventStream, type WebSocketLike } from "./eventStream";

class Socket implements WebSocketLike {
  readyState = 0;
  onopen: WebSocketLike["onopen"] = null;
  onmessage: WebSocketLike["onmessage"] = null;
  onclose: WebSocketLike["onclose"] = null;
  onerror: WebSocketLike["onerror"] = null;
  closed = false;
  send() {}
  close() {
    this.closed = true;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
    this.onmessage?.({ data: JSON.stringify({ type: "hello", server_time: "2026-01-01T00:00:00Z" }) });
  }
}

function setup() {
  const sockets: Socket[] = [];
  let online = true;
  const stream = new EventStream({
    url: "ws://test/api/events/ws",
    createSocket: () => {
      const socket = new Socket();
      sockets.push(socket);
      return socket;
    },
    random: () => 0,
    isOnline: () => online,
  });
  return { stream, sockets, setOnline: (value: boolean) => (online = value) };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("EventStream and the browser's network", () => {
  it("turns closed at once when the browser goes offline, and does not dial while it stays offline", () => {
    const { stream, sockets, setOnline } = setup();
    stream.start();
    sockets[0].open();
    expect(stream.getSnapshot().state).toBe("open");
    setOnline(false);
    stream.goOffline();
    expect(stream.getSnapshot().state).toBe("closed");
    expect(sockets[0].closed).toBe(true);
    vi.advanceTimersByTime(30_000);
    expect(sockets).toHaveLength(1); // retries while offline make no socket
    expect(stream.getSnapshot().state).toBe("closed");
    setOnline(true);
    stream.reconnectNow(); // the "online" event
    expect(sockets).toHaveLength(2);
    sockets[1].open();
    expect(stream.getSnapshot().state).toBe("open");
    stream.stop();
  });

  it("declares a silent stream dead after two missed pings", () => {
    const { stream, sockets } = setup();
    stream.start();
    sockets[0].open();
    vi.advanceTimersByTime(DEAD_AFTER_MS - 1000);
    expect(stream.getSnapshot().state).toBe("open");
    vi.advanceTimersByTime(1000);
    expect(stream.getSnapshot().state).toBe("closed");
    expect(DEAD_AFTER_MS).toBeLessThan(40_000);
    stream.stop();
  });

  it("ignores going offline when stopped or closed already", () => {
    const { stream, sockets } = setup();
    stream.goOffline();
    expect(stream.getSnapshot().state).toBe("closed");
    stream.start();
    stream.goOffline();
    stream.goOffline();
    expect(stream.getSnapshot().failures).toBe(1);
    expect(sockets).toHaveLength(1);
    stream.stop();
  });
});
