/** The ring of a waiting call: a telephone's two tones (440 + 480 Hz) made with Web Audio, repeated while it rings. */

const RING_EVERY_MS = 3000;
const RING_FOR_S = 1.2;

let context: AudioContext | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

function audioContext(): AudioContext | null {
  if (typeof window === "undefined" || !window.AudioContext) return null;
  try {
    context ??= new window.AudioContext();
    return context;
  } catch {
    return null;
  }
}

/** Browsers start audio only after a user gesture: call this from a click or key handler. */
export function unlockRing(): void {
  const ctx = audioContext();
  if (ctx && ctx.state === "suspended") void ctx.resume().catch(() => undefined);
}

function ringOnce(): void {
  const ctx = audioContext();
  if (!ctx) return;
  if (ctx.state === "suspended") void ctx.resume().catch(() => undefined);
  const t0 = ctx.currentTime + 0.01;
  const gain = ctx.createGain();
  gain.gain.setValueAtTime(0.0001, t0);
  gain.gain.exponentialRampToValueAtTime(0.08, t0 + 0.03);
  gain.gain.setValueAtTime(0.08, t0 + RING_FOR_S - 0.05);
  gain.gain.exponentialRampToValueAtTime(0.0001, t0 + RING_FOR_S);
  gain.connect(ctx.destination);
  for (const frequency of [440, 480]) {
    const oscillator = ctx.createOscillator();
    oscillator.frequency.value = frequency;
    oscillator.connect(gain);
    oscillator.start(t0);
    oscillator.stop(t0 + RING_FOR_S);
  }
}

/** Rings (now and every few seconds) while `on`; stops at once when not. */
export function setRinging(on: boolean): void {
  if (on && timer === null) {
    ringOnce();
    timer = setInterval(ringOnce, RING_EVERY_MS);
  } else if (!on && timer !== null) {
    clearInterval(timer);
    timer = null;
  }
}
