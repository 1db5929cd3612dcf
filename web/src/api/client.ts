import { ApiError, errorFromResponse, unreachableError } from "./problem";

/**
 * The one place that talks HTTP to the backend. Every request:
 *  - is same-origin with credentials "same-origin" (the session is an HttpOnly cookie),
 *  - sends the UI language as Accept-Language so `detail` comes back localised,
 *  - sends X-CSRF-Token on state-changing methods,
 *  - turns any failure into an ApiError (see problem.ts),
 *  - reports a 401 to the registered handler (session expired → back to login).
 */

let requestLanguage = "ru";
let csrfToken: string | null = null;
let unauthorizedHandler: ((error: ApiError) => void) | null = null;

export function setRequestLanguage(lang: string): void {
  requestLanguage = lang;
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setUnauthorizedHandler(handler: ((error: ApiError) => void) | null): void {
  unauthorizedHandler = handler;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const DEFAULT_TIMEOUT_MS = 15_000;

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Serialised as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Do not treat a 401 as "session expired" (login, the initial session probe). */
  allowUnauthorized?: boolean;
}

export function buildHeaders(method: string, hasBody: boolean): Headers {
  const headers = new Headers({
    Accept: "application/json, application/problem+json",
    "Accept-Language": requestLanguage,
  });
  if (hasBody) headers.set("Content-Type", "application/json");
  if (!SAFE_METHODS.has(method) && csrfToken) headers.set("X-CSRF-Token", csrfToken);
  return headers;
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const hasBody = options.body !== undefined;

  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const onCallerAbort = () => controller.abort();
  options.signal?.addEventListener("abort", onCallerAbort, { once: true });

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: buildHeaders(method, hasBody),
      body: hasBody ? JSON.stringify(options.body) : undefined,
      credentials: "same-origin",
      cache: "no-store",
      signal: controller.signal,
    });
  } catch (cause) {
    if (options.signal?.aborted) throw cause;
    throw unreachableError(cause);
  } finally {
    clearTimeout(timeout);
    options.signal?.removeEventListener("abort", onCallerAbort);
  }

  if (!response.ok) {
    const error = await errorFromResponse(response);
    if (error.status === 401 && !options.allowUnauthorized && error.code !== "auth.invalid_credentials") {
      unauthorizedHandler?.(error);
    }
    throw error;
  }

  if (response.status === 204) return undefined as T;
  const contentType = response.headers.get("Content-Type") ?? "";
  if (!/json/i.test(contentType)) return undefined as T;
  return (await response.json()) as T;
}
