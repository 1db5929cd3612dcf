import type { MessageKey, MessageVars } from "../i18n/messages";
import type { GpsReading, GpsState } from "./useGeolocation";

/** A fix older than this is shown as lost even while the watch is on. */
export const GPS_LOST_AFTER_MS = 60_000;

export type GpsViewState = GpsState | "lost";

export interface GpsView {
  state: GpsViewState;
  tone: "ok" | "warn" | "bad";
  /** Full sentence (tooltip, idle screen). */
  key: MessageKey;
  /** A word or two for the header chip. */
  shortKey: MessageKey;
  vars?: MessageVars;
}

/** What the GPS indicator says for a reading at `now`. */
export function gpsView(gps: GpsReading, now: number, sendFailing = false): GpsView {
  let state: GpsViewState = gps.state;
  if (state === "ok" && gps.fix && now - gps.fix.at > GPS_LOST_AFTER_MS) state = "lost";
  switch (state) {
    case "ok":
      return {
        state,
        tone: sendFailing ? "warn" : "ok",
        key: sendFailing ? "unit.gps.sendFailed" : "unit.gps.ok",
        shortKey: "unit.gps.short.ok",
        vars: { accuracy: gps.fix?.accuracy != null ? Math.round(gps.fix.accuracy) : "?" },
      };
    case "waiting":
      return { state, tone: "warn", key: "unit.gps.waiting", shortKey: "unit.gps.short.waiting" };
    case "off":
      return { state, tone: "warn", key: "unit.gps.off", shortKey: "unit.gps.short.off" };
    case "lost":
      return { state, tone: "bad", key: "unit.gps.lost", shortKey: "unit.gps.short.bad" };
    case "denied":
      return { state, tone: "bad", key: "unit.gps.denied", shortKey: "unit.gps.short.bad" };
    case "unavailable":
      return { state, tone: "bad", key: "unit.gps.unavailable", shortKey: "unit.gps.short.bad" };
    case "insecure":
      return { state, tone: "bad", key: "unit.gps.insecure", shortKey: "unit.gps.short.bad" };
    default:
      return { state: "unsupported", tone: "bad", key: "unit.gps.unsupported", shortKey: "unit.gps.short.bad" };
  }
}
