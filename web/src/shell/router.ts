import { useSyncExternalStore, type MouseEvent } from "react";

/**
 * A very small router on top of the History API: the shell only needs the
 * current pathname and a way to change it.
 */

const listeners = new Set<() => void>();

function notify() {
  for (const listener of [...listeners]) listener();
}

if (typeof window !== "undefined") {
  window.addEventListener("popstate", notify);
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function getPathname() {
  return window.location.pathname;
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, getPathname, getPathname);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search + window.location.hash) return;
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  notify();
}

/**
 * onClick for <a href> links: plain left clicks navigate in-app; clicks with a
 * modifier (new tab, new window) are left to the browser.
 */
export function handleLinkClick(event: MouseEvent<HTMLElement>, to: string): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(to);
}
