import { apiRequest } from "./client";
import type { Meta, Session } from "./types";

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
