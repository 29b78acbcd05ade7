// HTTP transport: one keep-alive undici dispatcher per base URL per process (pool.ts), undici's retry
// interceptor (interceptors.retry → RetryHandler) driven by the policy in retry.ts, and an inner
// per-attempt interceptor that takes a rate-limit token, feeds the response's rate-limit headers back
// to the account's bucket, counts requests, notes whether the attempt was written, and emits the log
// events.
//
//   request ──> retry interceptor (undici RetryHandler: waits, re-dispatches)
//                 └─> attempt interceptor (token bucket, logging, stats)  ── once per attempt
//                       └─> Agent, or ProxyAgent through HTTPS_PROXY (pool, keep-alive, timeouts)

import { interceptors, type Dispatcher } from "undici";
import type { IncomingHttpHeaders } from "node:http";
import { cancellation, cancelledError, untilCancelled, type Cancellation } from "./cancel";
import { networkError, type EverflowOperation } from "./errors";
import { poolFor, type PoolEntry, type PoolStats } from "./pool";
import { tunnelRefusal } from "./proxy";
import { rateLimitRemaining, type TokenBucket } from "./limiter";
import { redact } from "./redact";
import { decideRetry, parseRetryAfter, type FailedAttempt, type RetryMode, type RetryPolicy } from "./retry";

export interface TimeoutOptions {
  /** TCP/TLS connect timeout. Default 10 000 ms. Fixed per base URL by the first client (see poolFor). */
  connectMs?: number;
  /** Time to wait for the response headers. Default 30 000 ms. */
  headersMs?: number;
  /** Time allowed between two chunks of the response body. Default 30 000 ms. */
  bodyMs?: number;
}

export const DEFAULT_TIMEOUTS: Required<TimeoutOptions> = {
  connectMs: 10_000,
  headersMs: 30_000,
  bodyMs: 30_000,
};

/** One line of the logging hook. Secrets (the API key, access tokens) are redacted before delivery. */
export interface ClientLogEvent {
  event: "request-start" | "request-end" | "retry" | "reconcile";
  operation: EverflowOperation;
  method?: string;
  /** Path and query relative to the host, e.g. `/v1/affiliates/pixels/12`. */
  path?: string;
  pixelId?: number;
  /** 1-based attempt number of this request. */
  attempt?: number;
  /** HTTP status (request-end, logged when the headers arrive), absent for network errors. */
  status?: number;
  durationMs?: number;
  /** Network error code (request-end; a failure after the headers adds a second request-end). */
  error?: string;
  /** Why a retry happens (retry), or what reconciliation concluded (reconcile). */
  reason?: string;
  /** Wait before the retry. */
  delayMs?: number;
  /** reconcile: the outcome and the ids considered. */
  outcome?: "adopted" | "none" | "ambiguous";
  candidateIds?: number[];
}

export type ClientLogger = (line: ClientLogEvent) => void;

// ---------------------------------------------------------------------------------------------------
// Requests

/** Attempts and start time of one logical request (shared by the create loop across its POSTs). */
export interface RequestBudget {
  /** When the first attempt was sent (the wait for its rate-limit token is not part of the budget). */
  startedAt: number;
  attempts: number;
  /** Attempts answered 429: they count against the time budget only, not the attempt cap. */
  throttled: number;
}

export function newBudget(): RequestBudget {
  return { startedAt: performance.now(), attempts: 0, throttled: 0 };
}

export interface SendRequest {
  operation: EverflowOperation;
  pixelId?: number;
  method: "GET" | "POST" | "PUT";
  /** Relative to the base URL: `/affiliates/pixels`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** Serialised as JSON. */
  body?: unknown;
  mode: RetryMode;
  budget?: RequestBudget;
  /** Extra secrets to redact from logs and messages (e.g. the access token of the body). */
  secrets?: readonly (string | undefined)[];
}

export interface SendResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  attempts: number;
}

export interface TransportOptions {
  baseUrl: string;
  apiKey: string;
  userAgent: string;
  timeouts: Required<TimeoutOptions>;
  policy: RetryPolicy;
  limiter: TokenBucket;
  logger?: ClientLogger;
  random?: () => number;
}

interface AttemptState {
  /** Status of the current attempt's response, once its headers arrived. */
  status?: number;
  /** An attempt is on the wire (dispatched, not failed): a write then runs to its answer on cancel. */
  sent?: boolean;
  /**
   * undici began writing the current attempt (its onRequestStart: the connection, TLS handshake and
   * proxy tunnel were made). An attempt that failed without it sent nothing: not a byte reached the
   * server, whatever the error's code.
   */
  written?: boolean;
  /** The process's cancellation when the request started (cancel.ts). */
  cancel: Cancellation;
  /** Ends the retry wait in progress at once (on cancel: the next attempt then gives up unsent). */
  wake?: () => void;
}

const noopController: Dispatcher.DispatchController = {
  aborted: false,
  paused: false,
  reason: null,
  abort() {},
  pause() {},
  resume() {},
};

/**
 * Forwards every callback, observing one attempt: `onWrite` when undici starts writing the request (the
 * connection is made), `onStart` when the response headers arrive (before the retry callback runs, so
 * the log reads in order), `onError` when the attempt failed without a response or its body failed.
 */
class AttemptHandler implements Dispatcher.DispatchHandler {
  private status: number | undefined;

  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly hooks: {
      onWrite(): void;
      onStart(status: number, headers: IncomingHttpHeaders): void;
      onError(status: number | undefined, error: Error): void;
    },
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.hooks.onWrite();
    this.inner.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    socket: import("node:stream").Duplex,
  ): void {
    this.inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    this.status = statusCode;
    this.hooks.onStart(statusCode, headers);
    this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.inner.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.inner.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.hooks.onError(this.status, error);
    this.inner.onResponseError?.(controller, error);
  }
}

export class Transport {
  private readonly origin: string;
  private readonly basePath: string;
  private readonly pool: PoolEntry;
  /** Held in a private field (not enumerable, not serialised, not shown by util.inspect). */
  readonly #apiKey: string;
  private readonly options: Omit<TransportOptions, "apiKey">;

  constructor(options: TransportOptions) {
    const { apiKey, ...rest } = options;
    this.options = rest;
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, "");
    this.pool = poolFor(options.baseUrl, options.timeouts);
    this.#apiKey = apiKey;
  }

  get limiter(): TokenBucket {
    return this.options.limiter;
  }

  get poolStats(): PoolStats {
    return { ...this.pool.stats };
  }

  /** Deliver a log line, redacted; a throwing logger never breaks a request. */
  emit(line: ClientLogEvent, secrets: readonly (string | undefined)[] = []): void {
    const logger = this.options.logger;
    if (!logger) return;
    try {
      logger(redact(line, this.secrets(secrets)));
    } catch {
      // The hook is observability only.
    }
  }

  /** Every secret this transport knows, for redacting messages: the API key, the proxy's password. */
  secrets(extra: readonly (string | undefined)[] = []): (string | undefined)[] {
    return [this.#apiKey, ...(this.pool.proxy?.secrets ?? []), ...extra];
  }

  fullPath(path: string, query?: SendRequest["query"]): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) params.set(key, String(value));
    }
    const qs = params.toString();
    return `${this.basePath}${path}${qs ? `?${qs}` : ""}`;
  }

  /**
   * Send one logical request with retries. Resolves with any HTTP response (the caller maps statuses to
   * errors); rejects with an EverflowApiError (kind network/timeout) when no response could be read.
   */
  async send(req: SendRequest): Promise<SendResult> {
    const budget = req.budget ?? newBudget();
    const cancel = cancellation();
    const state: AttemptState = { cancel };
    const path = this.fullPath(req.path, req.query);
    const secrets = req.secrets ?? [];
    const { policy, limiter } = this.options;
    const random = this.options.random ?? Math.random;

    // undici's retry interceptor does the waiting and re-dispatching; this callback only decides (and
    // with throwOnError: false, a response we decline to retry is handed back with its body, so its
    // error message can be read).
    const retry = (err: Error, _context: unknown, callback: (err?: Error | null) => void): void => {
      state.sent = false;
      if (cancel.cancelled) {
        callback(err);
        return;
      }
      const failure = describeFailure(err, state);
      if (failure.status === 429) budget.throttled += 1;
      const decision = decideRetry(
        req.mode,
        failure,
        {
          attemptsMade: budget.attempts,
          throttledAttempts: budget.throttled,
          elapsedMs: performance.now() - budget.startedAt,
        },
        policy,
        random,
      );
      if (!decision.retry) {
        callback(err);
        return;
      }
      // A server that says when to come back is believed for every request of the account, not only
      // this one: the bucket holds them all until then (the 429 has already cut its rate).
      if (failure.status === 429 && failure.retryAfterMs !== undefined) limiter.pause(failure.retryAfterMs);
      this.emit(
        {
          event: "retry",
          operation: req.operation,
          method: req.method,
          path,
          pixelId: req.pixelId,
          attempt: budget.attempts,
          reason: decision.reason,
          delayMs: decision.delayMs,
        },
        secrets,
      );
      const resume = (): void => {
        clearTimeout(timer);
        state.wake = undefined;
        callback(null);
      };
      const timer = setTimeout(resume, decision.delayMs);
      state.wake = resume;
    };

    const dispatcher = this.pool.agent.compose(
      this.attemptInterceptor(req, path, budget, state, secrets),
      interceptors.retry({ throwOnError: false, retry }),
    );

    const headers: Record<string, string> = {
      "x-eflow-api-key": this.#apiKey,
      "user-agent": this.options.userAgent,
      accept: "application/json",
    };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers["content-type"] = "application/json";
    }

    if (cancel.cancelled) throw cancelledError(req.operation, req.pixelId, cancel);
    const read = req.method === "GET";
    // A read is aborted through a signal of its own (undici listens to it), not the process's: see cancel.ts.
    const abortRead = read ? new AbortController() : undefined;
    const unregister = cancel.onCancel(() => {
      abortRead?.abort(cancel.reason);
      state.wake?.();
    });
    try {
      const pending = dispatcher
        .request({
          origin: this.origin,
          path,
          method: req.method,
          headers,
          body,
          headersTimeout: this.options.timeouts.headersMs,
          bodyTimeout: this.options.timeouts.bodyMs,
          ...(abortRead ? { signal: abortRead.signal } : {}),
        })
        .then(async (res) => ({ res, text: await res.body.text() }));
      // On cancel: a read, or a write still waiting for its turn, is given up at once.
      const { res, text } = await untilCancelled(
        cancel,
        pending,
        () => read || !state.sent,
        () => cancelledError(req.operation, req.pixelId, cancel),
      );
      return { status: res.statusCode, headers: res.headers, text, attempts: budget.attempts };
    } catch (err) {
      if (cancel.cancelled && (read || !state.sent)) throw cancelledError(req.operation, req.pixelId, cancel);
      throw networkError({
        operation: req.operation,
        pixelId: req.pixelId,
        cause: err,
        secrets: this.secrets(secrets),
        attempts: budget.attempts,
        notSent: !state.written,
        target: this.pool.target,
        ...(this.pool.proxy ? { proxy: this.pool.proxy } : {}),
      });
    } finally {
      unregister();
    }
  }

  private attemptInterceptor(
    req: SendRequest,
    path: string,
    budget: RequestBudget,
    state: AttemptState,
    secrets: readonly (string | undefined)[],
  ): Dispatcher.DispatcherComposeInterceptor {
    const { limiter } = this.options;
    return (dispatch) => (opts, handler) => {
      // One setImmediate before dispatching: undici marks a connection free again in a setImmediate after
      // a response completes, so a request sent straight after the previous one's body was read would
      // otherwise find the connection still busy and open a second one.
      void limiter.acquire(state.cancel).then(async (permit) => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        state.written = false;
        if (state.cancel.cancelled) {
          // Cancelled while waiting for a token or a retry: nothing more goes on the wire.
          permit.done();
          handler.onResponseError?.(noopController, state.cancel.reason ?? new Error("cancelled"));
          return;
        }
        if (budget.attempts === 0) budget.startedAt = performance.now();
        budget.attempts += 1;
        const attempt = budget.attempts;
        state.status = undefined;
        this.pool.stats.requests += 1;
        const started = performance.now();
        const base = { operation: req.operation, method: req.method, path, pixelId: req.pixelId, attempt };
        this.emit({ event: "request-start", ...base }, secrets);
        const ended = (status: number | undefined, error?: Error): void => {
          const code = (error as { code?: unknown } | undefined)?.code;
          this.emit(
            {
              event: "request-end",
              ...base,
              status,
              durationMs: Math.round(performance.now() - started),
              ...(error ? { error: typeof code === "string" ? code : error.name } : {}),
            },
            secrets,
          );
        };
        const tracked = new AttemptHandler(handler, {
          onWrite: () => {
            state.written = true;
          },
          onStart: (status, headers) => {
            state.status = status;
            permit.done(status, rateLimitRemaining(headers));
            ended(status);
          },
          onError: (status, error) => {
            permit.done(); // no-op when the response had started
            ended(status, error);
          },
        });
        try {
          state.sent = true;
          dispatch(opts, tracked);
        } catch (err) {
          tracked.onResponseError(noopController, err instanceof Error ? err : new Error(String(err)));
        }
      });
      return true;
    };
  }
}

/** What failed, from the error undici's RetryHandler hands to the retry callback. */
function describeFailure(err: Error, state: AttemptState): FailedAttempt {
  const e = err as Error & { statusCode?: unknown; code?: unknown; headers?: unknown };
  if (typeof e.statusCode === "number") {
    const headers = (e.headers ?? {}) as IncomingHttpHeaders;
    return { status: e.statusCode, retryAfterMs: parseRetryAfter(headers["retry-after"]) };
  }
  return {
    code: typeof e.code === "string" ? e.code : undefined,
    proxyStatus: tunnelRefusal(err),
    notSent: !state.written,
    // A failure after a successful response started (a body timeout, a reset mid-body) cannot be resumed.
    afterSuccessHeaders: state.status !== undefined && state.status < 300,
  };
}
