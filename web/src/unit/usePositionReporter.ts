import { useCallback, useEffect, useRef, useState } from "react";
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
  const latest = useRef<Fix | null>(null);
  latest.current = gps.fix;
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
    if (enabled && gps.fix) void send(gps.fix, false);
  }, [enabled, gps.fix, send]);

  // Keep-alive and retries: re-check every few seconds with the latest fix.
  useEffect(() => {
    if (!enabled || !live) return;
    const timer = setInterval(() => {
      if (latest.current) void send(latest.current, false);
    }, TICK_MS);
    return () => clearInterval(timer);
  }, [enabled, live, send]);

  const sendNow = useCallback(() => {
    if (enabled && latest.current) void send(latest.current, true);
  }, [enabled, send]);

  return { ...state, sendNow };
}
