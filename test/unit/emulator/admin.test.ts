// The out-of-band admin routes under /_emulator, through real HTTP requests: what someone does in the
// Everflow UI, seen by the API, and never counted, rate limited or faulted as Everflow traffic.

import type { EmulatorHandle } from "../../../emulator";
import { call, create, facebook, html, postback, start, type Res } from "./helpers";

async function admin(h: EmulatorHandle, method: string, path: string, body?: unknown): Promise<Res> {
  const res = await fetch(`${h.adminUrl}${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

describe("emulator admin routes (/_emulator)", () => {
  let h: EmulatorHandle;
  let clock = 1_700_000_000_000;
  afterEach(async () => h?.stop());

  test("adminUrl sits beside the API's /v1", async () => {
    h = await start();
    expect(h.adminUrl).toBe(h.url.replace(/\/v1$/, "/_emulator"));
  });

  test("PATCH is an edit made in the UI: a shallow merge the API then answers, time_saved bumped", async () => {
    h = await start({ now: () => clock });
    const created = await create(h, postback({ delay_ms: 0 }));
    const id = created.body.network_pixel_id;
    clock += 60_000;
    const edited = await admin(h, "PATCH", `/pixels/${id}`, { delay_ms: 5000, pixel_status: "inactive" });
    expect(edited.status).toBe(200);
    expect(edited.body).toEqual({
      ...created.body,
      delay_ms: 5000,
      pixel_status: "inactive",
      time_saved: created.body.time_saved + 60,
    });
    expect(h.store.get(id)).toEqual(edited.body);
    const read = await call(h, "GET", `/affiliates/pixels/${id}`);
    expect(read.body).toEqual(edited.body);
  });

  test("a PATCH needs no key, takes no rate-limit token, bypasses faults and is not in the log", async () => {
    h = await start({ rateLimit: { rate: 0.001, burst: 2 } });
    const id = (await create(h, postback())).body.network_pixel_id;
    h.faults.failNext("*", 1, 500);
    h.faults.latency("*", 5_000);
    h.log.reset();
    for (let i = 0; i < 5; i++) {
      const res = await admin(h, "PATCH", `/pixels/${id}`, { delay_ms: i });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-remaining")).toBeNull();
    }
    expect((await admin(h, "GET", "/pixels")).status).toBe(200);
    expect(h.log.entries()).toEqual([]);
    expect(h.log.count("*")).toBe(0);
    h.faults.latency("*", 0);
    // The one token left and the scripted fault are still there for the client's next call.
    const next = await call(h, "GET", `/affiliates/pixels/${id}`);
    expect(next.status).toBe(500);
    expect(next.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(h.log.count("*")).toBe(1);
  });

  test("fields are type-checked, read-only and unknown ones refused, all named at once; nothing changes", async () => {
    h = await start({ now: () => clock });
    const id = (await create(h, postback())).body.network_pixel_id;
    const before = h.store.get(id);
    clock += 60_000;
    const bad = await admin(h, "PATCH", `/pixels/${id}`, {
      delay_ms: "5000",
      postback_url: null,
      facebook_pixel: "x",
      network_offer_id: 1.5,
      network_pixel_id: 5,
      time_saved: 1,
      delay_msx: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain("delay_ms must be an integer");
    expect(bad.body.error).toContain("postback_url must be a string");
    expect(bad.body.error).toContain("facebook_pixel must be an object or null");
    expect(bad.body.error).toContain("network_offer_id must be an integer");
    expect(bad.body.error).toContain("read-only, not editable: network_pixel_id, time_saved");
    expect(bad.body.error).toContain("unknown field(s): delay_msx");
    expect(h.store.get(id)).toEqual(before);
    for (const raw of ["not json", "[1]", "", "null"]) {
      const res = await admin(h, "PATCH", `/pixels/${id}`, raw);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/JSON/);
    }
    expect(h.store.get(id)).toEqual(before);
  });

  test("an edit may leave a pixel the API would refuse: only types are checked", async () => {
    h = await start();
    const id = (await create(h, postback())).body.network_pixel_id;
    const res = await admin(h, "PATCH", `/pixels/${id}`, { delivery_method: "sms", postback_url: "" });
    expect(res.status).toBe(200);
    expect((await call(h, "GET", `/affiliates/pixels/${id}`)).body).toMatchObject({
      delivery_method: "sms",
      postback_url: "",
    });
    const fb = await admin(h, "PATCH", `/pixels/${id}`, { facebook_pixel: facebook().facebook_pixel });
    expect(fb.body.facebook_pixel).toEqual(facebook().facebook_pixel);
    expect(
      (await admin(h, "PATCH", `/pixels/${id}`, { facebook_pixel: null })).body.facebook_pixel,
    ).toBeNull();
  });

  test("unknown ids and routes are 404 with an error body", async () => {
    h = await start();
    for (const [method, path] of [
      ["PATCH", "/pixels/999999"],
      ["PATCH", "/pixels/abc"],
      ["GET", "/pixels/0"],
      ["DELETE", "/pixels/999999"],
      ["POST", "/pixels"],
      ["PUT", "/pixels/1000"],
      ["GET", ""],
      ["GET", "/accounts"],
    ] as const) {
      const res = await admin(h, method, path, method === "PATCH" ? { delay_ms: 1 } : undefined);
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(typeof res.body.error).toBe("string");
    }
  });

  test("GET /pixels shows every affiliate's pixels as stored, whatever the API's returned forms", async () => {
    h = await start({
      accounts: [
        { apiKey: "k7", networkId: 1, affiliateId: 7 },
        { apiKey: "k8", networkId: 2, affiliateId: 8 },
      ],
      quirks: { escape: "all" },
      maskAccessToken: true,
    });
    const a = await create(h, postback({ postback_url: "https://t.example/?a=1&b=2" }), "k7");
    const b = await create(h, facebook(), "k8");
    const c = await create(h, html(), "k8");
    expect(a.body.postback_url).toBe("https://t.example/?a=1&amp;b=2");
    const all = await admin(h, "GET", "/pixels/");
    expect(all.status).toBe(200);
    expect(all.body).toEqual({ pixels: h.store.all() });
    expect(all.body.pixels.map((p: { network_affiliate_id: number }) => p.network_affiliate_id)).toEqual([
      7, 8, 8,
    ]);
    expect(all.body.pixels[0].postback_url).toBe("https://t.example/?a=1&b=2");
    expect(all.body.pixels[1].facebook_pixel.access_token).toBe("EAAB-secret-token-9876");
    const one = await admin(h, "GET", `/pixels/${c.body.network_pixel_id}`);
    expect(one.body).toEqual(h.store.get(c.body.network_pixel_id));
    expect(b.status).toBe(200);
  });

  test("DELETE removes the pixel (deleted in the UI): the API answers 404 afterwards", async () => {
    h = await start();
    const created = await create(h, postback());
    const id = created.body.network_pixel_id;
    const removed = await admin(h, "DELETE", `/pixels/${id}`);
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual(created.body);
    expect(h.store.get(id)).toBeUndefined();
    expect((await call(h, "GET", `/affiliates/pixels/${id}`)).status).toBe(404);
    expect((await admin(h, "DELETE", `/pixels/${id}`)).status).toBe(404);
  });

  test("a body over 1 MiB is refused with 413", async () => {
    h = await start();
    const id = (await create(h, postback())).body.network_pixel_id;
    const res = await admin(h, "PATCH", `/pixels/${id}`, { html_code: "x".repeat(1024 * 1024 + 1) });
    expect(res.status).toBe(413);
    expect(h.store.get(id)?.html_code).toBe("");
  });
});
