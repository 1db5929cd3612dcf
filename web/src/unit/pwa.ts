/**
 * The unit app as an installable PWA: its manifest, theme colour and service worker are linked
 * only while /unit is shown (the desks stay a plain web app).
 */

export const MANIFEST_URL = "/unit.webmanifest";
export const SW_URL = "/unit-sw.js";
export const SW_SCOPE = "/unit";
export const THEME_COLOR = "#1864ab";

function headElement<K extends "link" | "meta">(tag: K, attrs: Record<string, string>): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  el.setAttribute("data-unit-app", "");
  document.head.appendChild(el);
  return el;
}

/** Same-origin hashed assets this page has loaded: handed to the service worker to keep offline. */
export function loadedAssetUrls(entries: readonly { name: string }[], origin: string): string[] {
  const urls = new Set<string>();
  for (const { name } of entries) {
    try {
      const url = new URL(name, origin);
      if (url.origin === origin && url.pathname.startsWith("/assets/")) urls.add(url.pathname);
    } catch {
      // not a URL
    }
  }
  return [...urls].sort();
}

async function registerWorker(): Promise<void> {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  try {
    await navigator.serviceWorker.register(SW_URL, { scope: SW_SCOPE });
    const ready = await navigator.serviceWorker.ready;
    const entries = typeof performance !== "undefined" ? performance.getEntriesByType("resource") : [];
    const scripts = [...document.querySelectorAll<HTMLScriptElement>("script[src]")].map((s) => ({ name: s.src }));
    const styles = [...document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')].map((l) => ({ name: l.href }));
    const urls = loadedAssetUrls([...entries, ...scripts, ...styles], window.location.origin);
    ready.active?.postMessage({ type: "cache-assets", urls });
  } catch {
    // No offline support on this browser; the app works online.
  }
}

/** Adds the manifest and theme colour to <head> and registers the worker; returns the clean-up. */
export function installUnitPwa(): () => void {
  const added = [
    headElement("link", { rel: "manifest", href: MANIFEST_URL }),
    headElement("meta", { name: "theme-color", content: THEME_COLOR }),
    headElement("link", { rel: "apple-touch-icon", href: "/unit-icon-192.png" }),
    headElement("meta", { name: "mobile-web-app-capable", content: "yes" }),
  ];
  void registerWorker();
  return () => {
    for (const el of added) el.remove();
  };
}
