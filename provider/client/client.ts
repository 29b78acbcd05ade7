// EverflowClient: the provider's only way to talk to Everflow's affiliate pixel API.

import { z } from "zod";
import { EverflowApiError, httpError, type EverflowOperation } from "./errors";
import { accountKey, limiterFor, resetLimiters, type LimiterStats, type RateLimitOptions } from "./limiter";
import { checkBaseUrl } from "./base-url";
import { createPixel } from "./create";
import { listAll, type ListingOptions } from "./listing";
import { claimedIds, resetClaimedIds } from "./created-ids";
import { isUnreadableToken } from "./reconcile";
import { checkBody, checkId, definedOnly, parseBody, withoutServerOwned } from "./request-shape";
import { retryPolicy, type RetryOptions, type RetryPolicy } from "./retry";
import { resetPools, type PoolStats } from "./pool";
import {
  DEFAULT_TIMEOUTS,
  Transport,
  type ClientLogger,
  type SendRequest,
  type TimeoutOptions,
} from "./transport";
import { defaultUserAgent } from "./version";
import {
  DeliveryMethodSchema,
  parseWire,
  PixelListSchema,
  PixelSchema,
  PixelStatusSchema,
  PixelTypeSchema,
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
  /**
   * Default {@link EVERFLOW_BASE_URL_US}. https, or plain http to a loopback host only (the emulator):
   * anything else would send the API key in clear, and is refused.
   */
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
  /** Page size and bounds of a listing (see listing.ts). */
  listing?: ListingOptions;
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

/** Close every connection pool and forget every rate limiter and claimed id (tests). */
export async function resetClientRegistry(): Promise<void> {
  resetLimiters();
  resetClaimedIds();
  await resetPools();
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
  private readonly listing: ListingOptions;

  constructor(options: EverflowClientOptions) {
    if (typeof options?.apiKey !== "string" || options.apiKey.trim() === "") {
      throw new TypeError("EverflowClient: apiKey is required");
    }
    const baseUrl = checkBaseUrl(options.baseUrl ?? EVERFLOW_BASE_URL_US, options.apiKey);
    this.baseUrl = baseUrl;
    this.policy = retryPolicy(options.retry);
    this.accountKey = accountKey(baseUrl, options.apiKey);
    this.clockSkewSec = options.reconcile?.clockSkewSec ?? 10;
    this.settleMs = options.reconcile?.settleMs ?? 3000;
    this.random = options.random ?? Math.random;
    this.listing = options.listing ?? {};
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
   * Every pixel of the affiliate, optionally filtered: complete, or an error of kind `partial-listing`
   * naming what is missing (listing.ts checks the server's paging).
   */
  async list(filters: ListFilters = {}): Promise<Pixel[]> {
    return this.listAs("list", filters);
  }

  /** One pixel. A 404 rejects with an error for which `isNotFound(err)` is true. */
  async get(id: number): Promise<Pixel> {
    checkId("get", id);
    return this.requestPixel({
      operation: "get",
      pixelId: id,
      method: "GET",
      path: `/affiliates/pixels/${id}`,
    });
  }

  /**
   * Create a pixel. POST is not idempotent: it is repeated only when the request certainly did not reach
   * the server; after an ambiguous failure the client reconciles (see create.ts and reconcile.ts) and
   * adopts the pixel the failed attempt created, so a create never leaves a duplicate behind.
   */
  async create(body: PixelBody): Promise<Pixel> {
    return createPixel(
      {
        transport: this.transport,
        policy: this.policy,
        random: this.random,
        settleMs: this.settleMs,
        clockSkewSec: this.clockSkewSec,
        listForCreate: () => this.listAs("create"),
        claimed: claimedIds(this.accountKey),
      },
      body,
    );
  }

  /**
   * Replace a pixel (PUT is a full replacement: send the whole object, including fields this client does
   * not model, as read). Server-owned fields (id, timestamps) are dropped from the body.
   */
  async update(id: number, body: PixelBody, operation: "update" | "deactivate" = "update"): Promise<Pixel> {
    checkId(operation, id);
    const full = checkBody(operation, body, id);
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
    checkId("deactivate", id);
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
    return listAll(
      (page, pageSize) =>
        this.requestJson(
          {
            operation,
            method: "GET",
            path: "/affiliates/pixels",
            query: { ...query, page, page_size: pageSize },
          },
          PixelListSchema,
          "list",
        ),
      { operation, limits: this.listing },
    );
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
        sent: req.body,
      });
    }
    return parseBody(req.operation, req.pixelId, res.status, res.text, schema, what);
  }
}
