// Everflow affiliate postback API emulator: a real HTTP server on loopback for tests, benchmarks, the
// demo and users. It follows docs/everflow-api.md and shares no code with provider/ or sdk/.

import type { AddressInfo } from "node:net";

import { Accounts, DEFAULT_ACCOUNT } from "./accounts";
import { ADMIN_PREFIX } from "./admin";
import { Faults } from "./faults";
import { maskScope, type Settings } from "./handlers";
import { RequestLog } from "./log";
import { defaultPagingQuirks, setPagingQuirks, type PagingQuirks } from "./paging";
import { DEFAULT_RATE_LIMIT, RateLimiter } from "./rate-limit";
import { createServer, Sleeper } from "./server";
import { Quirks, type AnswerScope, type QuirkOptions } from "./quirks";
import { PixelStore } from "./store";
import type { EmulatorAccount, LogEntry, NetworkKey, Pixel } from "./types";

export { ROUTES, MAX_DELAY_MS } from "./types";
export type {
  EmulatorAccount,
  FacebookPixel,
  FaultKind,
  LogEntry,
  LoggedRoute,
  NetworkKey,
  Pixel,
  PixelFields,
  PixelRelationship,
  RouteName,
  RouteTarget,
} from "./types";
export { DEFAULT_ACCOUNT } from "./accounts";
export { ADMIN_PREFIX } from "./admin";
export { DEFAULT_RATE_LIMIT } from "./rate-limit";
export { FIRST_PIXEL_ID } from "./store";
export { maskToken } from "./handlers";
export { ENDLESS_TOTAL, PAGING_QUIRK_NAMES, type PagingQuirks } from "./paging";
export {
  ANSWER_SCOPES,
  htmlEscape,
  type AnswerScope,
  type LengthLimits,
  type MethodDefaults,
  type QuirkOptions,
} from "./quirks";

export interface EmulatorOptions {
  /** 0 = a free port (default 0). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: one account { apiKey: "test-api-key", networkId: 1, affiliateId: 7 }. */
  accounts?: EmulatorAccount[];
  /** Network keys: authenticated, but 403 "Out of realm" on affiliate routes. */
  networkKeys?: NetworkKey[];
  /** Token bucket per network; default 5 requests/s, burst 20. */
  rateLimit?: { rate: number; burst: number };
  /** Latency for every route ("*"); per-route latency is set through `faults.latency`. */
  latency?: { fixedMs?: number; jitterMs?: number };
  /** POST create answers 403 (default off). */
  creationDisabled?: boolean;
  /**
   * facebook_pixel.access_token is returned as "****" + its last 4 characters in the answers named:
   * `"reads"` (GET list, GET one, pixelstable), `"all"` or `true` (write answers too); default off.
   */
  maskAccessToken?: boolean | AnswerScope;
  /** Paging anomalies of the list route, all off by default (see emulator/paging.ts). */
  paging?: Partial<PagingQuirks>;
  /**
   * Server behaviours Everflow may show, all off by default: per-delivery-method field defaults,
   * silent truncation, write answers that echo the request, HTML-escaping of what is returned (in
   * reads only or in every answer). See quirks.ts.
   */
  quirks?: QuirkOptions;
  /** Clock in ms (default Date.now): rate-limit refill, time_created/time_saved, log times. */
  now?: () => number;
}

export interface EmulatorStore {
  /** Create a pixel out of band for an account (by API key or affiliate id). Wire fields, no validation. */
  seed(accountApiKeyOrAffiliateId: string | number, fields?: Record<string, unknown>): Pixel;
  get(id: number): Pixel | undefined;
  /** Shallow-merge wire fields into a pixel, out of band; bumps time_saved. Throws for an unknown id. */
  update(id: number, patch: Record<string, unknown>): Pixel;
  /** Remove a pixel out of band (unknown ids are ignored). */
  remove(id: number): void;
  /** Every pixel of every account, by id. */
  all(): Pixel[];
}

export interface EmulatorLog {
  entries(): LogEntry[];
  counts(): Record<string, number>;
  count(route: string): number;
  reset(): void;
}

export interface EmulatorFaults {
  failNext(route: string, n: number, status: number, message?: string): void;
  resetAfterWrite(route: string, n: number): void;
  malformedJson(route: string, n: number): void;
  slow(route: string, n: number, delayMs: number): void;
  latency(route: string, fixedMs: number, jitterMs?: number): void;
  clear(): void;
}

export interface EmulatorSettings {
  setRateLimit(rate: number, burst: number): void;
  setCreationDisabled(on: boolean): void;
  /** `true` = `"all"`, `false` = off; `"reads"` masks in read answers only. */
  setMaskAccessToken(on: boolean | AnswerScope): void;
  /** Turn paging anomalies on or off; `{}` after `resetPaging()` is the documented paging. */
  setPaging(patch: Partial<PagingQuirks>): void;
  resetPaging(): void;
  /** Replace the quirk switches; `{}` turns them all off. */
  setQuirks(quirks: QuirkOptions): void;
}

export interface EmulatorHandle {
  /** Base URL including /v1, e.g. "http://127.0.0.1:43123/v1". */
  url: string;
  /**
   * Base URL of the out-of-band admin routes (admin.ts), e.g. "http://127.0.0.1:43123/_emulator":
   * `GET /pixels`, `GET|PATCH|DELETE /pixels/{id}`; no key, no rate limit, not logged.
   */
  adminUrl: string;
  /** Direct, out-of-band access: no auth, no rate limit, no log (over HTTP: `adminUrl`). */
  store: EmulatorStore;
  log: EmulatorLog;
  faults: EmulatorFaults;
  settings: EmulatorSettings;
  stop(): Promise<void>;
}

function checkLatency(value: number | undefined, what: string): number {
  const ms = value ?? 0;
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`emulator: latency.${what} must be >= 0`);
  return ms;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const now = options.now ?? Date.now;
  const accounts = new Accounts(options.accounts ?? [DEFAULT_ACCOUNT], options.networkKeys ?? []);
  const store = new PixelStore(now);
  const limiter = new RateLimiter(now, options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const faults = new Faults({
    fixedMs: checkLatency(options.latency?.fixedMs, "fixedMs"),
    jitterMs: checkLatency(options.latency?.jitterMs, "jitterMs"),
  });
  const log = new RequestLog();
  const settings: Settings = {
    creationDisabled: options.creationDisabled ?? false,
    maskAccessToken: maskScope(options.maskAccessToken ?? false),
    paging: defaultPagingQuirks(),
    quirks: new Quirks(options.quirks),
  };
  setPagingQuirks(settings.paging, options.paging ?? {});
  const sleeper = new Sleeper();
  const server = createServer({ accounts, store, limiter, faults, log, settings, now, sleeper });

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      sleeper.cancelAll();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return stopping;
  };

  return {
    url: `http://${urlHost}:${port}/v1`,
    adminUrl: `http://${urlHost}:${port}${ADMIN_PREFIX}`,
    store: {
      seed: (who, fields = {}) => store.seed(accounts.find(who), fields),
      get: (id) => store.get(id),
      update: (id, patch) => store.update(id, patch),
      remove: (id) => store.remove(id),
      all: () => store.all(),
    },
    log: {
      entries: () => log.entries(),
      counts: () => log.counts(),
      count: (route) => log.count(route),
      reset: () => log.reset(),
    },
    faults: {
      failNext: (route, n, status, message) => faults.failNext(route, n, status, message),
      resetAfterWrite: (route, n) => faults.resetAfterWrite(route, n),
      malformedJson: (route, n) => faults.malformedJson(route, n),
      slow: (route, n, delayMs) => faults.slow(route, n, delayMs),
      latency: (route, fixedMs, jitterMs) => faults.latency(route, fixedMs, jitterMs),
      clear: () => faults.clear(),
    },
    settings: {
      setRateLimit: (rate, burst) => limiter.set(rate, burst),
      setCreationDisabled: (on) => {
        settings.creationDisabled = on;
      },
      setMaskAccessToken: (on) => {
        settings.maskAccessToken = maskScope(on);
      },
      setPaging: (patch) => setPagingQuirks(settings.paging, patch),
      resetPaging: () => {
        settings.paging = defaultPagingQuirks();
      },
      setQuirks: (quirks) => settings.quirks.set(quirks),
    },
    stop,
  };
}
