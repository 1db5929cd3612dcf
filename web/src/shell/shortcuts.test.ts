import { describe, expect, it, vi } from "vitest";
import { SEQUENCE_TIMEOUT_MS, ShortcutMatcher, ShortcutRegistry, isTyping, shortcutKey, type Shortcut } from "./shortcuts";

function shortcut(keys: string, scope: Shortcut["scope"] = "desk"): Shortcut {
  return { keys, label: "shortcuts.next", scope, run: vi.fn() };
}

/** A stand-in for a DOM element (the tests run without a DOM). */
function element(tagName: string, type?: string): EventTarget {
  return { tagName, type, isContentEditable: false } as unknown as EventTarget;
}

describe("shortcutKey", () => {
  it("takes plain keys and leaves typing, modifiers and other keys alone", () => {
    expect(shortcutKey({ key: "j" })).toBe("j");
    expect(shortcutKey({ key: "J" })).toBe("j");
    expect(shortcutKey({ key: "?" })).toBe("?");
    expect(shortcutKey({ key: "/" })).toBe("/");
    expect(shortcutKey({ key: "ArrowDown" })).toBe("ArrowDown");
    expect(shortcutKey({ key: "j", ctrlKey: true })).toBeNull();
    expect(shortcutKey({ key: "F5" })).toBeNull();
    expect(shortcutKey({ key: " " })).toBeNull();
    expect(shortcutKey({ key: "a", target: element("INPUT", "text") })).toBeNull();
    expect(shortcutKey({ key: "/", target: element("TEXTAREA") })).toBeNull();
  });

  it("knows what is typing: text fields, not checkboxes or buttons", () => {
    expect(isTyping(element("INPUT", "checkbox"))).toBe(false);
    expect(isTyping(element("INPUT", "search"))).toBe(true);
    expect(isTyping(element("SELECT"))).toBe(true);
    expect(isTyping(element("BUTTON"))).toBe(false);
    expect(isTyping({ tagName: "DIV", isContentEditable: true } as unknown as EventTarget)).toBe(true);
    expect(isTyping(null)).toBe(false);
  });
});

describe("ShortcutMatcher", () => {
  it("matches single keys and two-key sequences within the timeout", () => {
    const list = [shortcut("j"), shortcut("g m", "global"), shortcut("g a", "global")];
    const m = new ShortcutMatcher();
    expect(m.match(list, "j", 0).shortcut).toBe(list[0]);
    expect(m.match(list, "g", 10)).toEqual({ shortcut: null, waiting: true });
    expect(m.match(list, "a", 20).shortcut).toBe(list[2]);
    expect(m.match(list, "g", 30).waiting).toBe(true);
    // Too late: the second key stands alone.
    expect(m.match(list, "j", 30 + SEQUENCE_TIMEOUT_MS + 1).shortcut).toBe(list[0]);
    expect(m.match(list, "g", 5000).waiting).toBe(true);
    expect(m.match(list, "x", 5001)).toEqual({ shortcut: null, waiting: false });
    expect(m.match(list, "m", 5002)).toEqual({ shortcut: null, waiting: false });
  });

  it("lets the desk's key win over the shell's with the same keys", () => {
    const list = [shortcut("/", "global"), shortcut("/")];
    expect(new ShortcutMatcher().match(list, "/", 0).shortcut).toBe(list[1]);
  });
});

describe("ShortcutRegistry", () => {
  it("adds and removes sets and tells its listeners", () => {
    const registry = new ShortcutRegistry();
    const seen = vi.fn();
    registry.subscribe(seen);
    const id = registry.add([shortcut("j"), shortcut("k")]);
    registry.add([shortcut("?", "global")]);
    expect(registry.all().map((s) => s.keys)).toEqual(["j", "k", "?"]);
    registry.remove(id);
    expect(registry.all().map((s) => s.keys)).toEqual(["?"]);
    registry.setOverlay(true);
    expect(registry.overlayOpen).toBe(true);
    expect(seen).toHaveBeenCalledTimes(4);
  });
});
