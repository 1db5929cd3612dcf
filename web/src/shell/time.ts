import { useEffect, useState } from "react";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let fmt = formatters.get(key);
  if (!fmt) {
    try {
      fmt = new Intl.DateTimeFormat(locale, options);
    } catch {
      // Unknown zone or locale: fall back to the browser's zone rather than failing to render.
      const { timeZone: _ignored, ...rest } = options;
      fmt = new Intl.DateTimeFormat(undefined, rest);
    }
    formatters.set(key, fmt);
  }
  return fmt;
}

export interface TimeFormat {
  timeZone: string;
  locale: string;
  withDate?: boolean;
  withSeconds?: boolean;
}

/** Formats an instant as wall-clock time in the given zone (24-hour clock). */
export function formatInstant(value: Date | string | number, opts: TimeFormat): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return formatter(opts.locale, {
    timeZone: opts.timeZone,
    hourCycle: "h23",
    hour: "2-digit",
    minute: "2-digit",
    ...(opts.withSeconds === false ? {} : { second: "2-digit" }),
    ...(opts.withDate ? { day: "2-digit", month: "2-digit", year: "numeric" } : {}),
  }).format(date);
}

/** Formats the calendar date of an instant in the given zone. */
export function formatDate(value: Date, opts: Omit<TimeFormat, "withDate" | "withSeconds">): string {
  return formatter(opts.locale, {
    timeZone: opts.timeZone,
    weekday: "short",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
  }).format(value);
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
