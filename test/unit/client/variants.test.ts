// API variants the emulator does not produce, against a scripted server: the older id name, `Error`
// error bodies, non-JSON errors, paged lists, Retry-After, headers; and a refused connection.

import { readFileSync } from "node:fs";
import * as net from "node:net";
import { join } from "node:path";
import {
  EverflowApiError,
  EverflowClient,
  packageVersion,
  resetClientRegistry,
} from "../../../provider/client";
import {
  API_KEY,
  FAST_RECONCILE,
  FAST_RETRY,
  postbackBody,
  scriptedServer,
  wirePixel,
  type ScriptedReply,
} from "./helpers";
import type { ClientLogEvent } from "../../../provider/client";

afterEach(() => resetClientRegistry());

async function withServer(
  reply: Parameters<typeof scriptedServer>[0],
  body: (
    client: EverflowClient,
    server: Awaited<ReturnType<typeof scriptedServer>>,
    lines: ClientLogEvent[],
  ) => Promise<void>,
): Promise<void> {
  const server = await scriptedServer(reply);
  const lines: ClientLogEvent[] = [];
  const client = new EverflowClient({
    apiKey: API_KEY,
    baseUrl: server.url,
    retry: FAST_RETRY,
    reconcile: FAST_RECONCILE,
    rateLimit: { rate: 10_000, burst: 10_000 },
    logger: (l) => lines.push(l),
  });
  try {
    await body(client, server, lines);
  } finally {
    await resetClientRegistry();
    await server.stop();
  }
}

test("headers: key, user agent, JSON content type", async () => {
  await withServer(
    () => ({ body: wirePixel(1) }),
    async (client, server) => {
      await client.create(postbackBody());
      const req = server.requests[0];
      expect(req?.headers["x-eflow-api-key"]).toBe(API_KEY);
      expect(req?.headers["user-agent"]).toBe(`pulumi-everflow/${packageVersion()}`);
      const pkg = JSON.parse(readFileSync(join(__dirname, "../../../package.json"), "utf8")) as {
        version: string;
      };
      expect(packageVersion()).toBe(pkg.version);
      expect(req?.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(req?.body ?? "")).toEqual(postbackBody());
      expect(req?.url).toBe("/v1/affiliates/pixels");
    },
  );
});

test("the older id name network_affiliate_pixel_id is read as network_pixel_id", async () => {
  const old = (id: number) => {
    const p = wirePixel(id);
    delete p.network_pixel_id;
    return { ...p, network_affiliate_pixel_id: id };
  };
  await withServer(
    (req) => (req.url.includes("/pixels/") ? { body: old(31) } : { body: { pixels: [old(31), old(32)] } }),
    async (client) => {
      expect((await client.get(31)).network_pixel_id).toBe(31);
      expect((await client.list()).map((p) => p.network_pixel_id)).toEqual([31, 32]);
    },
  );
});

test.each<[string, ScriptedReply, string]>([
  ["`error`", { status: 400, body: { error: "Invalid parameters." } }, "Invalid parameters."],
  [
    "`Error`",
    { status: 401, body: { Error: "No Authentication Method Found" } },
    "No Authentication Method Found",
  ],
  ["non-JSON", { status: 403, body: "<html><h1>Forbidden</h1></html>" }, "<html><h1>Forbidden</h1></html>"],
  ["empty", { status: 404, body: "" }, ""],
])("error body with %s", async (_label, reply, message) => {
  await withServer(
    () => reply,
    async (client) => {
      const err = (await client.get(8).catch((e: unknown) => e)) as EverflowApiError;
      expect(err).toBeInstanceOf(EverflowApiError);
      expect(err.status).toBe(reply.status);
      expect(err.apiMessage).toBe(message === "" ? undefined : message);
      expect(err.message).toBe(
        `Everflow get of postback 8 failed: HTTP ${reply.status}${message ? `: ${message}` : ""}`,
      );
    },
  );
});

test("a paged list is followed to the end (a server capping the page size at 2)", async () => {
  const all = [1, 2, 3, 4, 5].map((id) => wirePixel(id));
  await withServer(
    (req) => {
      const url = new URL(req.url, "http://x");
      const page = Number(url.searchParams.get("page") ?? "1");
      const size = Math.min(2, Number(url.searchParams.get("page_size") ?? "2"));
      return {
        body: {
          pixels: all.slice((page - 1) * size, page * size),
          paging: { page, page_size: size, total_count: all.length },
        },
      };
    },
    async (client, server) => {
      const pixels = await client.list({ pixel_status: "active" });
      expect(pixels.map((p) => p.network_pixel_id)).toEqual([1, 2, 3, 4, 5]);
      expect(server.requests.map((r) => r.url)).toEqual([
        "/v1/affiliates/pixels?pixel_status=active&page=1&page_size=2000",
        "/v1/affiliates/pixels?pixel_status=active&page=2&page_size=2000",
        "/v1/affiliates/pixels?pixel_status=active&page=3&page_size=2000",
      ]);
    },
  );
});

test("Retry-After is honoured", async () => {
  await withServer(
    (_req, i) =>
      i === 0
        ? { status: 429, headers: { "retry-after": "1" }, body: { error: "slow down" } }
        : { body: wirePixel(4) },
    async (client, server, lines) => {
      await client.get(4);
      expect(server.requests).toHaveLength(2);
      expect(lines.find((l) => l.event === "retry")).toMatchObject({ reason: "HTTP 429", delayMs: 1000 });
      // The 429 also cut the account's adaptive rate for every request of the process.
      expect(client.stats().limiter).toMatchObject({ rateLimited: 1, cuts: 1 });
      expect(client.stats().limiter.currentRate).toBeLessThan(10_000);
    },
  );
});

test("the `event` type and a masked token read back", async () => {
  await withServer(
    () => ({
      body: wirePixel(6, {
        pixel_type: "event",
        delivery_method: "facebook",
        facebook_pixel: { pixel_id: "1", event_name: "Lead", access_token: "****abcd" },
      }),
    }),
    async (client) => {
      const p = await client.get(6);
      expect(p).toMatchObject({ pixel_type: "event", facebook_pixel: { access_token: "****abcd" } });
    },
  );
});

test("connection refused: POST retried (it certainly was not sent), no reconciliation", async () => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const lines: ClientLogEvent[] = [];
  const client = new EverflowClient({
    apiKey: API_KEY,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    retry: { maxAttempts: 4, minDelayMs: 1, maxDelayMs: 5 },
    logger: (l) => lines.push(l),
  });
  const err = (await client.create(postbackBody()).catch((e: unknown) => e)) as EverflowApiError;
  expect(err).toMatchObject({ kind: "network", code: "ECONNREFUSED", operation: "create", attempts: 4 });
  expect(err.message).toMatch(/^Everflow create of postback failed: network error \(ECONNREFUSED\)/);
  expect(lines.filter((l) => l.event === "request-start" && l.method === "POST")).toHaveLength(4);
  expect(lines.filter((l) => l.event === "reconcile" || l.method === "GET")).toHaveLength(0);
});
