// Shared helpers of the client tests: an emulator plus a client wired to it, body factories, a fake
// clock for the limiter and a tiny scripted HTTP server for the API variants the emulator does not
// produce (old id name, `Error` key, non-JSON errors, paged lists, Retry-After).

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "../../../emulator";
import {
  EverflowClient,
  resetClientRegistry,
  type ClientLogEvent,
  type EverflowClientOptions,
  type LimiterClock,
  type PixelBody,
} from "../../../provider/client";

/** A distinctive key, so that a leak is found by a plain substring search. */
export const API_KEY = "efk-SECRET-4f1c9a2b7d";
export const ROUTE = {
  list: "GET /v1/affiliates/pixels",
  get: "GET /v1/affiliates/pixels/:id",
  create: "POST /v1/affiliates/pixels",
  update: "PUT /v1/affiliates/pixels/:id",
} as const;

/** Ambiguous creates settle briefly in tests; the emulator writes before it answers or resets. */
export const FAST_RECONCILE = { settleMs: 20 };

/** Small retry delays: the suites assert counts, not timings. */
export const FAST_RETRY = { maxAttempts: 6, maxElapsedMs: 10_000, minDelayMs: 2, maxDelayMs: 20 };

export interface Env {
  emu: EmulatorHandle;
  client: EverflowClient;
  lines: ClientLogEvent[];
  /** A new client on the same emulator (shares the pool and limiter of the account). */
  makeClient(options?: Partial<EverflowClientOptions>): EverflowClient;
  /** Emulator log counts of one route. */
  count(route: string): number;
  /** Responses the emulator served with this status. */
  served(status: number): number;
  close(): Promise<void>;
}

export async function setup(
  options: { emulator?: EmulatorOptions; client?: Partial<EverflowClientOptions> } = {},
): Promise<Env> {
  const emu = await startEmulator({
    accounts: [{ apiKey: API_KEY, networkId: 1, affiliateId: 7 }],
    rateLimit: { rate: 100_000, burst: 100_000 },
    ...options.emulator,
  });
  const lines: ClientLogEvent[] = [];
  const makeClient = (extra: Partial<EverflowClientOptions> = {}): EverflowClient =>
    new EverflowClient({
      apiKey: API_KEY,
      baseUrl: emu.url,
      rateLimit: { rate: 100_000, burst: 100_000 },
      retry: FAST_RETRY,
      reconcile: FAST_RECONCILE,
      logger: (line) => lines.push(line),
      ...options.client,
      ...extra,
    });
  return {
    emu,
    client: makeClient(),
    lines,
    makeClient,
    count: (route) => emu.log.count(route),
    served: (status) => emu.log.entries().filter((e) => e.status === status).length,
    close: async () => {
      await resetClientRegistry();
      await emu.stop();
    },
  };
}

export function postbackBody(overrides: Partial<PixelBody> = {}): PixelBody {
  return {
    delivery_method: "postback",
    pixel_level: "global",
    pixel_status: "active",
    pixel_type: "conversion",
    postback_url: "https://tracker.example/cb?tid={transaction_id}&amt={revenue}",
    delay_ms: 0,
    ...overrides,
  };
}

export function facebookBody(token: string, overrides: Partial<PixelBody> = {}): PixelBody {
  return {
    delivery_method: "facebook",
    pixel_level: "specific",
    network_offer_id: 12,
    pixel_status: "active",
    pixel_type: "conversion",
    facebook_pixel: { pixel_id: "998877", event_name: "Purchase", access_token: token },
    ...overrides,
  };
}

/** A clock whose time moves only when the test says so. */
export class FakeClock implements LimiterClock {
  private t = 0;
  private timers: { at: number; resolve: () => void }[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.push({ at: this.t + Math.max(0, ms), resolve }));
  }

  /** Move time forward, firing due timers in order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await flush();
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
    this.t = target;
    await flush();
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

export interface ScriptedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
}

/** An HTTP server answering with `reply(request)`; records every request. */
export async function scriptedServer(
  reply: (req: ScriptedRequest, index: number) => ScriptedReply,
): Promise<{ url: string; requests: ScriptedRequest[]; stop(): Promise<void> }> {
  const requests: ScriptedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(request);
      const out = reply(request, requests.length - 1);
      const text = typeof out.body === "string" ? out.body : JSON.stringify(out.body ?? {});
      res.writeHead(out.status ?? 200, { "content-type": "application/json", ...out.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A wire pixel as a server would send it. */
export function wirePixel(id: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    network_pixel_id: id,
    network_id: 1,
    network_affiliate_id: 7,
    network_offer_id: 0,
    network_offer_payout_revenue_id: 0,
    delivery_method: "postback",
    pixel_level: "global",
    pixel_status: "active",
    pixel_type: "conversion",
    postback_url: `https://tracker.example/${id}`,
    html_code: "",
    delay_ms: 0,
    facebook_pixel: null,
    time_created: 1_700_000_000,
    time_saved: 1_700_000_000,
    ...overrides,
  };
}
