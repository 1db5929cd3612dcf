/**
 * RFC 9457 problem details as sent by the Qorgau backend, and the mapping of
 * an API failure to one message for the user.
 */

export interface ProblemFieldError {
  field: string;
  message: string;
}

export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  /** Stable machine key, e.g. "auth.invalid_credentials". */
  code?: string;
  errors?: ProblemFieldError[];
  /** Seconds, sent with auth.throttled. */
  retry_after?: number;
  [extension: string]: unknown;
}

/** Codes the client assigns itself when there is no problem document to read. */
export const CLIENT_CODES = {
  /** fetch() failed, timed out, or a proxy answered that the backend is down. */
  unreachable: "client.unreachable",
  /** The server answered with an error that is not a problem document. */
  unexpected: "client.unexpected",
} as const;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | null;
  readonly title: string | null;
  readonly detail: string | null;
  readonly fieldErrors: ProblemFieldError[];
  /** Seconds until a throttled request may be retried, when known. */
  readonly retryAfter: number | null;
  readonly problem: ProblemDetails | null;

  constructor(init: {
    status: number;
    code?: string | null;
    title?: string | null;
    detail?: string | null;
    fieldErrors?: ProblemFieldError[];
    retryAfter?: number | null;
    problem?: ProblemDetails | null;
    cause?: unknown;
  }) {
    super(init.detail || init.title || init.code || `HTTP ${init.status}`, { cause: init.cause });
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code ?? null;
    this.title = init.title ?? null;
    this.detail = init.detail ?? null;
    this.fieldErrors = init.fieldErrors ?? [];
    this.retryAfter = init.retryAfter ?? null;
    this.problem = init.problem ?? null;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

function asNonEmptyString(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

function parseSeconds(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return null;
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfterHeader(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const seconds = parseSeconds(value);
  if (seconds !== null) return seconds;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

function parseFieldErrors(value: unknown): ProblemFieldError[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    if (!item || typeof item !== "object") return [];
    const { field, message } = item as Record<string, unknown>;
    const msg = asNonEmptyString(message);
    if (!msg) return [];
    return [{ field: typeof field === "string" ? field : "", message: msg }];
  });
}

/** Builds an ApiError from a parsed problem body (or anything else the server sent). */
export function errorFromProblem(status: number, body: unknown, headers?: Headers): ApiError {
  const problem = body && typeof body === "object" && !Array.isArray(body) ? (body as ProblemDetails) : null;
  const retryAfter =
    parseSeconds(problem?.retry_after) ?? parseRetryAfterHeader(headers?.get("Retry-After") ?? null);

  if (!problem || (!asNonEmptyString(problem.code) && !asNonEmptyString(problem.detail) && !asNonEmptyString(problem.title))) {
    // Not a problem document: a proxy or a crash page answered.
    const proxyDown = status === 502 || status === 503 || status === 504 || (status === 500 && body === null);
    return new ApiError({
      status,
      code: proxyDown ? CLIENT_CODES.unreachable : CLIENT_CODES.unexpected,
      retryAfter,
      problem,
    });
  }

  return new ApiError({
    status: typeof problem.status === "number" ? problem.status : status,
    code: asNonEmptyString(problem.code),
    title: asNonEmptyString(problem.title),
    detail: asNonEmptyString(problem.detail),
    fieldErrors: parseFieldErrors(problem.errors),
    retryAfter,
    problem,
  });
}

/** Reads a failed Response. The body is parsed as JSON only when the content type says JSON. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null;
  const contentType = response.headers.get("Content-Type") ?? "";
  try {
    const text = await response.text();
    if (text.trim() !== "") {
      body = /json/i.test(contentType) ? JSON.parse(text) : text;
    }
  } catch {
    body = null;
  }
  return errorFromProblem(response.status, body, response.headers);
}

export function unreachableError(cause?: unknown): ApiError {
  return new ApiError({ status: 0, code: CLIENT_CODES.unreachable, cause });
}

/** Dynamic message lookup: returns undefined when the key has no message. */
export type Translator = (key: string, vars?: Record<string, string | number>) => string | undefined;

export interface DescribedError {
  /** One message for the user, in the current language where possible. */
  message: string;
  /** Server-localised messages per form field (from problem.errors). */
  fieldErrors: Record<string, string>;
}

/**
 * Chooses the message to show for a failure:
 *  1. a translation under errors.<code> for codes the UI knows,
 *  2. else the server's localised `detail`,
 *  3. else its `title`,
 *  4. else a generic message.
 */
export function describeError(error: unknown, tr: Translator): DescribedError {
  if (!isApiError(error)) {
    return { message: tr("errors.generic") ?? String(error), fieldErrors: {} };
  }

  const fieldErrors: Record<string, string> = {};
  for (const { field, message } of error.fieldErrors) {
    if (field && !(field in fieldErrors)) fieldErrors[field] = message;
  }

  let message: string | undefined;
  if (error.code === "auth.throttled") {
    message =
      error.retryAfter !== null
        ? tr("errors.auth.throttled", { seconds: Math.max(1, Math.ceil(error.retryAfter)) })
        : tr("errors.auth.throttled_later");
  } else if (error.code) {
    message = tr(`errors.${error.code}`, { status: error.status });
  }
  message ??= error.detail ?? error.title ?? tr("errors.client.unexpected", { status: error.status });
  return { message: message ?? `HTTP ${error.status}`, fieldErrors };
}
