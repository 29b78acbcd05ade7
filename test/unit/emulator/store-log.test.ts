// Out-of-band access (seed, update, remove, all), the request log and per-route counts, and
// concurrency: hundreds of parallel creates get distinct ids.

import { ROUTES, type EmulatorHandle } from "../../../emulator";
import { call, create, postback, start } from "./helpers";

let clock: number;
let h: EmulatorHandle;
beforeEach(async () => {
  clock = 1_700_000_000_000;
  h = await start({
    now: () => clock,
    accounts: [
      { apiKey: "key-a", networkId: 1, affiliateId: 7, label: "alice" },
      { apiKey: "key-b", networkId: 1, affiliateId: 8 },
    ],
  });
});
afterEach(() => h.stop());

describe("out-of-band store", () => {
  test("seed by API key or affiliate id fills defaults, assigns an id and times; visible through the API", async () => {
    const seeded = h.store.seed("key-a", { postback_url: "https://drift.example/", extra_field: "x" });
    expect(seeded).toEqual({
      network_pixel_id: 1000,
      network_id: 1,
      network_affiliate_id: 7,
      network_offer_id: 0,
      network_offer_payout_revenue_id: 0,
      delivery_method: "postback",
      pixel_level: "global",
      pixel_status: "active",
      pixel_type: "conversion",
      postback_url: "https://drift.example/",
      html_code: "",
      delay_ms: 0,
      facebook_pixel: null,
      tiktok_pixel: {},
      snapchat_pixel: {},
      rumble_pixel: {},
      time_created: 1_700_000_000,
      time_saved: 1_700_000_000,
      extra_field: "x",
      relationship: { affiliate: { network_affiliate_id: 7, name: "Affiliate 7" }, payout_revenue: null },
    });
    const byAffiliate = h.store.seed(8, {
      pixel_level: "specific",
      network_offer_id: 4,
      network_pixel_id: 1,
    });
    expect(byAffiliate).toMatchObject({
      network_pixel_id: 1001,
      network_affiliate_id: 8,
      network_offer_id: 4,
    });
    expect(byAffiliate.relationship.offer).toEqual({ network_offer_id: 4, name: "Offer 4" });

    const got = await call(h, "GET", "/affiliates/pixels/1000", { key: "key-a" });
    expect(got.body).toEqual(seeded);
    expect((await call(h, "GET", "/affiliates/pixels/1001", { key: "key-a" })).status).toBe(404);
    // Seeding is not a request: only the two GETs are logged.
    expect(h.log.count("*")).toBe(2);
  });

  test("seed takes no validation (drift may be anything) and an unknown account throws", () => {
    const odd = h.store.seed("key-a", { delivery_method: "tiktok", delay_ms: 999_999, time_created: 5 });
    expect(odd).toMatchObject({
      delivery_method: "tiktok",
      delay_ms: 999_999,
      time_created: 5,
      time_saved: 5,
    });
    expect(() => h.store.seed("no-such-key", {})).toThrow(/no account/);
    expect(() => h.store.seed(99, {})).toThrow(/no account/);
    expect(() => h.store.seed("key-a")).not.toThrow();
  });

  test("update merges, bumps time_saved, recomputes relationship; the API sees the drift", async () => {
    const id = (await create(h, postback(), "key-a")).body.network_pixel_id;
    clock += 3_000;
    const updated = h.store.update(id, {
      postback_url: "https://changed.example/",
      pixel_level: "specific",
      network_offer_id: 9,
      added: true,
      network_pixel_id: 5,
    });
    expect(updated).toMatchObject({
      network_pixel_id: id,
      postback_url: "https://changed.example/",
      network_offer_id: 9,
      added: true,
      time_created: 1_700_000_000,
      time_saved: 1_700_000_003,
    });
    expect(updated.relationship.offer).toEqual({ network_offer_id: 9, name: "Offer 9" });
    expect((await call(h, "GET", `/affiliates/pixels/${id}`, { key: "key-a" })).body).toEqual(updated);
    expect(h.store.update(id, { time_saved: 42 }).time_saved).toBe(42);
    expect(() => h.store.update(123456, {})).toThrow(/123456/);
  });

  test("remove: gone from the API, the id is never reused; unknown ids are ignored", async () => {
    const id = (await create(h, postback(), "key-a")).body.network_pixel_id;
    h.store.remove(id);
    h.store.remove(987654);
    expect(h.store.get(id)).toBeUndefined();
    expect((await call(h, "GET", `/affiliates/pixels/${id}`, { key: "key-a" })).status).toBe(404);
    expect((await call(h, "GET", "/affiliates/pixels", { key: "key-a" })).body.pixels).toEqual([]);
    expect((await create(h, postback(), "key-a")).body.network_pixel_id).toBe(id + 1);
  });

  test("all() lists every account's pixels by id; returned objects are copies", async () => {
    h.store.seed("key-b", {});
    await create(h, postback(), "key-a");
    const all = h.store.all();
    expect(all.map((p) => [p.network_pixel_id, p.network_affiliate_id])).toEqual([
      [1000, 8],
      [1001, 7],
    ]);
    all[0]!.postback_url = "mutated";
    h.store.get(1001)!.pixel_status = "mutated";
    expect(h.store.get(1000)?.postback_url).toBe("");
    expect(h.store.get(1001)?.pixel_status).toBe("active");
  });
});

describe("request log", () => {
  test("entries: method, path, query, route, status, duration, time, key label, ids, faults", async () => {
    await call(h, "GET", "/affiliates/pixels?pixel_status=active", { key: "key-a" });
    clock += 1234;
    await create(h, {}, "key-b");
    const [first, second] = h.log.entries();
    expect(first).toEqual({
      method: "GET",
      path: "/v1/affiliates/pixels",
      query: "?pixel_status=active",
      route: "GET /v1/affiliates/pixels",
      status: 200,
      durationMs: expect.any(Number),
      time: 1_700_000_000_000,
      key: "alice",
      networkId: 1,
      affiliateId: 7,
      faults: [],
    });
    expect(second).toMatchObject({
      method: "POST",
      route: "POST /v1/affiliates/pixels",
      status: 400,
      time: 1_700_000_001_234,
      key: "affiliate:8",
      affiliateId: 8,
    });
  });

  test('counts per route, count("*"), reset; "exactly one PUT and no POST"', async () => {
    const id = (await create(h, postback(), "key-a")).body.network_pixel_id;
    h.log.reset();
    expect(h.log.entries()).toEqual([]);
    expect(h.log.count("*")).toBe(0);

    await call(h, "GET", `/affiliates/pixels/${id}`, { key: "key-a" });
    await call(h, "PUT", `/affiliates/pixels/${id}`, {
      key: "key-a",
      json: postback({ pixel_status: "inactive" }),
    });
    await call(h, "GET", "/affiliates/pixels", { key: "key-a" });
    await call(h, "POST", "/affiliates/pixelstable", { key: "key-a" });
    await call(h, "GET", "/no/such/route", { key: "key-a" });

    expect(h.log.count("PUT /v1/affiliates/pixels/:id")).toBe(1);
    expect(h.log.count("POST /v1/affiliates/pixels")).toBe(0);
    expect(h.log.counts()).toEqual({
      "GET /v1/affiliates/pixels": 1,
      "GET /v1/affiliates/pixels/:id": 1,
      "POST /v1/affiliates/pixels": 0,
      "PUT /v1/affiliates/pixels/:id": 1,
      "POST /v1/affiliates/pixelstable": 1,
      unknown: 1,
    });
    expect(Object.keys(h.log.counts())).toEqual([...ROUTES, "unknown"]);
    expect(h.log.count("*")).toBe(5);
    expect(h.log.entries().map((e) => e.route)).toEqual([
      "GET /v1/affiliates/pixels/:id",
      "PUT /v1/affiliates/pixels/:id",
      "GET /v1/affiliates/pixels",
      "POST /v1/affiliates/pixelstable",
      "unknown",
    ]);
  });

  test("entries() returns copies", async () => {
    await call(h, "GET", "/affiliates/pixels", { key: "key-a" });
    h.log.entries()[0]!.status = 999;
    expect(h.log.entries()[0]?.status).toBe(200);
  });
});

describe("concurrency", () => {
  test("200 concurrent creates (raised rate limit) get 200 distinct, consecutive ids", async () => {
    h.settings.setRateLimit(10_000, 1_000);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        create(h, postback({ postback_url: `https://t.example/${i}` }), i % 2 === 0 ? "key-a" : "key-b"),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(200).fill(200));
    const ids = results.map((r) => r.body.network_pixel_id as number);
    expect(new Set(ids).size).toBe(200);
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => 1000 + i));
    const stored = h.store.all();
    expect(stored).toHaveLength(200);
    // Each response is the pixel stored under its id, with the body it was created from.
    for (const r of results) {
      expect(h.store.get(r.body.network_pixel_id)?.postback_url).toBe(r.body.postback_url);
    }
    expect(new Set(stored.map((p) => p.postback_url)).size).toBe(200);
    expect(h.log.count("POST /v1/affiliates/pixels")).toBe(200);
  });

  test("a burst of mixed concurrent requests: 300 parallel, none lost", async () => {
    h.settings.setRateLimit(10_000, 1_000);
    const seeded = Array.from({ length: 20 }, () =>
      h.store.seed("key-a", { postback_url: "https://s.example/" }),
    );
    const requests = Array.from({ length: 300 }, (_, i) => {
      const pixel = seeded[i % seeded.length]!;
      if (i % 3 === 0) return create(h, postback(), "key-a");
      if (i % 3 === 1)
        return call(h, "GET", `/affiliates/pixels/${pixel.network_pixel_id}`, { key: "key-a" });
      return call(h, "PUT", `/affiliates/pixels/${pixel.network_pixel_id}`, {
        key: "key-a",
        json: postback({ delay_ms: i }),
      });
    });
    const results = await Promise.all(requests);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(h.store.all()).toHaveLength(120);
    expect(h.log.count("*")).toBe(300);
  });
});
