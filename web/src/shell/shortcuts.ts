/**
 * Keyboard shortcuts: the pure part (which key a keydown is, whether the user is typing, matching two-key
 * sequences such as "g m") and the tab-wide registry the desks add their keys to, which the `?` overlay lists.
 */
import type { MessageKey } from "../i18n/messages";

export interface Shortcut {
  /** Keys as typed, space-separated for a sequence: "j", "/", "?", "g m". */
  keys: string;
  /** What it does, as the overlay lists it. */
  label: MessageKey;
  /** Where it applies: every desk, or the one on screen. */
  scope: "global" | "desk";
  /** For "go to" shortcuts: the desk they open (the label names it). */
  desk?: string;
  run: () => void;
}

/** After the first key of a sequence, how long the second one may take. */
export const SEQUENCE_TIMEOUT_MS = 1500;

/** Whether a key goes to a text field (shortcuts must not steal what the user types). */
export function isTyping(target: EventTarget | null): boolean {
  // Read as plain fields (not instanceof HTMLElement): an element of another frame is typing all the same.
  const element = target as { tagName?: unknown; isContentEditable?: unknown; type?: unknown } | null;
  if (!element || typeof element.tagName !== "string") return false;
  if (element.isContentEditable === true) return true;
  if (element.tagName === "TEXTAREA" || element.tagName === "SELECT") return true;
  if (element.tagName !== "INPUT") return false;
  return !["checkbox", "radio", "button", "submit", "reset"].includes(String(element.type ?? "text"));
}

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  target?: EventTarget | null;
}

/** The key name shortcuts use, or null for keys they never take (modifiers held, typing in a field). */
export function shortcutKey(event: KeyLike): string | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (isTyping(event.target ?? null)) return null;
  const { key } = event;
  if (key.length === 1) return key === " " ? null : /^[A-Za-z]$/.test(key) ? key.toLowerCase() : key;
  if (["ArrowDown", "ArrowUp", "Escape", "Enter"].includes(key)) return key;
  return null;
}

/**
 * Matches keys against shortcuts, one key at a time: a key that begins a sequence ("g") waits up to
 * SEQUENCE_TIMEOUT_MS for the next. The later shortcut with the same keys wins (the desk's over the shell's).
 */
export class ShortcutMatcher {
  private pending: string | null = null;
  private pendingAt = 0;

  match(shortcuts: readonly Shortcut[], key: string, now: number): { shortcut: Shortcut | null; waiting: boolean } {
    const typed = this.pending !== null && now - this.pendingAt <= SEQUENCE_TIMEOUT_MS ? `${this.pending} ${key}` : key;
    this.pending = null;
    const exact = [...shortcuts].reverse().find((s) => s.keys === typed);
    if (exact) return { shortcut: exact, waiting: false };
    if (typed !== key) return this.match(shortcuts, key, now); // an unfinished sequence: the key starts afresh
    if (shortcuts.some((s) => s.keys.startsWith(`${key} `))) {
      this.pending = key;
      this.pendingAt = now;
      return { shortcut: null, waiting: true };
    }
    return { shortcut: null, waiting: false };
  }
}

type Listener = () => void;

/** The shortcuts in force now: the shell's and the desk's on screen. */
export class ShortcutRegistry {
  private sets = new Map<number, readonly Shortcut[]>();
  private nextId = 1;
  private listeners = new Set<Listener>();
  private version = 0;
  overlayOpen = false;

  add(shortcuts: readonly Shortcut[]): number {
    const id = this.nextId++;
    this.sets.set(id, shortcuts);
    this.changed();
    return id;
  }

  replace(id: number, shortcuts: readonly Shortcut[]): void {
    if (this.sets.has(id)) this.sets.set(id, shortcuts);
  }

  remove(id: number): void {
    this.sets.delete(id);
    this.changed();
  }

  all(): Shortcut[] {
    return [...this.sets.values()].flat();
  }

  setOverlay(open: boolean): void {
    this.overlayOpen = open;
    this.changed();
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  private changed(): void {
    this.version += 1;
    for (const listener of [...this.listeners]) listener();
  }
}

export const shortcuts = new ShortcutRegistry();

/** On the alarm desk: answer the oldest waiting call (SOS terminal or 102). */
export const ANSWER_CALL_KEY = "c";

/** The letter after "g" that opens each desk. */
export const DESK_KEYS: Record<string, string> = {
  map: "m", alarms: "a", incidents: "i", units: "u", video: "v", stats: "s", admin: "d", audit: "l", shifts: "h",
};
