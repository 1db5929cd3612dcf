import { useCallback, useEffect, useEffectEvent, useRef, useState } from "react";
import { reportPosition } from "./api";
import { DEFAULT_THROTTLE, shouldSend, type SentFix } from "./throttle";
import type { Fix } from "./types";
import type { GpsReading } from "./useGeolocation";

export interface ReporterState {
  /** Epoch ms of the last position the server accepted. */
  lastSentAt: number | null;
  /** The last send failed (offline, server error); the next fix or tick retries. */
  failing: boolean;
}

const TICK_MS = 5_000;

/**
 * Sends the phone's fixes for my unit, throttled (see throttle.ts). `sendNow` pushes the latest fix
 * at once (used when the crew reports en route / on scene, so the board shows where that happened).
 */
export function usePositionReporter(gps: GpsReading, enabled: boolean): ReporterState & { sendNow: () => void } {
  const [state, setState] = useState<ReporterState>({ lastSentAt: null, failing: false });
  const last = useRef<SentFix | null>(null);
  const inFlight = useRef(false);
  const gpsFix = gps.fix;
  const live = gps.state === "ok";

  const send = useCallback(async (fix: Fix, force: boolean) => {
    const now = Date.now();
    if (inFlight.current) return;
    if (!force && !shouldSend(last.current, fix, now, DEFAULT_THROTTLE)) return;
    inFlight.current = true;
    // A fix resent while standing still is the position now (the watch is alive, nothing moved).
    const at = last.current && last.current.fix === fix ? now : fix.at;
    try {
      await reportPosition(fix, Math.min(at, now));
      last.current = { fix, sentAt: now };
      setState({ lastSentAt: now, failing: false });
    } catch {
      setState((s) => (s.failing ? s : { ...s, failing: true }));
    } finally {
      inFlight.current = false;
    }
  }, []);

  useEffect(() => {
    // `send` sets state only after the request (past an await), never synchronously: the rule cannot see that.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    if (enabled && gpsFix) void send(gpsFix, false);
  }, [enabled, gpsFix, send]);

  // Keep-alive and retries: re-check every few seconds with the latest fix.
  const tick = useEffectEvent(() => {
    if (gpsFix) void send(gpsFix, false);
  });
  useEffect(() => {
    if (!enabled || !live) return;
    const timer = setInterval(() => tick(), TICK_MS);
    return () => clearInterval(timer);
  }, [enabled, live]);

  const sendNow = useCallback(() => {
    if (enabled && gpsFix) void send(gpsFix, true);
  }, [enabled, gpsFix, send]);

  return { ...state, sendNow };
}
