/**
 * The map desk's devices: the registry's GeoJSON and summary, loaded when the user may read devices, kept live
 * from `devices.health_changed` (a burst is applied as one batch) and reloaded quietly after a reconnect.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { fetchDevicesGeoJson, fetchDevicesSummary } from "../../api/endpoints";
import type { DeviceSummary } from "../../api/types";
import { eventStream } from "../../live/eventStream";
import { useLiveEventHandler } from "../../live/hooks";
import { applyHealthChanges, devicesFromGeoJson, parseHealthChanged, type HealthChange, type MapDevice } from "./model";

/** A load's state; an error is kept raw, so that its message follows the UI language. */
export type Load<T> = { status: "idle" | "loading" } | { status: "loaded"; data: T } | { status: "error"; error: unknown };

/** Health changes arriving in a burst are applied together. */
const LIVE_BATCH_MS = 200;

export function useMapDevices(canDevices: boolean) {
  const [devicesLoad, setDevicesLoad] = useState<Load<true>>(() => ({ status: canDevices ? "loading" : "idle" }));
  const [devices, setDevices] = useState<MapDevice[]>([]);
  const [summary, setSummary] = useState<DeviceSummary | null>(null);

  const devicesAbort = useRef<AbortController | null>(null);
  /** Fetches the devices and their summary; `quiet` keeps what is shown when it fails (no "loading" state set). */
  const fetchDevices = useCallback(
    (quiet: boolean) => {
      if (!canDevices) return;
      devicesAbort.current?.abort();
      const controller = new AbortController();
      devicesAbort.current = controller;
      void Promise.allSettled([
        fetchDevicesGeoJson({ signal: controller.signal }),
        fetchDevicesSummary({ signal: controller.signal }),
      ]).then(([geo, sum]) => {
        if (controller.signal.aborted) return;
        if (geo.status === "fulfilled") {
          setDevices(devicesFromGeoJson(geo.value));
          setDevicesLoad({ status: "loaded", data: true });
        } else if (!quiet) {
          setDevicesLoad({ status: "error", error: geo.reason });
        }
        // The summary is optional: without it the counts come from the GeoJSON.
        setSummary(sum.status === "fulfilled" && sum.value && typeof sum.value === "object" ? sum.value : null);
      });
    },
    [canDevices],
  );
  const loadDevices = () => {
    if (!canDevices) return;
    setDevicesLoad({ status: "loading" });
    fetchDevices(false);
  };

  useEffect(() => {
    fetchDevices(false);
    return () => devicesAbort.current?.abort();
  }, [fetchDevices]);

  // After a reconnect of the event stream, health changes may have been missed: reload quietly.
  useEffect(() => {
    let last = eventStream.getSnapshot().state;
    let wasOpen = last === "open";
    return eventStream.subscribe(() => {
      const state = eventStream.getSnapshot().state;
      if (state === last) return;
      if (state === "open") {
        if (wasOpen) fetchDevices(true);
        wasOpen = true;
      }
      last = state;
    });
  }, [fetchDevices]);

  // ---- live health --------------------------------------------------------------
  const pending = useRef<HealthChange[]>([]);
  const flushTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useLiveEventHandler((event) => {
    const change = parseHealthChanged(event);
    if (!change) return;
    pending.current.push(change);
    flushTimer.current ??= setTimeout(() => {
      flushTimer.current = null;
      const changes = pending.current;
      pending.current = [];
      setDevices((current) => applyHealthChanges(current, changes));
    }, LIVE_BATCH_MS);
  });
  useEffect(
    () => () => {
      if (flushTimer.current) clearTimeout(flushTimer.current);
    },
    [],
  );

  return { devices, devicesLoad, summary, loadDevices };
}
