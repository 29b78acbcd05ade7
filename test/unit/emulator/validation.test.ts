// Every validation rule of the API reference, for create (POST) and full-replacement update (PUT):
// each a 400 with {"error": "..."} naming the field. Then the valid edge cases and the clearing of
// fields that do not apply to the delivery method or level.

import type { EmulatorHandle } from "../../../emulator";
import { call, create, facebook, html, postback, start } from "./helpers";

let h: EmulatorHandle;
let existingId: number;

beforeAll(async () => {
  h = await start();
  existingId = (await create(h, postback())).body.network_pixel_id;
});
afterAll(() => h.stop());

const without = (body: Record<string, unknown>, field: string): Record<string, unknown> => {
  const copy = { ...body };
  delete copy[field];
  return copy;
};
const fb = (fields: Record<string, unknown>): Record<string, unknown> => facebook({ facebook_pixel: fields });
const fbFull = { pixel_id: "1", event_name: "Lead", access_token: "tok" };

// [description, body (or raw text), expected message fragment]
const invalid: Array<[string, Record<string, unknown> | unknown[] | string, string | RegExp]> = [
  ["JSON that does not parse", "{not json", /not valid JSON/],
  ["a truncated JSON body", '{"delivery_method": "postb', /not valid JSON/],
  ["an empty body", "", /request body is required/],
  ["a JSON array", [postback()], /must be a JSON object/],
  ["JSON null", "null", /must be a JSON object/],
  ["delivery_method missing", without(postback(), "delivery_method"), "delivery_method is required"],
  ["delivery_method unknown", postback({ delivery_method: "email" }), "delivery_method must be one of"],
  [
    "delivery_method tiktok (not for affiliates)",
    postback({ delivery_method: "tiktok" }),
    "delivery_method must be one of",
  ],
  ["delivery_method wrong case", postback({ delivery_method: "Postback" }), "delivery_method must be one of"],
  ["pixel_level missing", without(postback(), "pixel_level"), "pixel_level is required"],
  ["pixel_level unknown", postback({ pixel_level: "global_offer" }), "pixel_level must be one of"],
  ["pixel_status missing", without(postback(), "pixel_status"), "pixel_status is required"],
  ["pixel_status unknown", postback({ pixel_status: "paused" }), "pixel_status must be one of"],
  ["pixel_status not a string", postback({ pixel_status: true }), "pixel_status must be one of"],
  ["pixel_type missing", without(postback(), "pixel_type"), "pixel_type is required"],
  ["pixel_type unknown", postback({ pixel_type: "click" }), "pixel_type must be one of"],
  [
    "postback_url missing for postback",
    without(postback(), "postback_url"),
    "postback_url is required when delivery_method is postback",
  ],
  [
    "postback_url empty",
    postback({ postback_url: "" }),
    "postback_url is required when delivery_method is postback",
  ],
  [
    "postback_url null",
    postback({ postback_url: null }),
    "postback_url is required when delivery_method is postback",
  ],
  ["postback_url not a string", postback({ postback_url: 42 }), "postback_url must be a string"],
  [
    "postback_url ftp://",
    postback({ postback_url: "ftp://x.example/" }),
    "postback_url must start with http:// or https://",
  ],
  [
    "postback_url without scheme",
    postback({ postback_url: "tracker.example/pb" }),
    "postback_url must start with",
  ],
  [
    "html_code missing for html",
    without(html(), "html_code"),
    "html_code is required when delivery_method is html",
  ],
  ["html_code blank", html({ html_code: "   " }), "html_code is required when delivery_method is html"],
  ["html_code not a string", html({ html_code: 5 }), "html_code must be a string"],
  [
    "network_offer_id missing when specific",
    without(html(), "network_offer_id"),
    "network_offer_id is required (an integer > 0) when pixel_level is specific",
  ],
  ["network_offer_id 0 when specific", html({ network_offer_id: 0 }), "network_offer_id is required"],
  ["network_offer_id negative", html({ network_offer_id: -3 }), "network_offer_id must be an integer > 0"],
  ["network_offer_id fractional", html({ network_offer_id: 1.5 }), "network_offer_id must be an integer > 0"],
  ["network_offer_id a string", html({ network_offer_id: "12" }), "network_offer_id must be an integer > 0"],
  [
    "delay_ms over 300000",
    postback({ delay_ms: 300001 }),
    "delay_ms must be an integer between 0 and 300000",
  ],
  ["delay_ms negative", postback({ delay_ms: -1 }), "delay_ms must be an integer between 0 and 300000"],
  ["delay_ms fractional", postback({ delay_ms: 1.5 }), "delay_ms must be an integer"],
  ["delay_ms a string", postback({ delay_ms: "100" }), "delay_ms must be an integer"],
  [
    "facebook_pixel missing for facebook",
    without(facebook(), "facebook_pixel"),
    "facebook_pixel is required when delivery_method is facebook",
  ],
  [
    "facebook_pixel null",
    facebook({ facebook_pixel: null }),
    "facebook_pixel is required when delivery_method is facebook",
  ],
  ["facebook_pixel a string", facebook({ facebook_pixel: "123" }), "facebook_pixel must be an object"],
  ["facebook_pixel an array", facebook({ facebook_pixel: [] }), "facebook_pixel must be an object"],
  ["facebook_pixel.pixel_id missing", fb(without(fbFull, "pixel_id")), "facebook_pixel.pixel_id is required"],
  [
    "facebook_pixel.pixel_id a number",
    fb({ ...fbFull, pixel_id: 123 }),
    "facebook_pixel.pixel_id is required",
  ],
  [
    "facebook_pixel.event_name empty",
    fb({ ...fbFull, event_name: "" }),
    "facebook_pixel.event_name is required",
  ],
  [
    "facebook_pixel.access_token missing",
    fb(without(fbFull, "access_token")),
    "facebook_pixel.access_token is required",
  ],
  [
    "network_offer_payout_revenue_id negative",
    postback({ network_offer_payout_revenue_id: -1 }),
    "network_offer_payout_revenue_id must be an integer >= 0",
  ],
  [
    "network_offer_payout_revenue_id fractional",
    postback({ network_offer_payout_revenue_id: 2.5 }),
    "network_offer_payout_revenue_id must be an integer >= 0",
  ],
];

describe.each([
  ["POST create", "POST", (): string => "/affiliates/pixels"],
  ["PUT update", "PUT", (): string => `/affiliates/pixels/${existingId}`],
])("%s validation", (_name, method, path) => {
  test.each(invalid)("400 for %s", async (_desc, body, message) => {
    const before = h.store.all();
    const res =
      typeof body === "string"
        ? await call(h, method, path(), { raw: body })
        : await call(h, method, path(), { json: body });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body)).toEqual(["error"]);
    if (typeof message === "string") expect(res.body.error).toContain(message);
    else expect(res.body.error).toMatch(message);
    // A rejected write changes nothing.
    expect(h.store.all()).toEqual(before);
  });
});

test("several invalid fields are all named in one message", async () => {
  const res = await create(h, { delivery_method: "postback", pixel_level: "specific", delay_ms: 999999 });
  expect(res.status).toBe(400);
  for (const field of ["pixel_status", "pixel_type", "postback_url", "network_offer_id", "delay_ms"]) {
    expect(res.body.error).toContain(field);
  }
});

describe("valid edge cases", () => {
  test.each([
    ["delay_ms 0", postback({ delay_ms: 0 })],
    ["delay_ms 300000", postback({ delay_ms: 300000 })],
    ["http:// URL", postback({ postback_url: "http://tracker.example/pb" })],
    [
      "URL with macros",
      postback({ postback_url: "https://t.example/?a={sub1}&r={revenue}&x={unknown_macro}" }),
    ],
    ["pixel_type post_conversion", postback({ pixel_type: "post_conversion" })],
    ["pixel_type event", postback({ pixel_type: "event" })],
    ["pixel_type cpc", postback({ pixel_type: "cpc" })],
    ["pixel_status inactive", postback({ pixel_status: "inactive" })],
    ["network_offer_payout_revenue_id 0", postback({ network_offer_payout_revenue_id: 0 })],
    ["network_offer_payout_revenue_id 44", postback({ network_offer_payout_revenue_id: 44 })],
    [
      "optional fields null",
      postback({ delay_ms: null, network_offer_payout_revenue_id: null, html_code: null }),
    ],
    ["html specific", html()],
    ["facebook global", facebook()],
  ])("200 for %s, values returned as sent", async (_desc, body) => {
    const res = await create(h, body);
    expect(res.status).toBe(200);
    for (const [field, value] of Object.entries(body)) {
      if (value === null) continue;
      expect(res.body[field]).toEqual(value);
    }
  });

  test("pixel_type event is stored and returned as event (not rewritten)", async () => {
    const res = await create(h, postback({ pixel_type: "event" }));
    expect(h.store.get(res.body.network_pixel_id)?.pixel_type).toBe("event");
    expect((await call(h, "GET", `/affiliates/pixels/${res.body.network_pixel_id}`)).body.pixel_type).toBe(
      "event",
    );
  });

  test("optional fields default to zero values", async () => {
    const res = await create(h, postback());
    expect(res.body).toMatchObject({
      delay_ms: 0,
      network_offer_payout_revenue_id: 0,
      html_code: "",
      network_offer_id: 0,
    });
    expect(res.body.facebook_pixel).toBeNull();
  });
});

describe("fields that do not apply to the mode are cleared", () => {
  test("postback: html_code and facebook_pixel cleared; network_offer_id 0 for global", async () => {
    const res = await create(
      h,
      postback({ html_code: "<img>", facebook_pixel: fbFull, network_offer_id: 77, delay_ms: 500 }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      html_code: "",
      facebook_pixel: null,
      network_offer_id: 0,
      delay_ms: 500,
    });
    expect(res.body.relationship.offer).toBeUndefined();
  });

  test("html: postback_url and facebook_pixel cleared", async () => {
    const res = await create(h, html({ postback_url: "https://x.example", facebook_pixel: fbFull }));
    expect(res.body).toMatchObject({ postback_url: "", facebook_pixel: null, network_offer_id: 12 });
    expect(res.body.relationship.offer).toEqual({ network_offer_id: 12, name: "Offer 12" });
  });

  test("facebook: postback_url and html_code cleared, facebook_pixel kept", async () => {
    const res = await create(h, facebook({ postback_url: "https://x.example", html_code: "<img>" }));
    expect(res.body).toMatchObject({ postback_url: "", html_code: "" });
    expect(res.body.facebook_pixel).toEqual(facebook().facebook_pixel);
  });

  test("non-applicable fields are not validated (they are dropped)", async () => {
    const res = await create(
      h,
      html({ postback_url: "ftp://not-checked", pixel_level: "global", network_offer_id: -1 }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ postback_url: "", network_offer_id: 0 });
  });
});
