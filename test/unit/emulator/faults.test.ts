// Scripted faults and latency: failNext, resetAfterWrite, malformedJson, slow, latency (per route and
// "*"), clear(). Assertions are on behaviour, the store and the log; the only time checks are lower
// bounds and the log's computed durations.

import type { EmulatorHandle } from "../../../emulator";
import { call, create, KEY, postback, start } from "./helpers";

let h: EmulatorHandle;
beforeEach(async () => {
  h = await start();
});
afterEach(() => h.stop());

const LIST = "GET /v1/affiliates/pixels";
const GET = "GET /v1/affiliates/pixels/:id";
const CREATE = "POST /v1/affiliates/pixels";
const UPDATE = "PUT /v1/affiliates/pixels/:id";
const TABLE = "POST /v1/affiliates/pixelstable";

const rawFetch = (method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> =>
  fetch(`${h.url}${path}`, {
    method,
    headers: { "X-Eflow-API-Key": KEY, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });

describe("failNext", () => {
  test("the next N requests to the route fail with the status and an error body, then it recovers", async () => {
    h.faults.failNext(LIST, 2, 503, "Service Unavailable");
    const first = await call(h, "GET", "/affiliates/pixels");
    expect(first.status).toBe(503);
    expect(first.body).toEqual({ error: "Service Unavailable" });
    expect(first.headers.get("x-ratelimit-remaining")).not.toBeNull();
    expect((await call(h, "GET", "/affiliates/pixels")).status).toBe(503);
    expect((await call(h, "GET", "/affiliates/pixels")).status).toBe(200);
    expect(h.log.entries().map((e) => [e.status, e.faults])).toEqual([
      [503, ["fail"]],
      [503, ["fail"]],
      [200, []],
    ]);
  });

  test("other routes are unaffected; a default message is given", async () => {
    h.faults.failNext(TABLE, 1, 500);
    expect((await call(h, "GET", "/affiliates/pixels")).status).toBe(200);
    const res = await call(h, "POST", "/affiliates/pixelstable");
    expect(res.status).toBe(500);
    expect(typeof res.body.error).toBe("string");
  });

  test("a failed write is not applied", async () => {
    h.faults.failNext(CREATE, 1, 429);
    expect((await create(h, postback())).status).toBe(429);
    expect(h.store.all()).toEqual([]);
    const id = (await create(h, postback())).body.network_pixel_id;
    h.faults.failNext(UPDATE, 1, 502);
    const put = await call(h, "PUT", `/affiliates/pixels/${id}`, {
      json: postback({ pixel_status: "inactive" }),
    });
    expect(put.status).toBe(502);
    expect(h.store.get(id)?.pixel_status).toBe("active");
  });

  test('"*" targets every route; faults are consumed in order', async () => {
    h.faults.failNext("*", 1, 500, "first");
    h.faults.failNext(GET, 1, 404, "second");
    expect((await call(h, "GET", "/affiliates/pixels/1")).body.error).toBe("first");
    expect((await call(h, "GET", "/affiliates/pixels/1")).body.error).toBe("second");
    h.faults.failNext("*", 1, 500, "unknown too");
    expect((await call(h, "GET", "/nowhere")).body.error).toBe("unknown too");
  });

  test("requests failing auth do not consume a fault", async () => {
    h.faults.failNext(LIST, 1, 500);
    expect((await call(h, "GET", "/affiliates/pixels", { key: null })).status).toBe(401);
    expect((await call(h, "GET", "/affiliates/pixels")).status).toBe(500);
  });

  test("bad arguments throw", () => {
    expect(() => h.faults.failNext("GET /v1/affiliates/pixel", 1, 500)).toThrow(/unknown route/);
    expect(() => h.faults.failNext(LIST, -1, 500)).toThrow(/count/);
    expect(() => h.faults.failNext(LIST, 1, 42)).toThrow(/status/);
    expect(() => h.faults.slow(LIST, 1, -5)).toThrow(/delayMs/);
  });
});

describe("resetAfterWrite", () => {
  test("create: the pixel is stored, the client sees a reset connection", async () => {
    h.faults.resetAfterWrite(CREATE, 1);
    await expect(rawFetch("POST", "/affiliates/pixels", postback())).rejects.toThrow();
    expect(h.store.all()).toHaveLength(1);
    expect(h.log.entries()[0]).toMatchObject({ route: CREATE, status: 200, faults: ["reset"] });
    // The next create is answered normally: a naive retry makes a duplicate.
    const second = await create(h, postback());
    expect(second.status).toBe(200);
    expect(h.store.all()).toHaveLength(2);
    expect(h.log.count(CREATE)).toBe(2);
  });

  test("update: the change is stored before the reset", async () => {
    const id = (await create(h, postback())).body.network_pixel_id;
    h.faults.resetAfterWrite(UPDATE, 1);
    await expect(
      rawFetch("PUT", `/affiliates/pixels/${id}`, postback({ pixel_status: "inactive" })),
    ).rejects.toThrow();
    expect(h.store.get(id)?.pixel_status).toBe("inactive");
  });

  test("on a read route the connection is reset too", async () => {
    h.faults.resetAfterWrite(LIST, 2);
    await expect(rawFetch("GET", "/affiliates/pixels")).rejects.toThrow();
    await expect(rawFetch("GET", "/affiliates/pixels")).rejects.toThrow();
    expect((await call(h, "GET", "/affiliates/pixels")).status).toBe(200);
  });
});

describe("malformedJson", () => {
  test("200 with a truncated body that does not parse; the write still applies", async () => {
    h.faults.malformedJson(CREATE, 1);
    const res = await rawFetch("POST", "/affiliates/pixels", postback());
    expect(res.status).toBe(200);
    // (fetch's errors come from another realm than jest's globals: compare by name, not instanceof)
    await expect(res.json()).rejects.toHaveProperty("name", "SyntaxError");
    expect(h.store.all()).toHaveLength(1);
    expect((await create(h, postback())).body.network_pixel_id).toBe(1001);
  });

  test("on a list", async () => {
    h.faults.malformedJson(LIST, 1);
    const res = await call(h, "GET", "/affiliates/pixels");
    expect(res.status).toBe(200);
    expect(res.body).toBeUndefined();
    expect(res.text.length).toBeGreaterThan(0);
    expect(h.log.entries()[0]?.faults).toEqual(["malformed"]);
  });
});

describe("slow", () => {
  test("the response waits past the client timeout; the write still applies", async () => {
    h.faults.slow(CREATE, 1, 400);
    const started = Date.now();
    await expect(
      rawFetch("POST", "/affiliates/pixels", postback(), AbortSignal.timeout(50)),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(400);
    expect(h.store.all()).toHaveLength(1);
    const entry = h.log.entries()[0];
    expect(entry?.faults).toEqual(["slow"]);
    expect(entry?.durationMs).toBeGreaterThanOrEqual(400);
    // Only the next N requests are slow.
    expect((await create(h, postback())).status).toBe(200);
    expect(h.log.entries()[1]?.durationMs).toBeLessThan(400);
  });

  test("a client that waits gets the response after the delay", async () => {
    h.faults.slow(LIST, 1, 120);
    const started = Date.now();
    expect((await call(h, "GET", "/affiliates/pixels")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  test("stop() does not wait for a pending slow response", async () => {
    h.faults.slow(LIST, 1, 60_000);
    const pending = rawFetch("GET", "/affiliates/pixels").catch((err: unknown) => err);
    while (h.log.count(LIST) === 0) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await h.stop();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await pending).toHaveProperty("name", "TypeError"); // "fetch failed"
  });
});

describe("latency", () => {
  test('per route and for "*"; a route\'s own setting overrides "*"; clear() removes it', async () => {
    h.faults.latency("*", 80);
    h.faults.latency(GET, 0);
    await call(h, "GET", "/affiliates/pixels");
    await call(h, "GET", "/affiliates/pixels/1");
    const [list, one] = h.log.entries();
    expect(list?.durationMs).toBeGreaterThanOrEqual(80);
    expect(one?.durationMs).toBeLessThan(80);
    h.faults.clear();
    h.log.reset();
    await call(h, "GET", "/affiliates/pixels");
    expect(h.log.entries()[0]?.durationMs).toBeLessThan(80);
  });

  test("fixed plus jitter stays within [fixed, fixed + jitter] (plus processing time)", async () => {
    h.faults.latency(LIST, 20, 30);
    for (let i = 0; i < 5; i++) await call(h, "GET", "/affiliates/pixels");
    for (const e of h.log.entries()) {
      expect(e.durationMs).toBeGreaterThanOrEqual(20);
      expect(e.durationMs).toBeLessThan(20 + 30 + 25);
    }
  });

  test("latency option at start applies to every route, errors included; clear() keeps it", async () => {
    const slow = await start({ latency: { fixedMs: 60 } });
    try {
      const started = Date.now();
      expect((await call(slow, "GET", "/affiliates/pixels", { key: null })).status).toBe(401);
      expect(Date.now() - started).toBeGreaterThanOrEqual(50);
      slow.faults.clear();
      await call(slow, "GET", "/affiliates/pixels");
      expect(slow.log.entries()[1]?.durationMs).toBeGreaterThanOrEqual(60);
    } finally {
      await slow.stop();
    }
  });
});

test("clear() removes pending scripted faults", async () => {
  h.faults.failNext(LIST, 5, 500);
  h.faults.resetAfterWrite(CREATE, 5);
  h.faults.malformedJson(LIST, 5);
  h.faults.slow(LIST, 5, 10_000);
  h.faults.clear();
  expect((await call(h, "GET", "/affiliates/pixels")).status).toBe(200);
  expect((await create(h, postback())).status).toBe(200);
});
