// Retry policy: which failures are retried, and how long to wait. The waiting and re-dispatching itself
// is undici's (interceptors.retry / RetryHandler, see transport.ts); this module only decides.

export interface RetryOptions {
  /**
   * Attempts per request, the first included, for server errors and network failures. Default 6.
   * Throttles (429) do not count against it: the rate limiter paces their retries, and only the time
   * budget ends them.
   */
  maxAttempts?: number;
  /** No retry is started once this much time has passed since the first attempt. Default 60 000 ms. */
  maxElapsedMs?: number;
  /** Base of the exponential backoff. Default 250 ms. */
  minDelayMs?: number;
  /** Cap of one backoff delay (not of Retry-After). Default 10 000 ms. */
  maxDelayMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  maxElapsedMs: 60_000,
  minDelayMs: 250,
  maxDelayMs: 10_000,
};

export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY, ...stripUndefined(options) };
  if (!(policy.maxAttempts >= 1)) throw new RangeError("retry.maxAttempts must be >= 1");
  if (!(policy.maxElapsedMs >= 0)) throw new RangeError("retry.maxElapsedMs must be >= 0");
  if (!(policy.minDelayMs >= 0)) throw new RangeError("retry.minDelayMs must be >= 0");
  if (!(policy.maxDelayMs >= policy.minDelayMs))
    throw new RangeError("retry.maxDelayMs must be >= minDelayMs");
  return policy;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(maxDelay, minDelay * 2^(n-1))), where
 * n is the number of attempts made so far (1 after the first failure).
 */
export function backoffDelay(
  attemptsMade: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.floor(random() * exp);
}

/** `Retry-After` in ms: delta-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === "") return undefined;
  const trimmed = raw.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Network error codes that only a connection attempt raises: the request was certainly not sent. The
 * transport knows better, from the phase an attempt failed in (see `notSent`); these codes are the
 * fallback. (ENETUNREACH and the like can also hit a kept-alive connection after a request was
 * written, so they are retryable for idempotent requests but not proof that a create never left.)
 */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "EAI_AGAIN",
]);

/**
 * True when the request never left this machine: the connection was never made, or the host name did
 * not resolve (not worth retrying, see below, but a create that failed so created nothing).
 */
export function certainlyNotSent(code: string | undefined): boolean {
  return code !== undefined && (NOT_SENT_CODES.has(code) || code === "ENOTFOUND");
}

/**
 * Network error codes worth retrying for an idempotent request (GET, PUT). ENOTFOUND (no such host) is
 * left out: it is a configuration error, not a transient one.
 */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  ...NOT_SENT_CODES,
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENETDOWN",
  "EHOSTDOWN",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_HEADERS_TIMEOUT",
]);

export type RetryMode =
  /** GET and PUT (a full replacement): safe to repeat. */
  | "idempotent"
  /**
   * POST (create): repeated only when the server certainly did not act on it: the attempt failed before
   * it was written (a refused or reset connection, a connect timeout, a failed handshake), or the answer
   * was 429. Every other failure is ambiguous and goes to reconciliation.
   */
  | "create";

export interface FailedAttempt {
  /** HTTP status when a response came back. */
  status?: number;
  /** Network error code when none did. */
  code?: string;
  /** The attempt failed while connecting, before a byte of the request was written. */
  notSent?: boolean;
  /** The proxy refused the tunnel with this status (nothing reached Everflow). */
  proxyStatus?: number;
  /** A 2xx response had started before the failure (a body timeout or reset mid-body). */
  afterSuccessHeaders?: boolean;
  /** From the response's Retry-After, in ms. */
  retryAfterMs?: number;
}

export type RetryDecision =
  { retry: true; delayMs: number; reason: string } | { retry: false; reason: string };

export function retryReason(failure: FailedAttempt): string {
  if (failure.status !== undefined) return failure.status === 429 ? "HTTP 429" : `HTTP ${failure.status}`;
  if (failure.proxyStatus !== undefined) return `proxy HTTP ${failure.proxyStatus}`;
  return failure.code ?? "network error";
}

/** Is this failure retryable at all in this mode (before budgets)? */
export function isRetryable(mode: RetryMode, failure: FailedAttempt): boolean {
  if (failure.afterSuccessHeaders) return false;
  if (failure.status !== undefined) {
    if (failure.status === 429) return true;
    return mode === "idempotent" && failure.status >= 500 && failure.status <= 599;
  }
  // A proxy that could not reach Everflow (502, 503, 504) may next time; one that wants credentials
  // (407) or forbids the host (403) will not. Nothing was sent either way, so a create may retry too.
  if (failure.proxyStatus !== undefined) return failure.proxyStatus >= 500;
  const code = failure.code;
  if (code === undefined) return false;
  // A failure of the kind that heals (a reset, a refused or timed-out connect); in create mode, only
  // if the attempt certainly was not sent. Certificate and handshake errors are not in the set: they
  // do not heal.
  if (mode === "create" && !(failure.notSent || certainlyNotSent(code))) return false;
  return RETRYABLE_CODES.has(code);
}

/**
 * The whole decision: retryable in this mode, within the attempt cap (not for throttles), and the wait
 * still inside the total time budget. The wait is `Retry-After` when the server gives one; else, for a
 * throttle, a jitter below `minDelayMs` (the adaptive rate limiter, which the 429 has just cut and
 * emptied, is the backoff: a growing delay on top would only leave the request behind its own
 * process's queue); else full-jitter exponential backoff.
 */
export function decideRetry(
  mode: RetryMode,
  failure: FailedAttempt,
  budget: { attemptsMade: number; throttledAttempts?: number; elapsedMs: number },
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  const reason = retryReason(failure);
  if (!isRetryable(mode, failure)) return { retry: false, reason: `${reason}: not retryable` };
  const throttled = failure.status === 429;
  // Attempts that failed otherwise than by a throttle (the first, successful-so-far try included).
  const counted = budget.attemptsMade - (budget.throttledAttempts ?? 0);
  if (!throttled && counted >= policy.maxAttempts) {
    return { retry: false, reason: `${reason}: ${budget.attemptsMade} attempts made` };
  }
  const delayMs =
    failure.retryAfterMs !== undefined
      ? failure.retryAfterMs
      : throttled
        ? Math.floor(random() * policy.minDelayMs)
        : backoffDelay(counted, policy, random);
  if (budget.elapsedMs + delayMs > policy.maxElapsedMs) {
    return { retry: false, reason: `${reason}: retry time budget of ${policy.maxElapsedMs} ms spent` };
  }
  return { retry: true, delayMs, reason };
}
