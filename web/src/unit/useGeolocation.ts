import { useEffect, useState } from "react";
import { fixFromPosition } from "./throttle";
import type { Fix } from "./types";

/**
 * waiting: asked, no fix yet; ok: fixes arrive; denied: the user or the browser refused;
 * unavailable: the phone cannot get a position; unsupported: no geolocation API;
 * insecure: the page is not served over HTTPS (browsers allow GPS only in secure contexts).
 */
export type GpsState = "off" | "waiting" | "ok" | "denied" | "unavailable" | "unsupported" | "insecure";

export interface GpsReading {
  state: GpsState;
  fix: Fix | null;
}

const WATCH_OPTIONS: PositionOptions = { enableHighAccuracy: true, maximumAge: 5_000, timeout: 30_000 };

/** Why the phone's position cannot be watched here at all; null when it can. */
function blockedState(): GpsState | null {
  if (typeof navigator === "undefined" || !navigator.geolocation) return "unsupported";
  if (typeof window !== "undefined" && window.isSecureContext === false) return "insecure";
  return null;
}

/** Watches the phone's position while `enabled`. */
export function useGeolocation(enabled: boolean): GpsReading {
  const [reading, setReading] = useState<GpsReading>(() => ({ state: enabled ? "waiting" : "off", fix: null }));
  // Switched on or off: the state follows at once, while rendering (the last fix is kept); the watch is the effect's.
  const [watching, setWatching] = useState(enabled);
  if (watching !== enabled) {
    setWatching(enabled);
    setReading((r) =>
      enabled ? { state: r.fix ? r.state : "waiting", fix: r.fix } : r.state === "off" ? r : { state: "off", fix: r.fix },
    );
  }

  useEffect(() => {
    if (!enabled || blockedState() !== null) return;
    const id = navigator.geolocation.watchPosition(
      (position) => setReading({ state: "ok", fix: fixFromPosition(position) }),
      (error) => {
        // TIMEOUT (3) only means no fix yet: keep waiting, the watch goes on.
        const state: GpsState = error.code === 1 ? "denied" : error.code === 2 ? "unavailable" : "waiting";
        setReading((r) => ({ state: r.state === "ok" && error.code === 3 ? "ok" : state, fix: r.fix }));
      },
      WATCH_OPTIONS,
    );
    return () => navigator.geolocation.clearWatch(id);
  }, [enabled]);

  const blocked = enabled ? blockedState() : null;
  return blocked ? { state: blocked, fix: null } : reading;
}
