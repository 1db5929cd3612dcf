import { useEffect, useRef } from "react";
import { fetchSession } from "../api/endpoints";
import { unitStream, useUnitStream } from "./liveStream";

const SESSION_PROBE_INTERVAL_MS = 30_000;

/**
 * Keeps the unit app's event stream open while signed in (the desk shell does the same for its
 * own); after repeated failed connections it asks the REST API, whose 401 signs out.
 */
export function useLiveStream(): void {
  useEffect(() => {
    unitStream.start();
    const onOnline = () => unitStream.reconnectNow();
    const onVisible = () => {
      if (document.visibilityState === "visible") unitStream.reconnectNow();
    };
    window.addEventListener("online", onOnline);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.removeEventListener("online", onOnline);
      document.removeEventListener("visibilitychange", onVisible);
      unitStream.stop();
    };
  }, []);

  const { failures } = useUnitStream();
  const lastProbe = useRef(0);
  useEffect(() => {
    if (failures < 2 || Date.now() - lastProbe.current < SESSION_PROBE_INTERVAL_MS) return;
    lastProbe.current = Date.now();
    fetchSession().catch(() => undefined);
  }, [failures]);
}
