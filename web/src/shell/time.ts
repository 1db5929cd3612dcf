import { useEffect, useState } from "react";

/**
 * Wall-clock formatting in the deployment's time zone. Digits and separators
 * are assembled here (dd.MM.yyyy HH:mm:ss, the Kazakhstan convention) instead
 * of relying on the browser's locale data, which is incomplete for Kazakh in
 * some builds; weekday names come from the translation files.
 */

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface WallClock {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  weekday: Weekday;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    const options: Intl.DateTimeFormatOptions = {
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "short",
    };
    try {
      fmt = new Intl.DateTimeFormat("en-US", { ...options, timeZone });
    } catch {
      // Unknown zone: fall back to the workstation's zone rather than failing to render.
      fmt = new Intl.DateTimeFormat("en-US", options);
    }
    formatters.set(timeZone, fmt);
  }
  return fmt;
}

const EN_WEEKDAYS: Record<string, Weekday> = {
  Mon: "mon",
  Tue: "tue",
  Wed: "wed",
  Thu: "thu",
  Fri: "fri",
  Sat: "sat",
  Sun: "sun",
};

/** The calendar and clock fields of an instant as seen in `timeZone`. */
export function wallClock(date: Date, timeZone: string): WallClock {
  const fields: Record<string, string> = {};
  for (const part of partsFormatter(timeZone).formatToParts(date)) fields[part.type] = part.value;
  return {
    year: fields.year,
    month: fields.month,
    day: fields.day,
    hour: fields.hour === "24" ? "00" : fields.hour,
    minute: fields.minute,
    second: fields.second,
    weekday: EN_WEEKDAYS[fields.weekday] ?? "mon",
  };
}

export interface TimeFormat {
  timeZone: string;
  withDate?: boolean;
  withSeconds?: boolean;
}

function toDate(value: Date | string | number): Date | null {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "08:30:05", or "25.11.2026 08:30:05" with `withDate`. */
export function formatInstant(value: Date | string | number, opts: TimeFormat): string {
  const date = toDate(value);
  if (!date) return String(value);
  const c = wallClock(date, opts.timeZone);
  const time = opts.withSeconds === false ? `${c.hour}:${c.minute}` : `${c.hour}:${c.minute}:${c.second}`;
  return opts.withDate ? `${c.day}.${c.month}.${c.year} ${time}` : time;
}

/** "25.11.2026". */
export function formatDate(value: Date, timeZone: string): string {
  const c = wallClock(value, timeZone);
  return `${c.day}.${c.month}.${c.year}`;
}

/** The current time, refreshed every `intervalMs` (aligned to whole seconds). */
export function useNow(intervalMs = 1000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      const current = new Date();
      setNow(current);
      timer = setTimeout(tick, intervalMs - (current.getTime() % intervalMs) + 5);
    };
    timer = setTimeout(tick, intervalMs - (Date.now() % intervalMs) + 5);
    return () => clearTimeout(timer);
  }, [intervalMs]);
  return now;
}
