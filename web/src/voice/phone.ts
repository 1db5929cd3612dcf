/**
 * The operator's end of a call: the microphone (permission, device choice), one RTCPeerConnection per answered
 * call whose offer goes to the server once ICE gathering is complete (the voice process does no trickle ICE),
 * and the caller's audio played on an <audio> element.
 */
import { buildHeaders } from "../api/client";

/** What the desk can say about the microphone. */
export type MicState = "unknown" | "ready" | "denied" | "none" | "busy" | "unsupported" | "error";

/** How long to wait for ICE gathering before sending what was gathered (host candidates come at once on a LAN). */
export const ICE_GATHERING_TIMEOUT_MS = 3000;

/** The microphone state a getUserMedia failure means. */
export function micStateFromError(error: unknown): MicState {
  const name = typeof error === "object" && error !== null ? String((error as { name?: unknown }).name ?? "") : "";
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") return "denied";
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") return "none";
  if (name === "NotReadableError" || name === "AbortError" || name === "TrackStartError") return "busy";
  if (name === "TypeError" && !hasMediaDevices()) return "unsupported";
  return "error";
}

/** Whether this page may ask for a microphone at all (a secure context with mediaDevices and WebRTC). */
export function hasMediaDevices(): boolean {
  return typeof navigator !== "undefined" && !!navigator.mediaDevices?.getUserMedia && typeof RTCPeerConnection !== "undefined";
}

/** The browser's microphones (labels only once permission was given). */
export async function listMicrophones(): Promise<MediaDeviceInfo[]> {
  if (!hasMediaDevices() || !navigator.mediaDevices.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((d) => d.kind === "audioinput");
}

/** Asks for the microphone once (the permission prompt), then lets it go; the state it ends in. */
export async function probeMicrophone(deviceId: string | null): Promise<MicState> {
  if (!hasMediaDevices()) return "unsupported";
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: deviceId ? { deviceId: { exact: deviceId } } : true });
    stream.getTracks().forEach((track) => track.stop());
    return "ready";
  } catch (e) {
    return micStateFromError(e);
  }
}

/** Resolves when ICE gathering is complete, or after `timeoutMs` with what was gathered by then. */
export function gatheringComplete(pc: RTCPeerConnection, timeoutMs = ICE_GATHERING_TIMEOUT_MS): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", check);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === "complete") done();
    };
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener("icegatheringstatechange", check);
  });
}

/** A failure of the microphone step, with the state it means (so the desk can say why). */
export class MicrophoneError extends Error {
  constructor(readonly state: MicState, cause: unknown) {
    super(`microphone: ${state}`, { cause });
  }
}

/** One call's media in this tab: the microphone track, the peer connection and the caller's audio. */
export class PhoneLeg {
  private constructor(
    readonly pc: RTCPeerConnection,
    readonly local: MediaStream,
    readonly remote: MediaStream,
  ) {}

  /**
   * Opens the microphone, makes the offer, hands its SDP (gathering complete) to `answer` (the server's answer
   * route) and applies the answer; the leg closes again if any step fails. Microphone failures are MicrophoneError.
   */
  static async open<T extends { sdp: string }>(deviceId: string | null, answer: (sdp: string) => Promise<T>): Promise<{ leg: PhoneLeg; answered: T }> {
    if (!hasMediaDevices()) throw new MicrophoneError("unsupported", null);
    let local: MediaStream;
    try {
      local = await navigator.mediaDevices.getUserMedia({
        audio: { ...(deviceId ? { deviceId: { exact: deviceId } } : {}), echoCancellation: true, noiseSuppression: true },
      });
    } catch (e) {
      throw new MicrophoneError(micStateFromError(e), e);
    }
    const pc = new RTCPeerConnection({ iceServers: [] });
    const remote = new MediaStream();
    const leg = new PhoneLeg(pc, local, remote);
    pc.ontrack = (event) => {
      if (!remote.getTracks().includes(event.track)) remote.addTrack(event.track);
    };
    try {
      for (const track of local.getAudioTracks()) pc.addTrack(track, local);
      await pc.setLocalDescription(await pc.createOffer());
      await gatheringComplete(pc);
      const answered = await answer(pc.localDescription?.sdp ?? "");
      await pc.setRemoteDescription({ type: "answer", sdp: answered.sdp });
      return { leg, answered };
    } catch (e) {
      leg.close();
      throw e;
    }
  }

  /** Sends silence (mute or hold) or the microphone again, without renegotiating. */
  setSending(on: boolean): void {
    for (const track of this.local.getAudioTracks()) track.enabled = on;
  }

  close(): void {
    this.local.getTracks().forEach((track) => track.stop());
    this.pc.getSenders().forEach((sender) => sender.track?.stop());
    this.pc.close();
  }
}

/** Tells the server the browser left a call while the page goes away (a request that outlives the page). */
export function leaveOnUnload(callId: number): void {
  void fetch(`/api/voice/calls/${callId}/leave`, {
    method: "POST",
    headers: buildHeaders("POST", false),
    credentials: "same-origin",
    keepalive: true,
  }).catch(() => undefined);
}
