/*
 * Service worker of the Qorgau unit app (scope /unit). It keeps, for use without network:
 *   - the app shell: /unit (index.html), the hashed /assets/* it loads, the manifest and icons;
 *   - the city base map: GET /api/city/map (network first, the last good answer when offline).
 * No other API response is ever stored: incidents, assignments and positions always come live.
 */
"use strict";

const SHELL_CACHE = "qorgau-unit-shell-v1";
const MAP_CACHE = "qorgau-unit-map-v1";
const KEEP = [SHELL_CACHE, MAP_CACHE];
const SHELL_PAGE = "/unit";
const SHELL_FILES = ["/unit.webmanifest", "/unit-icon.svg", "/unit-icon-192.png", "/unit-icon-512.png", "/favicon.svg"];
/** How long to wait for the network before answering from the cache (when there is a cached copy). */
const NETWORK_WAIT_MS = { page: 4000, map: 8000 };

function assetsOf(html) {
  const urls = new Set();
  for (const match of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) urls.add(match[1]);
  return [...urls];
}

async function precache() {
  const cache = await caches.open(SHELL_CACHE);
  await cache.addAll(SHELL_FILES).catch(() => undefined);
  const page = await fetch(SHELL_PAGE, { credentials: "same-origin", cache: "no-store" });
  if (!page.ok) return;
  await cache.put(SHELL_PAGE, page.clone());
  await cache.addAll(assetsOf(await page.text())).catch(() => undefined);
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().catch(() => undefined).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("qorgau-unit-") && !KEEP.includes(n)).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

/** The page hands over the assets it loaded (code-split chunks the install could not see). */
self.addEventListener("message", (event) => {
  const data = event.data;
  if (!data || data.type !== "cache-assets" || !Array.isArray(data.urls)) return;
  const urls = data.urls.filter((u) => typeof u === "string" && u.startsWith("/assets/"));
  event.waitUntil(
    caches.open(SHELL_CACHE).then(async (cache) => {
      for (const url of urls) {
        if (!(await cache.match(url))) await cache.add(url).catch(() => undefined);
      }
    }),
  );
});

/** One cache entry per set of layers, however the query was spelled (`,` or `%2C`, order of parameters). */
function mapKey(url) {
  const params = new URLSearchParams(url.search);
  params.sort();
  const query = params.toString();
  return query ? `${url.pathname}?${query}` : url.pathname;
}

function isUnitPage(url) {
  return url.pathname === "/unit" || url.pathname.startsWith("/unit/");
}

/** Network first; after `waitMs` (or on failure) the cached copy, if there is one. Good answers are stored. */
async function networkFirst(request, cacheName, key, waitMs) {
  const cache = await caches.open(cacheName);
  const network = fetch(request).then(async (response) => {
    if (response.ok) await cache.put(key, response.clone());
    return response;
  });
  network.catch(() => undefined); // a late failure after answering from the cache is not an error
  const cached = await cache.match(key);
  if (!cached) return network;
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), waitMs));
  try {
    const first = await Promise.race([network, timeout]);
    if (first && first.ok) return first;
    return cached;
  } catch {
    return cached;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (url.pathname === "/api/city/map") {
    event.respondWith(networkFirst(request, MAP_CACHE, mapKey(url), NETWORK_WAIT_MS.map));
    return;
  }
  if (url.pathname === "/api" || url.pathname.startsWith("/api/")) return; // never cached
  if (request.mode === "navigate") {
    // The scope /unit also covers /units (a desk): only the unit app's pages are served from here.
    if (isUnitPage(url)) event.respondWith(networkFirst(request, SHELL_CACHE, SHELL_PAGE, NETWORK_WAIT_MS.page));
    return;
  }
  if (url.pathname.startsWith("/assets/")) {
    event.respondWith(cacheFirst(request));
    return;
  }
  if (SHELL_FILES.includes(url.pathname)) {
    event.respondWith(networkFirst(request, SHELL_CACHE, url.pathname, NETWORK_WAIT_MS.page));
  }
});
