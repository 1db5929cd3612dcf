import { apiRequest } from "./client";
import type {
  CityFeatureCollection,
  CityLayer,
  CityModelList,
  DeviceDetail,
  DeviceFeatureCollection,
  DeviceSummary,
  GeocodeResult,
  Meta,
  Session,
} from "./types";

export function fetchSession(options: { signal?: AbortSignal; allowUnauthorized?: boolean; timeoutMs?: number } = {}) {
  return apiRequest<Session>("/api/auth/session", options);
}

export function login(username: string, password: string) {
  return apiRequest<Session>("/api/auth/login", {
    method: "POST",
    body: { username, password },
    allowUnauthorized: true,
  });
}

export function logout() {
  return apiRequest<void>("/api/auth/logout", { method: "POST", allowUnauthorized: true });
}

export function fetchMeta(options: { signal?: AbortSignal; timeoutMs?: number } = {}) {
  return apiRequest<Meta>("/api/meta", { ...options, allowUnauthorized: true });
}

// ---- city model -------------------------------------------------------------

export const BASE_MAP_LAYERS: readonly CityLayer[] = ["boundary", "settlements", "microdistricts", "streets", "blocks"];

export function fetchCityMap(layers: readonly CityLayer[] = BASE_MAP_LAYERS, options: { signal?: AbortSignal } = {}) {
  const query = new URLSearchParams({ layers: layers.join(",") });
  return apiRequest<CityFeatureCollection>(`/api/city/map?${query}`, { ...options, timeoutMs: 60_000 });
}

export function fetchCityModels(options: { signal?: AbortSignal } = {}) {
  return apiRequest<CityModelList>("/api/city/models?limit=500", options);
}

/** Resolves an address; a 422 problem `city.address_not_found` when it cannot. */
export function geocode(q: string, options: { signal?: AbortSignal } = {}) {
  return apiRequest<GeocodeResult>(`/api/city/geocode?${new URLSearchParams({ q })}`, options);
}

// ---- device registry --------------------------------------------------------

export function fetchDevicesGeoJson(options: { signal?: AbortSignal } = {}) {
  return apiRequest<DeviceFeatureCollection>("/api/devices/geojson", { ...options, timeoutMs: 60_000 });
}

export function fetchDevicesSummary(options: { signal?: AbortSignal } = {}) {
  return apiRequest<DeviceSummary>("/api/devices/summary", options);
}

export function fetchDevice(code: string, options: { signal?: AbortSignal } = {}) {
  return apiRequest<DeviceDetail>(`/api/devices/${encodeURIComponent(code)}`, options);
}
