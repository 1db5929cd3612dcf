/** Wire format of /api/events/ws and the shapes the hub hands to the desks. */

export type ConnectionState = "connecting" | "open" | "closed";

export interface LiveEvent {
  id: string | number;
  /** Machine name, e.g. "incident.created". */
  name: string;
  subject_type: string;
  subject_id: string | number | null;
  /** ISO 8601. */
  occurred_at: string;
  /** ISO 8601. */
  recorded_at: string;
  payload: Record<string, unknown>;
  context: Record<string, unknown>;
}

export type ServerMessage =
  | { type: "hello"; server_time: string }
  | { type: "event"; event: LiveEvent }
  | { type: "ping" }
  | { type: "batch"; messages: ServerMessage[] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isLiveEvent(value: unknown): value is LiveEvent {
  if (!isObject(value)) return false;
  return (
    (typeof value.id === "string" || typeof value.id === "number") &&
    typeof value.name === "string" &&
    typeof value.occurred_at === "string"
  );
}

/** Parses one text frame; null for anything malformed or of an unknown type (ignored, not fatal). */
export function parseServerMessage(data: unknown): ServerMessage | null {
  if (typeof data !== "string") return null;
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return null;
  }
  return toServerMessage(message, true);
}

/** One decoded message; a batch (what queued up on the server during a burst) holds messages, never batches. */
function toServerMessage(message: unknown, batchAllowed: boolean): ServerMessage | null {
  if (!isObject(message)) return null;
  switch (message.type) {
    case "batch": {
      if (!batchAllowed || !Array.isArray(message.messages)) return null;
      const messages = message.messages
        .map((item) => toServerMessage(item, false))
        .filter((item): item is ServerMessage => item !== null);
      return { type: "batch", messages };
    }
    case "hello":
      return { type: "hello", server_time: typeof message.server_time === "string" ? message.server_time : "" };
    case "ping":
      return { type: "ping" };
    case "event": {
      const event = message.event;
      if (!isLiveEvent(event)) return null;
      return {
        type: "event",
        event: {
          ...event,
          subject_type: typeof event.subject_type === "string" ? event.subject_type : "",
          subject_id: event.subject_id ?? null,
          recorded_at: typeof event.recorded_at === "string" ? event.recorded_at : event.occurred_at,
          payload: isObject(event.payload) ? event.payload : {},
          context: isObject(event.context) ? event.context : {},
        },
      };
    }
    default:
      return null;
  }
}
