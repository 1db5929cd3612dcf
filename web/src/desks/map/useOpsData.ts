/**
 * The operating picture's data for the map and the wall: open alarms, open incidents and units, each loaded when
 * the user may read it, kept live from the event stream and reloaded after a reconnect.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { fetchAlarmQueue, type AlarmItem } from "../../api/alarms";
import { fetchIncidents, type IncidentItem } from "../../api/incidents";
import { fetchUnits } from "../../api/units";
import { useSession } from "../../auth/AuthProvider";
import { hasPermission, type Permission } from "../../auth/permissions";
import { useEventStream, useLiveEventHandler } from "../../live/hooks";
import { applyDispatchFlagged, applyStatusChanged, applyUnitMoved, fromBoard, type LiveUnit } from "../units/board";
import { MAP_INCIDENT_STATES, opsReloadFor, type OpsSources } from "./ops";

/** Alarm and incident events arriving together (a power cut raising dozens of alarms) cause one reload. */
const RELOAD_DELAY_MS = 400;

export interface OpsData extends OpsSources {
  /** Replaces one alarm after an action on it (acknowledge) without waiting for the reload. */
  replaceAlarm: (alarm: AlarmItem) => void;
  can: { alarms: boolean; incidents: boolean; units: boolean };
}

export function useOpsData(): OpsData {
  const { user } = useSession();
  const can = {
    alarms: hasPermission(user, "alarms:read" as Permission),
    incidents: hasPermission(user, "incidents:read" as Permission),
    units: hasPermission(user, "units:read" as Permission),
  };
  const { state } = useEventStream();
  const [alarms, setAlarms] = useState<AlarmItem[]>([]);
  const [incidents, setIncidents] = useState<IncidentItem[]>([]);
  const [units, setUnits] = useState<LiveUnit[]>([]);
  const controllers = useRef<Record<string, AbortController | undefined>>({});

  const load = useCallback(
    (what: "alarms" | "incidents" | "units") => {
      controllers.current[what]?.abort();
      const controller = new AbortController();
      controllers.current[what] = controller;
      const signal = controller.signal;
      // A failed load keeps what is shown; the next event or reconnect tries again.
      const ignore = () => undefined;
      if (what === "alarms" && can.alarms) {
        fetchAlarmQueue({ signal }).then((page) => !signal.aborted && setAlarms(page.items), ignore);
      } else if (what === "incidents" && can.incidents) {
        fetchIncidents(MAP_INCIDENT_STATES, { signal }).then((page) => !signal.aborted && setIncidents(page.items), ignore);
      } else if (what === "units" && can.units) {
        fetchUnits({ signal }).then((page) => !signal.aborted && setUnits(fromBoard(page.items, Date.now())), ignore);
      }
    },
    [can.alarms, can.incidents, can.units],
  );

  // On mount and whenever the stream (re)opens: what happened meanwhile was missed.
  useEffect(() => {
    if (state === "connecting") return;
    load("alarms");
    load("incidents");
    load("units");
  }, [state, load]);
  useEffect(() => {
    const current = controllers.current;
    return () => Object.values(current).forEach((c) => c?.abort());
  }, []);

  const timers = useRef<Partial<Record<"alarms" | "incidents" | "units", ReturnType<typeof setTimeout>>>>({});
  useLiveEventHandler((event) => {
    if (event.name === "units.moved") setUnits((u) => applyUnitMoved(u, event.payload));
    else if (event.name === "units.dispatch_flagged") setUnits((u) => applyDispatchFlagged(u, event.payload));
    else if (event.name === "units.status_changed") {
      setUnits((u) => applyStatusChanged(u, event.payload, Date.now()));
    }
    const reload = opsReloadFor(event.name);
    if (reload && !timers.current[reload]) {
      timers.current[reload] = setTimeout(() => {
        timers.current[reload] = undefined;
        load(reload);
      }, RELOAD_DELAY_MS);
    }
  });
  useEffect(() => {
    const current = timers.current;
    return () => Object.values(current).forEach((t) => t && clearTimeout(t));
  }, []);

  const replaceAlarm = useCallback(
    (alarm: AlarmItem) => setAlarms((list) => list.map((a) => (a.id === alarm.id ? alarm : a))),
    [],
  );
  return { alarms, incidents, units, replaceAlarm, can };
}
