import { backoffDelay, decideRetry, DEFAULT_RETRY, parseRetryAfter } from "../../../provider/client";

const policy = { maxAttempts: 6, maxElapsedMs: 60_000, minDelayMs: 100, maxDelayMs: 1_000 };
const early = { attemptsMade: 1, elapsedMs: 0 };

describe("backoffDelay (full jitter)", () => {
  test("the ceiling doubles per attempt up to maxDelay; the delay is uniform below it", () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, top))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(backoffDelay(4, policy, () => 0)).toBe(0);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(100);
  });

  test("defaults", () => {
    expect(DEFAULT_RETRY).toEqual({
      maxAttempts: 6,
      maxElapsedMs: 60_000,
      minDelayMs: 250,
      maxDelayMs: 10_000,
    });
  });
});

describe("parseRetryAfter", () => {
  test("seconds, HTTP date, absent, garbage", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter("0.5")).toBe(500);
    const now = Date.parse("2030-01-01T00:00:00Z");
    expect(parseRetryAfter("Tue, 01 Jan 2030 00:00:07 GMT", now)).toBe(7000);
    expect(parseRetryAfter("Mon, 31 Dec 2029 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

describe("decideRetry", () => {
  const r = (mode: "idempotent" | "create", failure: Parameters<typeof decideRetry>[1], budget = early) =>
    decideRetry(mode, failure, budget, policy, () => 0.5).retry;

  test("GET/PUT: 429, 5xx and transient network errors are retried; 4xx and DNS failures are not", () => {
    for (const status of [429, 500, 502, 503, 504]) expect(r("idempotent", { status })).toBe(true);
    for (const status of [400, 401, 403, 404, 409]) expect(r("idempotent", { status })).toBe(false);
    for (const code of ["ECONNRESET", "ECONNREFUSED", "UND_ERR_SOCKET", "UND_ERR_HEADERS_TIMEOUT", "EPIPE"]) {
      expect(r("idempotent", { code })).toBe(true);
    }
    expect(r("idempotent", { code: "ENOTFOUND" })).toBe(false);
    expect(r("idempotent", { code: "UND_ERR_BODY_TIMEOUT", afterSuccessHeaders: true })).toBe(false);
  });

  test("POST: only when certainly not sent (refused, connect timeout) or 429", () => {
    expect(r("create", { status: 429 })).toBe(true);
    expect(r("create", { code: "ECONNREFUSED" })).toBe(true);
    expect(r("create", { code: "UND_ERR_CONNECT_TIMEOUT" })).toBe(true);
    for (const status of [500, 502, 503]) expect(r("create", { status })).toBe(false);
    for (const code of ["ECONNRESET", "UND_ERR_SOCKET", "UND_ERR_HEADERS_TIMEOUT", "EPIPE"]) {
      expect(r("create", { code })).toBe(false);
    }
  });

  test("POST: any transient failure before the request was written (connect, handshake) is retried", () => {
    for (const code of ["ECONNRESET", "ETIMEDOUT", "UND_ERR_SOCKET", "EHOSTUNREACH"]) {
      expect(r("create", { code, notSent: true })).toBe(true);
      expect(r("create", { code, notSent: false })).toBe(false);
    }
    // Unsent but not transient: a name that does not resolve, a certificate, a failed handshake.
    expect(r("create", { code: "ENOTFOUND", notSent: true })).toBe(false);
    for (const code of ["DEPTH_ZERO_SELF_SIGNED_CERT", "CERT_HAS_EXPIRED", "ERR_SSL_WRONG_VERSION_NUMBER"]) {
      expect(r("create", { code, notSent: true })).toBe(false);
    }
  });

  test("certificate and handshake errors are never retried, in any mode", () => {
    for (const code of [
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "DEPTH_ZERO_SELF_SIGNED_CERT",
      "CERT_HAS_EXPIRED",
      "ERR_TLS_CERT_ALTNAME_INVALID",
      "SELF_SIGNED_CERT_IN_CHAIN",
      "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
    ]) {
      expect(r("idempotent", { code, notSent: true })).toBe(false);
      expect(r("create", { code, notSent: true })).toBe(false);
    }
  });

  test("caps: attempts and total time", () => {
    expect(r("idempotent", { status: 503 }, { attemptsMade: 5, elapsedMs: 0 })).toBe(true);
    expect(r("idempotent", { status: 503 }, { attemptsMade: 6, elapsedMs: 0 })).toBe(false);
    expect(r("idempotent", { status: 503 }, { attemptsMade: 1, elapsedMs: 59_990 })).toBe(false);
  });

  test("429: retried past the attempt cap for as long as the time budget allows, with a short jitter", () => {
    const many = { attemptsMade: 40, throttledAttempts: 40, elapsedMs: 30_000 };
    expect(decideRetry("idempotent", { status: 429 }, many, policy, () => 0.5)).toEqual({
      retry: true,
      delayMs: 50, // below minDelayMs: the limiter, cut by the 429, paces the retry
      reason: "HTTP 429",
    });
    expect(decideRetry("create", { status: 429 }, many, policy).retry).toBe(true);
    const late = { attemptsMade: 40, throttledAttempts: 40, elapsedMs: 59_999 };
    expect(decideRetry("idempotent", { status: 429 }, late, policy, () => 0.5)).toEqual({
      retry: false,
      reason: "HTTP 429: retry time budget of 60000 ms spent",
    });
    // Throttled attempts do not use up the attempts other failures get.
    const afterThrottles = { attemptsMade: 10, throttledAttempts: 8, elapsedMs: 0 };
    expect(decideRetry("idempotent", { status: 503 }, afterThrottles, policy, () => 0.5)).toEqual({
      retry: true,
      delayMs: 100,
      reason: "HTTP 503",
    });
    const capped = { attemptsMade: 10, throttledAttempts: 4, elapsedMs: 0 };
    expect(decideRetry("idempotent", { status: 503 }, capped, policy).retry).toBe(false);
  });

  test("Retry-After is the delay when present, and may exceed maxDelay but not the time budget", () => {
    const d = decideRetry("idempotent", { status: 429, retryAfterMs: 5_000 }, early, policy);
    expect(d).toEqual({ retry: true, delayMs: 5_000, reason: "HTTP 429" });
    const tooLong = decideRetry("idempotent", { status: 429, retryAfterMs: 120_000 }, early, policy);
    expect(tooLong.retry).toBe(false);
    const jitter = decideRetry(
      "idempotent",
      { status: 503 },
      { attemptsMade: 3, elapsedMs: 0 },
      policy,
      () => 0.5,
    );
    expect(jitter).toEqual({ retry: true, delayMs: 200, reason: "HTTP 503" });
  });
});
