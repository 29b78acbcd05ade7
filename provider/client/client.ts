// EverflowClient: the provider's only way to talk to Everflow's affiliate pixel API.

import { z } from "zod";
import { EverflowApiError, httpError, type EverflowOperation } from "./errors";
import { accountKey, limiterFor, resetLimiters, type LimiterStats, type RateLimitOptions } from "./limiter";
import { redactString } from "./redact";
import { isUnreadableToken, reconcileCreate } from "./reconcile";
import { backoffDelay, certainlyNotSent, retryPolicy, type RetryOptions, type RetryPolicy } from "./retry";
import {
  DEFAULT_TIMEOUTS,
  newBudget,
  resetPools,
  Transport,
  type ClientLogger,
  type PoolStats,
  type RequestBudget,
  type SendRequest,
  type TimeoutOptions,
} from "./transport";
import { defaultUserAgent } from "./version";
import {
  DeliveryMethodSchema,
  parseWire,
  PixelBodySchema,
  PixelListSchema,
  PixelSchema,
  PixelStatusSchema,
  PixelTypeSchema,
  SERVER_OWNED_FIELDS,
  toPixelBody,
  type DeliveryMethod,
  type Pixel,
  type PixelBody,
  type PixelStatus,
  type PixelType,
} from "./wire";

export const EVERFLOW_BASE_URL_US = "https://api.eflow.team/v1";
export const EVERFLOW_BASE_URL_EU = "https://api-eu.eflow.team/v1";

export interface EverflowClientOptions {
  /** The affiliate API key (header X-Eflow-API-Key). Never logged, never put in an error. */
  apiKey: string;
  /** Default {@link EVERFLOW_BASE_URL_US}. */
  baseUrl?: string;
  /** Default `pulumi-everflow/<version>`. */
  userAgent?: string;
  /** Client-side token bucket shared by every client of the same account in the process. */
  rateLimit?: RateLimitOptions;
  retry?: RetryOptions;
  timeouts?: TimeoutOptions;
  /** Receives one event per request start/end, retry and reconciliation; secrets redacted. */
  logger?: ClientLogger;
  /** Reconciliation of ambiguous creates. */
  reconcile?: {
    /** Tolerated difference between the client's and the server's clocks. Default 10 s. */
    clockSkewSec?: number;
    /**
     * How long to let an ambiguous create settle before looking for it: a request the server is still
     * processing (after a gateway 502/504, a timeout or a reset) must get time to land, or the listing
     * misses it and a second POST duplicates it. Default 3000 ms.
     */
    settleMs?: number;
  };
  /** Random source of the backoff jitter (tests). Default Math.random. */
  random?: () => number;
}

/** Query filters of `GET /affiliates/pixels`. */
export interface ListFilters {
  network_offer_id?: number;
  pixel_status?: PixelStatus;
  pixel_type?: PixelType;
  delivery_method?: DeliveryMethod;
}

const ListFiltersSchema = z.strictObject({
  network_offer_id: z.number().int().nonnegative().optional(),
  pixel_status: PixelStatusSchema.optional(),
  pixel_type: PixelTypeSchema.optional(),
  delivery_method: DeliveryMethodSchema.optional(),
});

export interface DeactivateOptions {
  /**
   * The facebook access token to send back if the server reads the token back empty or masked (a
   * full-replacement PUT must not overwrite the real token with the mask).
   */
  facebookAccessToken?: string;
}

export interface ClientStats {
  pool: PoolStats;
  limiter: LimiterStats;
}

/** Safety cap on followed pages (2000 per page at most: 20 million pixels). */
const MAX_PAGES = 10_000;

/** Ids returned by creates in this process, per account: never adopted by another create. */
const claimedIds = new Map<string, Set<number>>();

/** Close every connection pool and forget every rate limiter and claimed id (tests). */
export async function resetClientRegistry(): Promise<void> {
  resetLimiters();
  claimedIds.clear();
  await resetPools();
}

type JsonResult = { ok: true; value: unknown } | { ok: false };

function parseJson(text: string): JsonResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class EverflowClient {
  readonly baseUrl: string;
  private readonly transport: Transport;
  private readonly policy: RetryPolicy;
  /** The registry key of this base URL and API key (the key hashed): ids claimed by this account's creates. */
  private readonly accountKey: string;
  private readonly clockSkewSec: number;
  private readonly settleMs: number;
  private readonly random: () => number;

  constructor(options: EverflowClientOptions) {
    if (typeof options?.apiKey !== "string" || options.apiKey.trim() === "") {
      throw new TypeError("EverflowClient: apiKey is required");
    }
    const baseUrl = (options.baseUrl ?? EVERFLOW_BASE_URL_US).replace(/\/+$/, "");
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new TypeError(`EverflowClient: baseUrl is not a URL: ${redactString(baseUrl, [options.apiKey])}`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new TypeError("EverflowClient: baseUrl must be an http(s) URL");
    }
    this.baseUrl = baseUrl;
    this.policy = retryPolicy(options.retry);
    this.accountKey = accountKey(baseUrl, options.apiKey);
    this.clockSkewSec = options.reconcile?.clockSkewSec ?? 10;
    this.settleMs = options.reconcile?.settleMs ?? 3000;
    this.random = options.random ?? Math.random;
    this.transport = new Transport({
      baseUrl,
      apiKey: options.apiKey,
      userAgent: options.userAgent ?? defaultUserAgent(),
      timeouts: { ...DEFAULT_TIMEOUTS, ...definedOnly(options.timeouts ?? {}) },
      policy: this.policy,
      limiter: limiterFor(baseUrl, options.rateLimit),
      logger: options.logger,
      random: this.random,
    });
  }

  /** Connection pool and rate limiter stats of this client's base URL and account (shared). */
  stats(): ClientStats {
    return { pool: this.transport.poolStats, limiter: this.transport.limiter.stats() };
  }

  /**
   * Every pixel of the affiliate, optionally filtered. The plain list is unpaged; a paged answer
   * (`paging`) is followed page by page.
   */
  async list(filters: ListFilters = {}): Promise<Pixel[]> {
    return this.listAs("list", filters);
  }

  /** One pixel. A 404 rejects with an error for which `isNotFound(err)` is true. */
  async get(id: number): Promise<Pixel> {
    this.checkId("get", id);
    return this.requestPixel({
      operation: "get",
      pixelId: id,
      method: "GET",
      path: `/affiliates/pixels/${id}`,
    });
  }

  /**
   * Create a pixel. POST is not idempotent: it is repeated only when the request certainly did not reach
   * the server; after an ambiguous failure the client reconciles (see reconcile.ts) and adopts the
   * pixel the failed attempt created, so a create never leaves a duplicate behind.
   */
  async create(body: PixelBody): Promise<Pixel> {
    const intended = this.checkBody("create", body);
    const secrets = [intended.facebook_pixel?.access_token];
    const budget = newBudget();
    const startedAtMs = Date.now();

    // Why a loop of our own around the POST rather than undici's retry interceptor alone: the
    // interceptor does retry the POST, but only for failures where the request certainly did not reach
    // the server (connection refused or never made, 429; see RetryMode "create"). After an ambiguous
    // failure (timeout, reset after sending, 5xx, unreadable 2xx) the next step is not "send again" but
    // "list and compare", another request with its own retries, which a RetryHandler callback cannot
    // do. The attempt and time budget is shared with the interceptor's retries.
    for (;;) {
      const result = await this.createOnce(intended, budget, secrets);
      if (!(result instanceof EverflowApiError)) {
        this.claim(result.network_pixel_id);
        return result;
      }
      const failure = result;
      // Ambiguous: the pixel may exist. If another POST is allowed, wait first (a request the server is
      // still processing gets time to land before the list), then look.
      const elapsed = performance.now() - budget.startedAt;
      const delay = Math.max(this.settleMs, backoffDelay(budget.attempts, this.policy, this.random));
      const mayRetry =
        budget.attempts < this.policy.maxAttempts && elapsed + delay <= this.policy.maxElapsedMs;
      // Settle even when no retry is left: the listing decides between "adopted" and "failed".
      await sleep(mayRetry ? delay : this.settleMs);

      let outcome;
      try {
        outcome = await reconcileCreate({
          list: () => this.listAs("create"),
          intended,
          window: { startedAtMs, clockSkewSec: this.clockSkewSec, exclude: this.claimed() },
        });
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw ambiguousCreate(
          failure,
          budget.attempts,
          `the postback may have been created, and checking failed: ${stripPrefix(why)}`,
        );
      }

      this.transport.emit(
        {
          event: "reconcile",
          operation: "create",
          outcome: outcome.outcome,
          candidateIds:
            outcome.outcome === "adopted"
              ? [outcome.pixel.network_pixel_id]
              : outcome.outcome === "ambiguous"
                ? outcome.candidates.map((p) => p.network_pixel_id)
                : [],
          reason: stripPrefix(failure.message),
          attempt: budget.attempts,
        },
        secrets,
      );

      if (outcome.outcome === "adopted") {
        this.claim(outcome.pixel.network_pixel_id);
        return outcome.pixel;
      }
      if (outcome.outcome === "ambiguous") {
        const ids = outcome.candidates.map((p) => p.network_pixel_id);
        throw ambiguousCreate(
          failure,
          budget.attempts,
          `${ids.length} postbacks matching the request were created since it started (ids ${ids.join(", ")}): cannot tell which one is this create's; remove the extra one(s) or import one`,
          ids,
        );
      }
      // None landed: a new POST cannot make a duplicate.
      if (!mayRetry) throw failure;
    }
  }

  /**
   * Replace a pixel (PUT is a full replacement: send the whole object, including fields this client does
   * not model, as read). Server-owned fields (id, timestamps) are dropped from the body.
   */
  async update(id: number, body: PixelBody, operation: "update" | "deactivate" = "update"): Promise<Pixel> {
    this.checkId(operation, id);
    const full = this.checkBody(operation, body, id);
    return this.requestPixel({
      operation,
      pixelId: id,
      method: "PUT",
      path: `/affiliates/pixels/${id}`,
      body: withoutServerOwned(full),
      secrets: [full.facebook_pixel?.access_token],
    });
  }

  /**
   * Soft delete (the API has no DELETE): read the pixel and PUT it back unchanged but for
   * `pixel_status: "inactive"`. An already inactive pixel is returned without a PUT. A 404 (from the GET
   * or the PUT) rejects with a not-found error, which a caller deleting may treat as success.
   */
  async deactivate(id: number, options: DeactivateOptions = {}): Promise<Pixel> {
    this.checkId("deactivate", id);
    const current = await this.requestPixel({
      operation: "deactivate",
      pixelId: id,
      method: "GET",
      path: `/affiliates/pixels/${id}`,
    });
    if (current.pixel_status === "inactive") return current;
    const body: PixelBody = { ...toPixelBody(current), pixel_status: "inactive" };
    const fb = body.facebook_pixel;
    if (fb && isUnreadableToken(fb.access_token) && options.facebookAccessToken !== undefined) {
      body.facebook_pixel = { ...fb, access_token: options.facebookAccessToken };
    }
    return this.requestPixel({
      operation: "deactivate",
      pixelId: id,
      method: "PUT",
      path: `/affiliates/pixels/${id}`,
      body,
      secrets: [fb?.access_token, options.facebookAccessToken],
    });
  }

  // -------------------------------------------------------------------------------------------------

  private claimed(): Set<number> {
    let set = claimedIds.get(this.accountKey);
    if (!set) {
      set = new Set();
      claimedIds.set(this.accountKey, set);
    }
    return set;
  }

  private claim(id: number): void {
    this.claimed().add(id);
  }

  private checkId(operation: EverflowOperation, id: number): void {
    if (!Number.isSafeInteger(id) || id <= 0) {
      throw new EverflowApiError({
        operation,
        kind: "invalid-request",
        detail: `invalid postback id ${JSON.stringify(id)} (expected a positive integer)`,
      });
    }
  }

  private checkBody(operation: EverflowOperation, body: PixelBody, pixelId?: number): PixelBody {
    const parsed = parseWire(PixelBodySchema, body);
    if (!parsed.ok) {
      throw new EverflowApiError({
        operation,
        pixelId,
        kind: "invalid-request",
        detail: `invalid request body: ${parsed.message}`,
      });
    }
    return parsed.value;
  }

  private async listAs(operation: EverflowOperation, filters: ListFilters = {}): Promise<Pixel[]> {
    const checked = ListFiltersSchema.safeParse(filters);
    if (!checked.success) {
      const message = parseWire(ListFiltersSchema, filters);
      throw new EverflowApiError({
        operation,
        kind: "invalid-request",
        detail: `invalid list filters: ${message.ok ? "" : message.message}`,
      });
    }
    const query: Record<string, string | number | undefined> = { ...checked.data };
    const byId = new Map<number, Pixel>();
    let page = await this.requestJson(
      { operation, method: "GET", path: "/affiliates/pixels", query },
      PixelListSchema,
      "list",
    );
    for (let pages = 1; ; pages++) {
      for (const pixel of page.pixels) byId.set(pixel.network_pixel_id, pixel);
      const paging = page.paging;
      if (!paging || page.pixels.length === 0 || paging.page_size <= 0) break;
      const current = Math.max(1, paging.page);
      if (current * paging.page_size >= paging.total_count || byId.size >= paging.total_count) break;
      if (pages >= MAX_PAGES) break;
      page = await this.requestJson(
        {
          operation,
          method: "GET",
          path: "/affiliates/pixels",
          query: { ...query, page: current + 1, page_size: paging.page_size },
        },
        PixelListSchema,
        "list",
      );
    }
    return [...byId.values()];
  }

  private requestPixel(req: Omit<SendRequest, "mode">): Promise<Pixel> {
    return this.requestJson(req, PixelSchema, "pixel");
  }

  /** GET or PUT, retried as idempotent; non-2xx → EverflowApiError; body parsed with `schema`. */
  private async requestJson<S extends z.ZodType>(
    req: Omit<SendRequest, "mode">,
    schema: S,
    what: string,
  ): Promise<z.infer<S>> {
    const res = await this.transport.send({ ...req, mode: "idempotent" });
    const secrets = this.transport.secrets(req.secrets);
    if (res.status < 200 || res.status > 299) {
      throw httpError({
        operation: req.operation,
        pixelId: req.pixelId,
        status: res.status,
        bodyText: res.text,
        secrets,
        attempts: res.attempts,
      });
    }
    return this.parseBody(req.operation, req.pixelId, res.status, res.text, schema, what);
  }

  private parseBody<S extends z.ZodType>(
    operation: EverflowOperation,
    pixelId: number | undefined,
    status: number,
    text: string,
    schema: S,
    what: string,
  ): z.infer<S> {
    const json = parseJson(text);
    if (!json.ok) {
      throw new EverflowApiError({
        operation,
        pixelId,
        kind: "invalid-response",
        status,
        detail: `unexpected response: HTTP ${status} with a body that is not JSON (${text.length} bytes)`,
      });
    }
    const parsed = parseWire(schema, json.value);
    if (!parsed.ok) {
      throw new EverflowApiError({
        operation,
        pixelId,
        kind: "invalid-response",
        status,
        detail: `unexpected ${what} in response: ${parsed.message}`,
      });
    }
    return parsed.value;
  }

  /**
   * One POST (undici retries it only when it certainly was not sent: connection refused/never made, or
   * a 429). Resolves with the created pixel, or with the error of an ambiguous failure (the pixel may
   * exist); rejects when the failure certainly created nothing.
   */
  private async createOnce(
    intended: PixelBody,
    budget: RequestBudget,
    secrets: (string | undefined)[],
  ): Promise<Pixel | EverflowApiError> {
    let res;
    try {
      res = await this.transport.send({
        operation: "create",
        method: "POST",
        path: "/affiliates/pixels",
        body: intended,
        mode: "create",
        budget,
        secrets,
      });
    } catch (err) {
      if (!(err instanceof EverflowApiError)) throw err;
      // Never sent (connection refused, connect timeout, DNS): nothing was created.
      if (certainlyNotSent(err.code)) throw err;
      return err;
    }
    const allSecrets = this.transport.secrets(secrets);
    if (res.status >= 200 && res.status <= 299) {
      const json = parseJson(res.text);
      if (!json.ok) {
        // The server said 2xx, so the pixel most likely exists, but the answer is unreadable: reconcile.
        return new EverflowApiError({
          operation: "create",
          kind: "invalid-response",
          status: res.status,
          attempts: res.attempts,
          detail: `unexpected response: HTTP ${res.status} with a body that is not JSON (${res.text.length} bytes)`,
        });
      }
      try {
        return this.parseBody("create", undefined, res.status, res.text, PixelSchema, "pixel");
      } catch (error) {
        // Created, but the answer does not fit the schema: the id, if readable, must reach the caller so
        // the postback is recorded rather than created again; without one, reconcile.
        const id = rawPixelId(json.value);
        if (error instanceof EverflowApiError && id !== undefined) {
          throw new EverflowApiError({ ...errorInit(error), pixelId: id });
        }
        if (error instanceof EverflowApiError) return error;
        throw error;
      }
    }
    const error = httpError({
      operation: "create",
      status: res.status,
      bodyText: res.text,
      secrets: allSecrets,
      attempts: res.attempts,
    });
    // A 5xx may come after the write: ambiguous. 4xx (including 429 once the budget is spent): rejected.
    if (res.status >= 500) return error;
    throw error;
  }
}

/** A create whose outcome reconciliation could not settle: the first failure's facts, and why. */
function ambiguousCreate(
  failure: EverflowApiError,
  attempts: number,
  why: string,
  candidateIds?: number[],
): EverflowApiError {
  return new EverflowApiError({
    operation: "create",
    kind: "ambiguous-create",
    status: failure.status,
    apiMessage: failure.apiMessage,
    code: failure.code,
    attempts,
    retryable: false,
    detail: `${stripPrefix(failure.message)}; ${why}`,
    ...(candidateIds ? { candidateIds } : {}),
  });
}

/** The id of a created pixel from a response body that failed the schema, if it holds a usable one. */
function rawPixelId(body: unknown): number | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const id = record.network_pixel_id ?? record.network_affiliate_pixel_id;
  const n = typeof id === "string" ? Number(id) : id;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The fields of an error, to build a copy with more facts. */
function errorInit(error: EverflowApiError) {
  return {
    operation: error.operation,
    kind: error.kind,
    detail: stripPrefix(error.message),
    ...definedOnly({
      status: error.status,
      apiMessage: error.apiMessage,
      code: error.code,
      attempts: error.attempts,
    }),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function withoutServerOwned(body: PixelBody): PixelBody {
  const out: Record<string, unknown> = { ...body };
  for (const field of SERVER_OWNED_FIELDS) delete out[field];
  return out as PixelBody;
}

/** "Everflow create of postback failed: X" → "X" (to compose messages). */
function stripPrefix(message: string): string {
  return message.replace(/^Everflow \w+ of postbacks? ?\d* failed: /, "");
}
