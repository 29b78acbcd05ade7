// Retries under scripted faults, the shared rate limiter, keep-alive reuse and timeouts.

import { EverflowApiError, poolStats, toPixelBody } from "../../../provider/client";
import { API_KEY, postbackBody, ROUTE, setup, type Env } from "./helpers";

let env: Env;
afterEach(() => env?.close());

describe("retries (idempotent requests)", () => {
  beforeEach(async () => {
    env = await setup();
  });

  test("GET: 5xx and 429 are retried until success; attempts counted by the emulator", async () => {
    const id = env.emu.store.seed(API_KEY, { postback_url: "https://t.example/a" }).network_pixel_id;
    env.emu.faults.failNext(ROUTE.get, 2, 503);
    env.emu.faults.failNext(ROUTE.get, 1, 429);
    env.emu.faults.failNext(ROUTE.get, 1, 500);
    await expect(env.client.get(id)).resolves.toMatchObject({ network_pixel_id: id });
    expect(env.count(ROUTE.get)).toBe(5);
    expect(env.lines.filter((l) => l.event === "retry").map((l) => l.reason)).toEqual([
      "HTTP 503",
      "HTTP 503",
      "HTTP 429",
      "HTTP 500",
    ]);
  });

  test("the attempt cap: maxAttempts requests, then the error", async () => {
    env.emu.faults.failNext(ROUTE.list, 100, 503, "Service unavailable");
    const err = (await env.client.list().catch((e: unknown) => e)) as EverflowApiError;
    expect(err).toMatchObject({ kind: "server", status: 503, attempts: 6 });
    expect(env.count(ROUTE.list)).toBe(6);
  });

  test("the time cap: no retry starts once the wait would pass maxElapsedMs", async () => {
    const client = env.makeClient({
      // Every backoff is 495 ms: the first fits the 800 ms budget for as long as the first attempt
      // takes under 305 ms (a loaded CI machine stays far below that); the second never does.
      retry: { maxAttempts: 100, maxElapsedMs: 800, minDelayMs: 500, maxDelayMs: 500 },
      random: () => 0.99,
    });
    env.emu.faults.failNext(ROUTE.list, 100, 502);
    await expect(client.list()).rejects.toMatchObject({ kind: "server", status: 502, attempts: 2 });
    expect(env.count(ROUTE.list)).toBe(2);
  });

  test("PUT (a full replacement) is retried on 5xx and on a connection reset after the write", async () => {
    const pixel = env.emu.store.seed(API_KEY, { postback_url: "https://t.example/a" });
    const body = { ...toPixelBody(await env.client.get(pixel.network_pixel_id)), delay_ms: 42 };
    env.emu.faults.failNext(ROUTE.update, 1, 500);
    env.emu.faults.resetAfterWrite(ROUTE.update, 1);
    const out = await env.client.update(pixel.network_pixel_id, body);
    expect(out.delay_ms).toBe(42);
    expect(env.count(ROUTE.update)).toBe(3);
  });

  test("GET on a connection reset", async () => {
    const id = env.emu.store.seed(API_KEY, { postback_url: "https://t.example/a" }).network_pixel_id;
    env.emu.faults.resetAfterWrite(ROUTE.get, 1);
    await expect(env.client.get(id)).resolves.toMatchObject({ network_pixel_id: id });
    expect(env.count(ROUTE.get)).toBe(2);
    const reasons = env.lines.filter((l) => l.event === "retry").map((l) => l.reason);
    expect(reasons).toEqual([expect.stringMatching(/^(UND_ERR_SOCKET|ECONNRESET)$/)]);
  });

  test("GET on a headers timeout", async () => {
    const client = env.makeClient({ timeouts: { headersMs: 100 } });
    const id = env.emu.store.seed(API_KEY, { postback_url: "https://t.example/a" }).network_pixel_id;
    // undici's headers timer has a resolution of about 1 s: the 100 ms timeout fires within ~1.5 s.
    env.emu.faults.slow(ROUTE.get, 1, 4_000);
    await expect(client.get(id)).resolves.toMatchObject({ network_pixel_id: id });
    expect(env.count(ROUTE.get)).toBe(2);
    const reasons = env.lines.filter((l) => l.event === "retry").map((l) => l.reason);
    expect(reasons).toEqual(["UND_ERR_HEADERS_TIMEOUT"]);
  });

  test("4xx is never retried", async () => {
    env.emu.faults.failNext(ROUTE.get, 5, 400, "Invalid parameters.");
    await expect(env.client.get(1)).rejects.toMatchObject({ status: 400, attempts: 1 });
    expect(env.count(ROUTE.get)).toBe(1);
  });

  test("malformed JSON on a 200 is a clear invalid-response error", async () => {
    const id = env.emu.store.seed(API_KEY, { postback_url: "https://t.example/a" }).network_pixel_id;
    env.emu.faults.malformedJson(ROUTE.get, 1);
    await expect(env.client.get(id)).rejects.toMatchObject({
      kind: "invalid-response",
      message: expect.stringMatching(
        new RegExp(
          `^Everflow get of postback ${id} failed: unexpected response: HTTP 200 with a body that is not JSON`,
        ),
      ),
    });
  });

  test("a pixel the client cannot read names the field", async () => {
    const id = env.emu.store.seed(API_KEY, { delivery_method: "sms" }).network_pixel_id;
    await expect(env.client.get(id)).rejects.toMatchObject({
      kind: "invalid-response",
      message: expect.stringContaining(
        `Everflow get of postback ${id} failed: unexpected pixel in response: delivery_method:`,
      ),
    });
    await expect(env.client.list()).rejects.toThrow(
      /list of postbacks failed: unexpected list in response: pixels\[0\]\.delivery_method/,
    );
  });
});

describe("rate limiter", () => {
  test("60 requests fired at once against 100/s burst 20 (the real 5/s burst 20, 20x faster): zero 429s", async () => {
    env = await setup({
      emulator: { rateLimit: { rate: 100, burst: 20 } },
      client: { rateLimit: { rate: 100, burst: 20 } },
    });
    const id = env.emu.store.seed(API_KEY, { postback_url: "https://t.example/a" }).network_pixel_id;
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? env.client.get(id) : env.client.list())),
    );
    expect(results).toHaveLength(60);
    expect(env.served(429)).toBe(0);
    expect(env.emu.log.entries()).toHaveLength(60);
    expect(env.client.stats().limiter).toMatchObject({ acquired: 60, waited: 40, rateLimited: 0 });
  });

  test("the limiter is shared by every client of the account in the process", async () => {
    env = await setup({
      emulator: { rateLimit: { rate: 100, burst: 20 } },
      client: { rateLimit: { rate: 100, burst: 20 } },
    });
    const clients = [env.client, env.makeClient(), env.makeClient()];
    await Promise.all(Array.from({ length: 45 }, (_, i) => clients[i % 3]!.list()));
    expect(env.served(429)).toBe(0);
    expect(env.client.stats().limiter.acquired).toBe(45);
  });

  test("without the client limiter the same load meets 429s, which retries absorb", async () => {
    env = await setup({
      emulator: { rateLimit: { rate: 100, burst: 20 } },
      client: {
        rateLimit: { rate: 1_000_000, burst: 1_000_000 },
        retry: { maxAttempts: 20, minDelayMs: 10, maxDelayMs: 200 },
      },
    });
    await Promise.all(Array.from({ length: 60 }, () => env.client.list()));
    expect(env.served(429)).toBeGreaterThan(0);
  });
});

describe("keep-alive", () => {
  test("50 sequential requests use one connection; the pool is shared per base URL", async () => {
    env = await setup();
    const id = env.emu.store.seed(API_KEY, { postback_url: "https://t.example/a" }).network_pixel_id;
    for (let i = 0; i < 50; i++) await env.client.get(id);
    const other = env.makeClient();
    for (let i = 0; i < 10; i++) await other.list();
    expect(env.client.stats().pool).toMatchObject({ connectionsOpened: 1, requests: 60 });
    expect(poolStats()).toHaveLength(1);
  });
});

describe("user agent and headers", () => {
  test("create body is the JSON of the intended fields", async () => {
    env = await setup();
    const created = await env.client.create(postbackBody({ extra_unmodelled: "kept" }));
    expect(env.emu.store.get(created.network_pixel_id)).toMatchObject({ extra_unmodelled: "kept" });
  });
});
