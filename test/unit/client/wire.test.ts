import {
  PixelBodySchema,
  PixelListSchema,
  PixelSchema,
  readApiMessage,
  toPixelBody,
  canonicalPixelType,
  type Pixel,
} from "../../../provider/client";
import { parseWire } from "../../../provider/client/wire";
import { wirePixel } from "./helpers";

describe("PixelSchema", () => {
  test("reads a full pixel and keeps fields it does not model", () => {
    const pixel = PixelSchema.parse(
      wirePixel(1001, {
        tiktok_pixel: {},
        relationship: { affiliate: { name: "A" } },
        custom_note: "keep me",
      }),
    );
    expect(pixel.network_pixel_id).toBe(1001);
    expect(pixel.postback_url).toBe("https://tracker.example/1001");
    expect(pixel.relationship).toEqual({ affiliate: { name: "A" } });
    expect(pixel.custom_note).toBe("keep me");
    expect(pixel.tiktok_pixel).toEqual({});
  });

  test("normalises the older id name network_affiliate_pixel_id", () => {
    const raw = wirePixel(0);
    delete raw.network_pixel_id;
    const pixel = PixelSchema.parse({ ...raw, network_affiliate_pixel_id: 4242 });
    expect(pixel.network_pixel_id).toBe(4242);
  });

  test("accepts the `event` alias of post_conversion", () => {
    const pixel = PixelSchema.parse(wirePixel(5, { pixel_type: "event" }));
    expect(pixel.pixel_type).toBe("event");
    expect(canonicalPixelType(pixel.pixel_type)).toBe("post_conversion");
  });

  test("zero-values unused fields that come back null or missing", () => {
    const pixel = PixelSchema.parse({
      network_pixel_id: 9,
      delivery_method: "html",
      pixel_level: "global",
      pixel_status: "active",
      pixel_type: "conversion",
      html_code: "<img src=x>",
      postback_url: null,
    });
    expect(pixel).toMatchObject({
      postback_url: "",
      network_offer_id: 0,
      delay_ms: 0,
      facebook_pixel: null,
      time_created: 0,
    });
  });

  test.each([
    ["as stored", "EAAB-token"],
    ["masked", "****oken"],
    ["empty", ""],
    ["missing", undefined],
  ])("tolerates an access_token read back %s", (_label, token) => {
    const fb: Record<string, unknown> = { pixel_id: "1", event_name: "Purchase" };
    if (token !== undefined) fb.access_token = token;
    const pixel = PixelSchema.parse(wirePixel(3, { delivery_method: "facebook", facebook_pixel: fb }));
    expect(pixel.facebook_pixel?.access_token).toBe(token ?? "");
  });

  test("names the offending field, never its value", () => {
    const r = parseWire(PixelSchema, wirePixel(3, { delivery_method: "sms", delay_ms: "soon" }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toContain("delivery_method");
    expect(r.message).toContain("delay_ms");
    expect(r.message).not.toContain("soon");
  });

  test("a pixel without an id is refused", () => {
    const raw = wirePixel(1);
    delete raw.network_pixel_id;
    const r = parseWire(PixelSchema, raw);
    expect(r.ok ? "" : r.message).toContain("network_pixel_id");
  });
});

describe("PixelListSchema", () => {
  test("plain list", () => {
    const list = PixelListSchema.parse({ pixels: [wirePixel(1), wirePixel(2)] });
    expect(list.pixels.map((p) => p.network_pixel_id)).toEqual([1, 2]);
    expect(list.paging).toBeUndefined();
  });

  test("paged list", () => {
    const list = PixelListSchema.parse({
      pixels: [wirePixel(1)],
      paging: { page: 1, page_size: 1, total_count: 3 },
    });
    expect(list.paging).toEqual({ page: 1, page_size: 1, total_count: 3 });
  });

  test("null list is empty", () => {
    expect(PixelListSchema.parse({ pixels: null }).pixels).toEqual([]);
  });

  test("errors point into the list", () => {
    const r = parseWire(PixelListSchema, {
      pixels: [wirePixel(1), wirePixel(2, { pixel_status: "paused" })],
    });
    expect(r.ok ? "" : r.message).toMatch(/^pixels\[1\]\.pixel_status: /);
  });

  test("a body without `pixels` is refused", () => {
    const r = parseWire(PixelListSchema, { data: [] });
    expect(r.ok ? "" : r.message).toContain("pixels");
  });
});

describe("PixelBodySchema and toPixelBody", () => {
  test("keeps unknown keys and checks types", () => {
    const body = PixelBodySchema.parse({
      delivery_method: "postback",
      pixel_level: "global",
      pixel_status: "active",
      pixel_type: "event",
      postback_url: "https://x",
      future_field: { a: 1 },
    });
    expect(body.future_field).toEqual({ a: 1 });
    const bad = parseWire(PixelBodySchema, { ...body, network_offer_id: "12" });
    expect(bad.ok ? "" : bad.message).toContain("network_offer_id");
  });

  test("toPixelBody drops the server-owned fields and keeps everything else", () => {
    const pixel: Pixel = PixelSchema.parse(
      wirePixel(77, { custom_note: "x", relationship: { r: 1 }, tiktok_pixel: {}, rumble_pixel: null }),
    );
    const body = toPixelBody(pixel);
    for (const k of [
      "network_pixel_id",
      "network_id",
      "network_affiliate_id",
      "time_created",
      "time_saved",
      "relationship",
      "tiktok_pixel",
      "rumble_pixel",
    ]) {
      expect(body).not.toHaveProperty(k);
    }
    expect(body.custom_note).toBe("x");
    expect(body.postback_url).toBe("https://tracker.example/77");
  });
});

describe("readApiMessage", () => {
  test.each([
    ['{"error":"Invalid parameters."}', "Invalid parameters."],
    ['{"Error":"No Authentication Method Found"}', "No Authentication Method Found"],
    ["<html><body>502 Bad Gateway</body></html>", "<html><body>502 Bad Gateway</body></html>"],
    ['{"error":{"field":"delay_ms"}}', '{"field":"delay_ms"}'],
    ['{"message":"other shape"}', '{"message":"other shape"}'],
  ])("%s", (body, expected) => {
    expect(readApiMessage(body, [])).toBe(expected);
  });

  test("empty body gives undefined; long bodies are truncated; secrets are redacted", () => {
    expect(readApiMessage("  ", [])).toBeUndefined();
    expect(readApiMessage("x".repeat(5000), [])?.length).toBeLessThanOrEqual(500);
    expect(readApiMessage('{"error":"bad key abcd-1234-key"}', ["abcd-1234-key"])).toBe("bad key [REDACTED]");
  });
});
