import { wallClock } from "../../shell/time";

/** Instants ↔ the value of a `datetime-local` input, to the second, in the desk's time zone (as all times show). */

export function toLocalInput(ms: number, timeZone: string): string {
  const c = wallClock(new Date(ms), timeZone);
  return `${c.year}-${c.month}-${c.day}T${c.hour}:${c.minute}:${c.second}`;
}

/** The instant a wall-clock value names in `timeZone`; NaN for an empty or malformed value. */
export function fromLocalInput(value: string, timeZone: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d))?$/.exec(value);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0));
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  // The zone's offset at that moment, found by reading the guess back as a wall clock (twice: across a DST change).
  let guess = asUtc;
  for (let i = 0; i < 2; i += 1) {
    const c = wallClock(new Date(guess), timeZone);
    const shown = Date.UTC(Number(c.year), Number(c.month) - 1, Number(c.day), Number(c.hour), Number(c.minute), Number(c.second));
    guess += asUtc - shown;
  }
  return guess;
}
