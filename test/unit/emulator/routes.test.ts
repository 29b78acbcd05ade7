// The five routes: create, get, full-replacement update, list (filters in both syntaxes, paging) and
// pixelstable; unknown routes and DELETE; the creation-disabled and access-token-masking switches.

import type { EmulatorHandle } from "../../../emulator";
import { call, create, facebook, html, postback, start, type Res } from "./helpers";

describe("create, get, update", () => {
  let h: EmulatorHandle;
  let clock = 1_700_000_000_000;
  beforeEach(async () => {
    clock = 1_700_000_000_000;
    h = await start({ now: () => clock });
  });
  afterEach(() => h.stop());

  test("POST creates with 200 (not 201) and returns the whole pixel", async () => {
    const res = await create(h, html({ network_offer_payout_revenue_id: 9, delay_ms: 0 }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      network_pixel_id: 1000,
      network_id: 1,
      network_affiliate_id: 7,
      network_offer_id: 12,
      network_offer_payout_revenue_id: 9,
      delivery_method: "html",
      pixel_level: "specific",
      pixel_status: "active",
      pixel_type: "conversion",
      postback_url: "",
      html_code: html().html_code,
      delay_ms: 0,
      facebook_pixel: null,
      tiktok_pixel: {},
      snapchat_pixel: {},
      rumble_pixel: {},
      time_created: 1_700_000_000,
      time_saved: 1_700_000_000,
      relationship: {
        affiliate: { network_affiliate_id: 7, name: "Affiliate 7" },
        offer: { network_offer_id: 12, name: "Offer 12" },
        payout_revenue: { network_offer_payout_revenue_id: 9 },
      },
    });
    expect(h.store.get(1000)).toEqual(res.body);
  });

  test("ids increase and are not reused", async () => {
    const a = (await create(h, postback())).body.network_pixel_id;
    const b = (await create(h, postback())).body.network_pixel_id;
    h.store.remove(b);
    const c = (await create(h, postback())).body.network_pixel_id;
    expect([a, b, c]).toEqual([1000, 1001, 1002]);
  });

  test("GET returns the pixel unwrapped; unknown or malformed ids are 404 with an error body", async () => {
    const created = (await create(h, postback())).body;
    const got = await call(h, "GET", `/affiliates/pixels/${created.network_pixel_id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created);
    for (const id of ["999999", "abc", "0", "-1"]) {
      const res = await call(h, "GET", `/affiliates/pixels/${id}`);
      expect(res.status).toBe(404);
      expect(typeof res.body.error).toBe("string");
    }
  });

  test("PUT is a full replacement: fields, extras; id and time_created kept; time_saved bumped", async () => {
    const created = (
      await create(h, postback({ delay_ms: 1000, custom_note: "old", network_offer_payout_revenue_id: 3 }))
    ).body;
    clock += 90_000;
    const res = await call(h, "PUT", `/affiliates/pixels/${created.network_pixel_id}`, {
      json: facebook({ pixel_status: "inactive", other_field: [1, 2] }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      network_pixel_id: created.network_pixel_id,
      delivery_method: "facebook",
      pixel_status: "inactive",
      postback_url: "",
      delay_ms: 0,
      network_offer_payout_revenue_id: 0,
      other_field: [1, 2],
      time_created: created.time_created,
      time_saved: created.time_created + 90,
    });
    expect(res.body).not.toHaveProperty("custom_note");
    expect(res.body.relationship.payout_revenue).toBeNull();
    expect((await call(h, "GET", `/affiliates/pixels/${created.network_pixel_id}`)).body).toEqual(res.body);
  });

  test("read-only fields in a body are ignored", async () => {
    const created = (
      await create(
        h,
        postback({
          network_pixel_id: 5,
          network_affiliate_pixel_id: 5,
          network_id: 99,
          network_affiliate_id: 99,
          time_created: 1,
          time_saved: 1,
          relationship: { x: 1 },
          tiktok_pixel: { a: 1 },
        }),
      )
    ).body;
    expect(created).toMatchObject({ network_pixel_id: 1000, network_id: 1, network_affiliate_id: 7 });
    expect(created.time_created).toBe(1_700_000_000);
    expect(created.tiktok_pixel).toEqual({});
    expect(created).not.toHaveProperty("network_affiliate_pixel_id");
    // Sending the read-back object as the PUT body (what a client does) works.
    const put = await call(h, "PUT", `/affiliates/pixels/${created.network_pixel_id}`, { json: created });
    expect(put.status).toBe(200);
    expect(put.body).toEqual(created);
  });

  test("unknown fields are kept and returned", async () => {
    const res = await create(h, postback({ description: "kept", nested: { a: [1, { b: null }] } }));
    expect(res.body.description).toBe("kept");
    expect(res.body.nested).toEqual({ a: [1, { b: null }] });
    expect(h.store.get(res.body.network_pixel_id)?.nested).toEqual({ a: [1, { b: null }] });
  });

  test("a __proto__ key in a body is dropped, not used as a prototype", async () => {
    const res = await call(h, "POST", "/affiliates/pixels", {
      raw: JSON.stringify(postback()).replace(/^{/, '{"__proto__": {"polluted": true}, '),
    });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty("polluted");
    expect(h.store.get(res.body.network_pixel_id)).not.toHaveProperty("polluted");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("a body over 1 MiB is 413 with an error body", async () => {
    const res = await call(h, "POST", "/affiliates/pixels", {
      json: postback({ padding: "x".repeat(1024 * 1024 + 10) }),
    });
    expect(res.status).toBe(413);
    expect(typeof res.body.error).toBe("string");
    expect(h.store.all()).toEqual([]);
  });

  test("PUT of an unknown id is 404 (and creates nothing)", async () => {
    const res = await call(h, "PUT", "/affiliates/pixels/424242", { json: postback() });
    expect(res.status).toBe(404);
    expect(res.body.error).toContain("424242");
    expect(h.store.all()).toEqual([]);
  });
});

describe("list filters and paging", () => {
  let h: EmulatorHandle;
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    h = await start();
    ids.a = (await create(h, postback())).body.network_pixel_id; // global active conversion postback
    ids.b = (await create(h, postback({ pixel_status: "inactive" }))).body.network_pixel_id;
    ids.c = (await create(h, html({ network_offer_id: 12 }))).body.network_pixel_id; // specific offer 12
    ids.d = (await create(h, html({ network_offer_id: 13, pixel_type: "event" }))).body.network_pixel_id;
    ids.e = (await create(h, facebook({ pixel_type: "cpc" }))).body.network_pixel_id;
  });
  afterAll(() => h.stop());

  const list = async (query: string): Promise<number[]> => {
    const res = await call(h, "GET", `/affiliates/pixels${query}`);
    expect(res.status).toBe(200);
    return res.body.pixels.map((p: { network_pixel_id: number }) => p.network_pixel_id);
  };

  test("no query: plain {pixels} with every pixel of the affiliate, by id", async () => {
    const res = await call(h, "GET", "/affiliates/pixels");
    expect(Object.keys(res.body)).toEqual(["pixels"]);
    expect(res.body.pixels.map((p: { network_pixel_id: number }) => p.network_pixel_id)).toEqual([
      ids.a,
      ids.b,
      ids.c,
      ids.d,
      ids.e,
    ]);
  });

  test.each([
    ["?pixel_status=inactive", ["b"]],
    ["?pixel_type=event", ["d"]],
    ["?pixel_type=cpc", ["e"]],
    ["?delivery_method=html", ["c", "d"]],
    ["?network_offer_id=12", ["c"]],
    ["?network_offer_id=0", ["a", "b", "e"]],
    ["?pixel_level=global", ["a", "b", "e"]],
    ["?delivery_method=html&network_offer_id=13", ["d"]],
    ["?delivery_method=postback&pixel_status=active", ["a"]],
    ["?pixel_status=", ["a", "b", "c", "d", "e"]],
    ["?unrelated=1", ["a", "b", "c", "d", "e"]],
    // legacy syntax: filter=field%3Dvalue, possibly repeated
    ["?filter=pixel_status%3Dinactive", ["b"]],
    ["?filter=delivery_method%3Dhtml&filter=pixel_type%3Dconversion", ["c"]],
    ["?filter=network_offer_id%3D13", ["d"]],
    ["?filter=delivery_method=postback", ["a", "b"]],
    // several values of one field match any of them
    ["?filter=pixel_type%3Dcpc&filter=pixel_type%3Devent", ["d", "e"]],
    // both syntaxes together
    ["?delivery_method=postback&filter=pixel_status%3Dactive", ["a"]],
  ])("%s", async (query, expected) => {
    expect(await list(query)).toEqual(expected.map((k) => ids[k]));
  });

  test.each([
    ["?filter=colour%3Dred", "colour"],
    ["?filter=pixel_status", "filter"],
    ["?filter=%3Dactive", "filter"],
    ["?pixel_status=paused", "pixel_status"],
    ["?filter=pixel_type%3Dclick", "pixel_type"],
    ["?network_offer_id=abc", "network_offer_id"],
    ["?delivery_method=email", "delivery_method"],
    ["?page=0", "page"],
    ["?page=x", "page"],
    ["?page_size=-5", "page_size"],
  ])("400 for %s (names %s)", async (query, field) => {
    const res = await call(h, "GET", `/affiliates/pixels${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toContain(field);
  });

  test("paged when page or page_size is given: 1-based, total_count, default size 50, max 2000", async () => {
    const first = await call(h, "GET", "/affiliates/pixels?page=1&page_size=2");
    expect(first.body.paging).toEqual({ page: 1, page_size: 2, total_count: 5 });
    expect(first.body.pixels.map((p: { network_pixel_id: number }) => p.network_pixel_id)).toEqual([
      ids.a,
      ids.b,
    ]);
    const third = await call(h, "GET", "/affiliates/pixels?page=3&page_size=2");
    expect(third.body.pixels.map((p: { network_pixel_id: number }) => p.network_pixel_id)).toEqual([ids.e]);
    const beyond = await call(h, "GET", "/affiliates/pixels?page=9&page_size=2");
    expect(beyond.body).toEqual({ pixels: [], paging: { page: 9, page_size: 2, total_count: 5 } });
    const pageOnly = await call(h, "GET", "/affiliates/pixels?page=1");
    expect(pageOnly.body.paging).toEqual({ page: 1, page_size: 50, total_count: 5 });
    const sizeOnly = await call(h, "GET", "/affiliates/pixels?page_size=5000");
    expect(sizeOnly.body.paging).toEqual({ page: 1, page_size: 2000, total_count: 5 });
    const filtered = await call(h, "GET", "/affiliates/pixels?delivery_method=html&page_size=1&page=2");
    expect(filtered.body.paging.total_count).toBe(2);
    expect(filtered.body.pixels[0].network_pixel_id).toBe(ids.d);
  });

  describe("POST /v1/affiliates/pixelstable", () => {
    const table = async (query: string, json?: unknown, raw?: string): Promise<Res> =>
      call(h, "POST", `/affiliates/pixelstable${query}`, raw !== undefined ? { raw } : { json });
    const idsOf = (body: { pixels: Array<{ network_pixel_id: number }> }): number[] =>
      body.pixels.map((p) => p.network_pixel_id);

    test("no body: every pixel, always paged (default page 1, size 50)", async () => {
      const res = await table("");
      expect(res.status).toBe(200);
      expect(res.body.paging).toEqual({ page: 1, page_size: 50, total_count: 5 });
      expect(idsOf(res.body)).toHaveLength(5);
    });

    test("filters object (scalars and arrays) and paging from the query string", async () => {
      const res = await table("?page=1&page_size=1", { filters: { delivery_method: "html" } });
      expect(res.body.paging).toEqual({ page: 1, page_size: 1, total_count: 2 });
      expect(idsOf(res.body)).toEqual([ids.c]);
      const arrays = await table("", {
        filters: { pixel_type: ["cpc", "event"], network_offer_id: [0, 13] },
      });
      expect(idsOf(arrays.body)).toEqual([ids.d, ids.e]);
      const offer = await table("", { filters: { network_offer_id: "12" } });
      expect(idsOf(offer.body)).toEqual([ids.c]);
    });

    test("search_terms: each must match", async () => {
      const url = await table("", {
        search_terms: [{ search_type: "postback_url", value: "TRACKER.example/pb" }],
      });
      expect(idsOf(url.body)).toEqual([ids.a, ids.b]);
      const htmlTerm = await table("", { search_terms: [{ search_type: "html_code", value: "p.gif" }] });
      expect(idsOf(htmlTerm.body)).toEqual([ids.c, ids.d]);
      const byId = await table("", { search_terms: [{ search_type: "network_pixel_id", value: ids.d }] });
      expect(idsOf(byId.body)).toEqual([ids.d]);
      const byOffer = await table("", { search_terms: [{ search_type: "network_offer_id", value: "13" }] });
      expect(idsOf(byOffer.body)).toEqual([ids.d]);
      const any = await table("", { search_terms: [{ value: "tracker" }] });
      expect(idsOf(any.body)).toEqual([ids.a, ids.b, ids.c, ids.d]);
      const both = await table("", {
        filters: { pixel_status: "active" },
        search_terms: [
          { search_type: "any", value: "tracker" },
          { search_type: "postback_url", value: "pb" },
        ],
      });
      expect(idsOf(both.body)).toEqual([ids.a]);
    });

    test.each([
      ["bad JSON", undefined, "{", "not valid JSON"],
      ["array body", [1], undefined, "JSON object"],
      ["filters not an object", { filters: [] }, undefined, "filters"],
      ["unknown filter field", { filters: { colour: "red" } }, undefined, "colour"],
      ["bad enum filter", { filters: { pixel_status: "paused" } }, undefined, "pixel_status"],
      ["search_terms not an array", { search_terms: {} }, undefined, "search_terms"],
      [
        "unknown search_type",
        { search_terms: [{ search_type: "name", value: "x" }] },
        undefined,
        "search_type",
      ],
      ["search term without value", { search_terms: [{ search_type: "any" }] }, undefined, "value"],
    ])("400 for %s", async (_desc, json, raw, fragment) => {
      const res = await table("", json, raw);
      expect(res.status).toBe(400);
      expect(res.body.error).toContain(fragment);
    });

    test("400 for bad paging", async () => {
      const res = await table("?page_size=0", {});
      expect(res.status).toBe(400);
      expect(res.body.error).toContain("page_size");
    });
  });
});

describe("unknown routes and DELETE", () => {
  let h: EmulatorHandle;
  beforeAll(async () => {
    h = await start();
  });
  afterAll(() => h.stop());

  test.each([
    ["DELETE", "/affiliates/pixels/1000"],
    ["PATCH", "/affiliates/pixels/1000"],
    ["PUT", "/affiliates/pixels"],
    ["GET", "/affiliates/pixelstable"],
    ["GET", "/affiliates/offers"],
    ["GET", "/nothing"],
    ["POST", "/affiliates/pixels/1000"],
  ])("%s %s is 404 with an error body, logged as unknown", async (method, path) => {
    h.log.reset();
    const res = await call(h, method, path, method === "GET" ? {} : { json: {} });
    expect(res.status).toBe(404);
    expect(typeof res.body.error).toBe("string");
    expect(h.log.entries().map((e) => e.route)).toEqual(["unknown"]);
  });

  test("DELETE of an affiliate pixel explains the soft delete and leaves the pixel", async () => {
    const id = (await create(h, postback())).body.network_pixel_id;
    const res = await call(h, "DELETE", `/affiliates/pixels/${id}`);
    expect(res.status).toBe(404);
    expect(res.body.error).toContain("inactive");
    expect(h.store.get(id)).toBeDefined();
  });

  test("paths outside /v1 are unknown routes", async () => {
    const res = await fetch(h.url.replace(/\/v1$/, "/affiliates/pixels"), {
      headers: { "X-Eflow-API-Key": "test-api-key" },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toHaveProperty("error");
  });

  test("a trailing slash is ignored", async () => {
    expect((await call(h, "GET", "/affiliates/pixels/")).status).toBe(200);
  });
});

describe("switches", () => {
  test("creation disabled: POST create is 403 (from the start and toggled at runtime); PUT still works", async () => {
    const h = await start({ creationDisabled: true });
    try {
      const denied = await create(h, postback());
      expect(denied.status).toBe(403);
      expect(denied.body.error).toMatch(/disabled/);
      expect(h.store.all()).toEqual([]);
      h.settings.setCreationDisabled(false);
      const created = await create(h, postback());
      expect(created.status).toBe(200);
      h.settings.setCreationDisabled(true);
      expect((await create(h, postback())).status).toBe(403);
      const put = await call(h, "PUT", `/affiliates/pixels/${created.body.network_pixel_id}`, {
        json: postback({ pixel_status: "inactive" }),
      });
      expect(put.status).toBe(200);
    } finally {
      await h.stop();
    }
  });

  test("creation disabled is checked before validation", async () => {
    const h = await start({ creationDisabled: true });
    try {
      expect((await call(h, "POST", "/affiliates/pixels", { raw: "{bad" })).status).toBe(403);
    } finally {
      await h.stop();
    }
  });

  test("access_token masking: off by default, on at start or at runtime; the store keeps the token", async () => {
    const h = await start();
    try {
      const token = "EAAB-secret-token-9876";
      const created = await create(h, facebook());
      const id = created.body.network_pixel_id;
      expect(created.body.facebook_pixel.access_token).toBe(token);
      h.settings.setMaskAccessToken(true);
      const masked = "****9876";
      expect((await call(h, "GET", `/affiliates/pixels/${id}`)).body.facebook_pixel).toEqual({
        pixel_id: "123456789",
        event_name: "Purchase",
        access_token: masked,
      });
      expect((await call(h, "GET", "/affiliates/pixels")).body.pixels[0].facebook_pixel.access_token).toBe(
        masked,
      );
      expect(
        (await call(h, "POST", "/affiliates/pixelstable")).body.pixels[0].facebook_pixel.access_token,
      ).toBe(masked);
      expect((await create(h, facebook())).body.facebook_pixel.access_token).toBe(masked);
      expect(h.store.get(id)?.facebook_pixel?.access_token).toBe(token);
      // A short token is masked completely.
      const short = await create(
        h,
        facebook({ facebook_pixel: { pixel_id: "1", event_name: "Lead", access_token: "abc" } }),
      );
      expect(short.body.facebook_pixel.access_token).toBe("****");
      // Non-facebook pixels are unaffected.
      expect((await create(h, postback())).body.facebook_pixel).toBeNull();
      h.settings.setMaskAccessToken(false);
      expect((await call(h, "GET", `/affiliates/pixels/${id}`)).body.facebook_pixel.access_token).toBe(token);
    } finally {
      await h.stop();
    }
  });

  test("maskAccessToken option at start", async () => {
    const h = await start({ maskAccessToken: true });
    try {
      expect((await create(h, facebook())).body.facebook_pixel.access_token).toBe("****9876");
    } finally {
      await h.stop();
    }
  });
});
