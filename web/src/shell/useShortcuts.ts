import { useEffect, useRef, useSyncExternalStore } from "react";
import { ShortcutMatcher, shortcutKey, shortcuts, type Shortcut } from "./shortcuts";

/** Keys of the component's own (a desk's); `run` may read the latest props and state. Active while mounted. */
export function useShortcuts(list: readonly Shortcut[]): void {
  const latest = useRef(list);
  const id = useRef<number | null>(null);
  useEffect(() => {
    latest.current = list;
  });
  const signature = list.map((s) => `${s.keys}\u0000${s.label}`).join("\u0001");
  useEffect(() => {
    // Each entry calls the latest `run`, so re-rendering does not re-register.
    const entries = latest.current.map((s, index): Shortcut => ({ ...s, run: () => latest.current[index]?.run() }));
    id.current = shortcuts.add(entries);
    return () => {
      if (id.current !== null) shortcuts.remove(id.current);
    };
  }, [signature]);
}

/** Re-renders when shortcuts are added or removed, or the overlay opens or closes. */
export function useShortcutRegistry(): { list: Shortcut[]; overlayOpen: boolean } {
  useSyncExternalStore(shortcuts.subscribe, shortcuts.getVersion, shortcuts.getVersion);
  return { list: shortcuts.all(), overlayOpen: shortcuts.overlayOpen };
}

/** The one keydown listener of the tab: matches keys against every shortcut in force. */
export function useShortcutListener(): void {
  useEffect(() => {
    const matcher = new ShortcutMatcher();
    const onKey = (event: KeyboardEvent) => {
      const key = shortcutKey(event);
      if (key === null) return;
      const { shortcut, waiting } = matcher.match(shortcuts.all(), key, Date.now());
      if (waiting) {
        event.preventDefault();
        return;
      }
      if (!shortcut) return;
      event.preventDefault();
      shortcut.run();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
