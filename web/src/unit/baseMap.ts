import { fetchCityMap } from "../api/endpoints";
import type { CityFeatureCollection } from "../api/types";

let request: Promise<CityFeatureCollection> | null = null;

/** The city base map, fetched once per page (a failure is retried on the next call). */
export function loadBaseMap(): Promise<CityFeatureCollection> {
  request ??= fetchCityMap().catch((error: unknown) => {
    request = null;
    throw error;
  });
  return request;
}

/** Resolves once the unit app's service worker controls the page, or after `timeoutMs` without one. */
function whenControlled(timeoutMs: number): Promise<void> {
  if (!("serviceWorker" in navigator) || navigator.serviceWorker.controller) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      navigator.serviceWorker.removeEventListener("controllerchange", done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    navigator.serviceWorker.addEventListener("controllerchange", done);
  });
}

/**
 * Loads the base map right after sign-in, through the service worker, so it is cached for the
 * moment a dispatch comes with no network (a failure here is silent: the map retries when shown).
 */
export function prefetchBaseMap(): void {
  void whenControlled(8000)
    .then(() => loadBaseMap())
    .catch(() => undefined);
}
