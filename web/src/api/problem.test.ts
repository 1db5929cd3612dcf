import { describe, expect, it } from "vitest";
import { lookup } from "../i18n/messages";
import {
  ApiError,
  CLIENT_CODES,
  describeError,
  errorFromResponse,
  parseRetryAfterHeader,
  unreachableError,
  type Translator,
} from "./problem";

const ru: Translator = (key, vars) => lookup("ru", key, vars);
const en: Translator = (key, vars) => lookup("en", key, vars);

function problemResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });
}

describe("errorFromResponse", () => {
  it("reads an RFC 9457 problem document", async () => {
    const error = await errorFromResponse(
      problemResponse(422, {
        type: "about:blank",
        title: "Validation failed",
        status: 422,
        detail: "Проверьте поля формы.",
        code: "request.validation_failed",
        errors: [
          { field: "username", message: "Обязательное поле" },
          { field: "password", message: "Слишком короткий" },
        ],
      }),
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(422);
    expect(error.code).toBe("request.validation_failed");
    expect(error.detail).toBe("Проверьте поля формы.");
    expect(error.fieldErrors).toHaveLength(2);
  });

  it("takes retry_after from the body, else from the Retry-After header", async () => {
    const fromBody = await errorFromResponse(
      problemResponse(429, { status: 429, code: "auth.throttled", detail: "x", retry_after: 42 }, { "Retry-After": "7" }),
    );
    expect(fromBody.retryAfter).toBe(42);
    const fromHeader = await errorFromResponse(
      problemResponse(429, { status: 429, code: "auth.throttled", detail: "x" }, { "Retry-After": "7" }),
    );
    expect(fromHeader.retryAfter).toBe(7);
  });

  it("parses Retry-After given as an HTTP date", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfterHeader("Wed, 01 Jan 2025 00:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfterHeader("soon", now)).toBeNull();
    expect(parseRetryAfterHeader(null, now)).toBeNull();
  });

  it("maps a proxy error page to 'server unreachable'", async () => {
    const error = await errorFromResponse(
      new Response("<html>Bad Gateway</html>", { status: 502, headers: { "Content-Type": "text/html" } }),
    );
    expect(error.code).toBe(CLIENT_CODES.unreachable);
    const empty500 = await errorFromResponse(new Response("", { status: 500 }));
    expect(empty500.code).toBe(CLIENT_CODES.unreachable);
  });

  it("maps other non-problem answers to 'unexpected response'", async () => {
    const error = await errorFromResponse(new Response("oops", { status: 500, headers: { "Content-Type": "text/plain" } }));
    expect(error.code).toBe(CLIENT_CODES.unexpected);
    expect(error.status).toBe(500);
  });

  it("survives a body that claims JSON but is not", async () => {
    const error = await errorFromResponse(
      new Response("{not json", { status: 400, headers: { "Content-Type": "application/problem+json" } }),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe(CLIENT_CODES.unexpected);
  });
});

describe("describeError", () => {
  it("uses the translation for a known code, not the server detail", () => {
    const error = new ApiError({ status: 401, code: "auth.invalid_credentials", detail: "Invalid credentials." });
    expect(describeError(error, ru).message).toBe("Неверное имя пользователя или пароль.");
    expect(describeError(error, en).message).toBe("Wrong username or password.");
  });

  it("falls back to the server's localised detail for an unknown code", () => {
    const error = new ApiError({ status: 409, code: "incident.already_closed", detail: "Происшествие уже закрыто." });
    expect(describeError(error, ru).message).toBe("Происшествие уже закрыто.");
  });

  it("falls back to the title, then to a generic message with the status", () => {
    expect(describeError(new ApiError({ status: 418, code: "x.y", title: "Teapot" }), en).message).toBe("Teapot");
    expect(describeError(new ApiError({ status: 418 }), en).message).toBe("Unexpected server response (HTTP 418).");
  });

  it("shows the seconds to wait when throttled", () => {
    const error = new ApiError({ status: 429, code: "auth.throttled", detail: "Too many", retryAfter: 29.2 });
    expect(describeError(error, en).message).toBe("Too many attempts. Try again in 30 s.");
    expect(describeError(error, ru).message).toBe("Слишком много попыток. Повторите через 30 с.");
    const unknownDelay = new ApiError({ status: 429, code: "auth.throttled" });
    expect(describeError(unknownDelay, en).message).toBe("Too many attempts. Try again later.");
  });

  it("says the server is unreachable when fetch fails", () => {
    const error = unreachableError(new TypeError("Failed to fetch"));
    expect(error.status).toBe(0);
    expect(describeError(error, en).message).toMatch(/unreachable/);
  });

  it("collects field errors by field name", () => {
    const error = new ApiError({
      status: 422,
      code: "request.validation_failed",
      fieldErrors: [
        { field: "username", message: "required" },
        { field: "username", message: "second one is ignored" },
      ],
    });
    expect(describeError(error, en)).toEqual({
      message: "The submitted data contains errors.",
      fieldErrors: { username: "required" },
    });
  });

  it("handles errors that are not API errors", () => {
    expect(describeError(new Error("boom"), en).message).toBe("Something went wrong. Try again.");
  });
});
