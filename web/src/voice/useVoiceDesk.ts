import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { describeError, isApiError } from "../api/problem";
import { useSession } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import { useLiveEventHandler } from "../live/hooks";
import { useLiveLoad } from "../live/useLiveLoad";
import {
  answerCall, fetchActiveCalls, hangUpCall, holdCall, leaveCall, linkIncident, muteCall, transferCall, type CallRead, type PersonRef,
} from "./api";
import { VOICE_EVENT_PREFIX, mergeCallEvent, replaceCall, shouldRing, sortCalls } from "./calls";
import { MicrophoneError, PhoneLeg, leaveOnUnload } from "./phone";
import { IDLE, activeCallId, sending, sessionReducer } from "./session";

function takenBy(e: unknown): PersonRef | null {
  if (!isApiError(e)) return null;
  const by = e.problem?.by as { id?: unknown; name?: unknown } | undefined;
  return by && typeof by.id === "number" ? { id: by.id, name: typeof by.name === "string" ? by.name : "" } : null;
}

/** The desk's calls and this tab's phone: the list kept live, answering, hold, mute, transfer, hang-up, link. */
export function useVoiceDesk(deviceId: string | null) {
  const { tMaybe } = useI18n();
  const { user } = useSession();
  const myId = user?.id ?? null;
  const load = useCallback(async (signal: AbortSignal) => fetchActiveCalls({ signal }), []);
  const { value: calls, update, error } = useLiveLoad<CallRead[]>([], load);
  const [session, dispatch] = useReducer(sessionReducer, IDLE);
  const [actionError, setActionError] = useState<string | null>(null);
  const leg = useRef<PhoneLeg | null>(null);
  const [remote, setRemote] = useState<MediaStream | null>(null);
  // One reload at a time; a request during one runs once more after it (so the list ends on the latest state).
  const reloading = useRef<"idle" | "busy" | "again">("idle");

  const reload = useCallback(() => {
    if (reloading.current !== "idle") {
      reloading.current = "again";
      return;
    }
    reloading.current = "busy";
    const once = () => fetchActiveCalls()
      .then((list) => update(() => list))
      .catch(() => undefined)
      .finally(() => {
        if (reloading.current === "again") {
          reloading.current = "busy";
          void once();
        } else reloading.current = "idle";
      });
    void once();
  }, [update]);

  useLiveEventHandler((event) => {
    if (!event.name.startsWith(VOICE_EVENT_PREFIX)) return;
    // Ringing again with nobody on it: the server requeued my call (a list read may be stale; this event is not).
    if (event.name === "voice.call_ringing" && event.payload.answered_by == null && typeof event.payload.call_id === "number") {
      dispatch({ type: "requeued", callId: event.payload.call_id });
    }
    let stale = false;
    update((current) => {
      const merged = mergeCallEvent(current, event.payload);
      stale ||= merged.reload;
      return merged.calls;
    });
    // Events carry ids and the state; names, sites, cameras and media figures come with the list.
    if (stale || event.name !== "voice.call_ended") reload();
  });

  // A call this tab talks on that is no longer its own (transferred, taken over, ended): its media ends here.
  useEffect(() => dispatch({ type: "calls", calls, myId }), [calls, myId]);
  const current = activeCallId(session);
  useEffect(() => {
    if (current === null && leg.current) {
      leg.current.close();
      leg.current = null;
      setRemote(null);
    }
  }, [current]);
  useEffect(() => leg.current?.setSending(sending(session)), [session]);

  // The page goes away mid-call: the call waits on hold for another operator.
  useEffect(() => {
    if (session.status !== "talking") return;
    const id = session.callId;
    const onHide = () => leaveOnUnload(id);
    window.addEventListener("pagehide", onHide);
    return () => window.removeEventListener("pagehide", onHide);
  }, [session]);
  const talkingId = session.status === "talking" ? session.callId : null;
  const talkingRef = useRef<number | null>(null);
  useEffect(() => {
    talkingRef.current = talkingId;
  }, [talkingId]);
  useEffect(() => () => {
    // Leaving the desk leaves the call (on hold for whoever takes it) rather than dropping it.
    if (talkingRef.current !== null) void leaveCall(talkingRef.current).catch(() => undefined);
    leg.current?.close();
    leg.current = null;
  }, []);

  const answer = useCallback(async (id: number) => {
    if (session.status !== "idle") return;
    setActionError(null);
    dispatch({ type: "answer", callId: id });
    try {
      const { leg: opened, answered } = await PhoneLeg.open(deviceId, (sdp) => answerCall(id, sdp));
      leg.current = opened;
      setRemote(opened.remote);
      update((list) => replaceCall(list, answered.call));
      dispatch({ type: "answered", callId: id });
    } catch (e) {
      if (e instanceof MicrophoneError) dispatch({ type: "failed", callId: id, failure: { reason: "mic", mic: e.state } });
      else if (isApiError(e) && e.code === "voice.call_taken") {
        dispatch({ type: "failed", callId: id, failure: { reason: "taken", by: takenBy(e) } });
        reload();
      } else dispatch({ type: "failed", callId: id, failure: { reason: "error", message: describeError(e, tMaybe).message } });
    }
  }, [session.status, deviceId, update, reload, tMaybe]);

  const act = useCallback(async (request: () => Promise<CallRead>, after?: () => void) => {
    setActionError(null);
    try {
      const call = await request();
      update((list) => replaceCall(list, call));
      after?.();
    } catch (e) {
      setActionError(describeError(e, tMaybe).message);
    }
  }, [update, tMaybe]);

  const hold = (on: boolean) => talkingId !== null && act(() => holdCall(talkingId, on), () => dispatch({ type: "hold", on }));
  const mute = (on: boolean) => talkingId !== null && act(() => muteCall(talkingId, on), () => dispatch({ type: "mute", on }));
  const transfer = (to: number) => talkingId !== null && act(() => transferCall(talkingId, to));
  const hangUp = () => talkingId !== null && act(() => hangUpCall(talkingId), () => dispatch({ type: "hung_up" }));
  const link = (callId: number, incidentId: number) => act(() => linkIncident(callId, incidentId));

  return {
    calls: sortCalls(calls), error, session, actionError, myId, remote,
    ringing: shouldRing(calls, myId) && session.status === "idle",
    answer, hold, mute, transfer, hangUp, link, clearError: () => setActionError(null),
  };
}
