import { useCallback, useEffect, useReducer, useRef } from "react";
import { isApiError } from "../api/problem";
import { useUnitEventHandler, useUnitStream } from "./liveStream";
import { acceptAssignment, declineAssignment, fetchMyUnit, reportProgress } from "./api";
import { INITIAL_STATE, assignmentEventOf, concernsMe, unitReducer, type UnitState } from "./reducer";
import { playDispatchAlert } from "./sound";
import type { Assignment, Progress } from "../api/units";

/** Reload at least this often even without events (a missed event, a sleeping phone). */
const POLL_MS = 60_000;
/** Events come in bursts (status + assignment + incident): one reload for all of them. */
const RELOAD_DEBOUNCE_MS = 150;

export interface MyUnitApi {
  state: UnitState;
  reload: () => void;
  accept: () => Promise<void>;
  decline: (reason: string) => Promise<void>;
  progress: (stage: Progress) => Promise<boolean>;
  dismissError: () => void;
  dismissClosed: () => void;
}

export function useMyUnit(): MyUnitApi {
  const [state, dispatch] = useReducer(unitReducer, INITIAL_STATE);
  const loading = useRef<AbortController | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** Bumped when a request of the crew starts and ends: loads begun before are stale and dropped. */
  const generation = useRef(0);

  const load = useCallback(async () => {
    loading.current?.abort();
    const controller = new AbortController();
    loading.current = controller;
    const started = generation.current;
    const stale = () => controller.signal.aborted || started !== generation.current;
    try {
      const data = await fetchMyUnit({ signal: controller.signal });
      if (!stale()) dispatch({ type: "loaded", data });
    } catch (error) {
      if (stale()) return;
      const notMember = isApiError(error) && error.code === "units.not_a_member";
      dispatch({ type: "load_failed", error, notMember });
    }
  }, []);

  const reload = useCallback(() => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      void load();
    }, RELOAD_DEBOUNCE_MS);
  }, [load]);

  useEffect(() => {
    void load();
    const poll = setInterval(() => void load(), POLL_MS);
    const onVisible = () => {
      if (document.visibilityState === "visible") void load();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearInterval(poll);
      document.removeEventListener("visibilitychange", onVisible);
      if (timer.current !== null) clearTimeout(timer.current);
      loading.current?.abort();
    };
  }, [load]);

  // A new dispatch: sound at once, from the event, before the reload brings the details.
  const alertSeq = state.alert?.seq;
  useEffect(() => {
    if (alertSeq !== undefined) playDispatchAlert();
  }, [alertSeq]);

  useUnitEventHandler((event) => {
    const data = state.data;
    if (!data) return;
    const change = assignmentEventOf(event.name, event.payload);
    if (change) dispatch({ type: "live_assignment", ...change });
    const mine = { unitCode: data.unit.code, incidentId: data.assignment?.incident_id ?? data.incident?.id ?? null };
    if (concernsMe(event.name, event.payload, event.subject_id, mine)) reload();
  });

  // After a reconnect, events may have been missed: reload.
  const { state: connection } = useUnitStream();
  const wasOpen = useRef(connection === "open");
  useEffect(() => {
    if (connection === "open" && !wasOpen.current) reload();
    wasOpen.current = connection === "open";
  }, [connection, reload]);

  const assignment = state.data?.assignment;
  const run = useCallback(
    async (action: "accept" | "decline" | Progress, call: (id: number) => Promise<Assignment>) => {
      if (!assignment || state.busy) return false;
      dispatch({ type: "action_started", action });
      generation.current += 1;
      loading.current?.abort();
      try {
        const next = await call(assignment.id);
        generation.current += 1;
        dispatch({ type: "action_done", assignment: next });
        reload();
        return true;
      } catch (error) {
        generation.current += 1;
        dispatch({ type: "action_failed", error });
        // 409: someone else changed it (cleared, reassigned): show what is true now.
        if (isApiError(error) && (error.status === 409 || error.status === 403 || error.status === 404)) reload();
        return false;
      }
    },
    [assignment, state.busy, reload],
  );

  return {
    state,
    reload: () => void load(),
    accept: async () => void (await run("accept", acceptAssignment)),
    decline: async (reason) => void (await run("decline", (id) => declineAssignment(id, reason))),
    progress: (stage) => run(stage, (id) => reportProgress(id, stage)),
    dismissError: () => dispatch({ type: "dismiss_error" }),
    dismissClosed: () => dispatch({ type: "dismiss_closed" }),
  };
}
