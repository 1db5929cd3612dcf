/**
 * The dispatch alert: three short beeps made with Web Audio (no audio files) and a vibration.
 * Browsers only let a page play sound after a user gesture; `unlockAudio` is called on the first
 * tap (sign-in, any button) so the alert can sound later without one.
 */

declare global {
  interface Window {
    /** Test hook: how many alerts the app has sounded (browser tests read it). */
    __qorgauUnitBeeps?: number;
    webkitAudioContext?: typeof AudioContext;
  }
}

let context: AudioContext | null = null;

function audioContext(): AudioContext | null {
  if (context) return context;
  const Ctor = typeof window !== "undefined" ? (window.AudioContext ?? window.webkitAudioContext) : undefined;
  if (!Ctor) return null;
  try {
    context = new Ctor();
  } catch {
    context = null;
  }
  return context;
}

/** Resumes the audio context inside a user gesture so later alerts are audible. */
export function unlockAudio(): void {
  const ctx = audioContext();
  if (ctx && ctx.state === "suspended") void ctx.resume().catch(() => undefined);
}

/** Beep pattern: [frequency Hz, start s, length s]. */
export const ALERT_PATTERN: readonly (readonly [number, number, number])[] = [
  [880, 0, 0.18],
  [1320, 0.25, 0.18],
  [880, 0.5, 0.3],
];

export const VIBRATION_PATTERN = [300, 120, 300, 120, 600];

function beep(ctx: AudioContext): void {
  const gain = ctx.createGain();
  gain.connect(ctx.destination);
  const t0 = ctx.currentTime + 0.02;
  gain.gain.setValueAtTime(0, t0);
  for (const [freq, start, length] of ALERT_PATTERN) {
    const osc = ctx.createOscillator();
    osc.type = "square";
    osc.frequency.setValueAtTime(freq, t0 + start);
    osc.connect(gain);
    gain.gain.setValueAtTime(0.25, t0 + start);
    gain.gain.setValueAtTime(0, t0 + start + length);
    osc.start(t0 + start);
    osc.stop(t0 + start + length + 0.01);
  }
}

/** Sounds the dispatch alert and vibrates where the phone can; never throws. */
export function playDispatchAlert(): void {
  if (typeof window === "undefined") return;
  window.__qorgauUnitBeeps = (window.__qorgauUnitBeeps ?? 0) + 1;
  try {
    const ctx = audioContext();
    if (ctx) {
      if (ctx.state === "suspended") void ctx.resume().catch(() => undefined);
      beep(ctx);
    }
  } catch {
    // No sound on this device; the card on screen remains.
  }
  try {
    navigator.vibrate?.(VIBRATION_PATTERN);
  } catch {
    // Vibration is optional.
  }
}
