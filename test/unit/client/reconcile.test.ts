import {
  comparable,
  createdCandidates,
  matchesIntended,
  PixelSchema,
  reconcileCreate,
  type Pixel,
} from "../../../provider/client";
import { facebookBody, postbackBody, wirePixel } from "./helpers";

const NOW_MS = 1_800_000_000_000;
const NOW_S = NOW_MS / 1000;
const pixel = (id: number, fields: Record<string, unknown> = {}): Pixel =>
  PixelSchema.parse(wirePixel(id, { time_created: NOW_S, ...fields }));

describe("matching the intended body", () => {
  const intended = postbackBody({ postback_url: "https://t.example/{transaction_id}", delay_ms: 500 });
  const same = { postback_url: "https://t.example/{transaction_id}", delay_ms: 500 };

  test("equal modelled fields match; unknown fields are ignored", () => {
    expect(matchesIntended(pixel(1, { ...same, extra: 1 }), intended)).toBe(true);
    expect(matchesIntended(pixel(1, { ...same, delay_ms: 0 }), intended)).toBe(false);
    expect(matchesIntended(pixel(1, { ...same, pixel_type: "cpc" }), intended)).toBe(false);
    expect(matchesIntended(pixel(1, { ...same, pixel_status: "inactive" }), intended)).toBe(false);
  });

  test("fields the mode does not use are cleared on both sides, as the API does", () => {
    const sloppy = postbackBody({ ...same, html_code: "<img>", network_offer_id: 55 });
    expect(comparable(sloppy)).toMatchObject({ html_code: "", network_offer_id: 0, facebook_pixel: null });
    expect(matchesIntended(pixel(1, same), sloppy)).toBe(true);
  });

  test("`event` and post_conversion are the same type", () => {
    const ev = postbackBody({ ...same, pixel_type: "event" });
    expect(matchesIntended(pixel(1, { ...same, pixel_type: "post_conversion" }), ev)).toBe(true);
  });

  test("facebook: a masked or empty token read back matches; a different real token does not", () => {
    const fb = facebookBody("EAAB-real-token");
    const read = (token: string) =>
      pixel(2, {
        delivery_method: "facebook",
        pixel_level: "specific",
        network_offer_id: 12,
        postback_url: "",
        facebook_pixel: { pixel_id: "998877", event_name: "Purchase", access_token: token },
      });
    expect(matchesIntended(read("EAAB-real-token"), fb)).toBe(true);
    expect(matchesIntended(read("****oken"), fb)).toBe(true);
    expect(matchesIntended(read(""), fb)).toBe(true);
    expect(matchesIntended(read("EAAB-other-token"), fb)).toBe(false);
  });
});

describe("candidates and outcomes", () => {
  const intended = postbackBody({ postback_url: "https://t.example/a" });
  const match = { postback_url: "https://t.example/a" };
  const window = { startedAtMs: NOW_MS, clockSkewSec: 5 };

  test("only pixels created since the start (minus the skew), matching and not excluded", () => {
    const pixels = [
      pixel(1, { ...match, time_created: NOW_S - 60 }), // too old: an older identical postback
      pixel(2, { ...match, time_created: NOW_S - 4 }), // within the skew
      pixel(3, { postback_url: "https://t.example/b" }), // different
      pixel(4, match),
      pixel(5, match), // excluded: claimed by another create
    ];
    const ids = createdCandidates(pixels, intended, { ...window, exclude: new Set([5]) }).map(
      (p) => p.network_pixel_id,
    );
    expect(ids).toEqual([2, 4]);
  });

  test("reconcileCreate: adopted / none / ambiguous", async () => {
    const one = await reconcileCreate({ list: async () => [pixel(8, match)], intended, window });
    expect(one).toEqual({ outcome: "adopted", pixel: expect.objectContaining({ network_pixel_id: 8 }) });
    const none = await reconcileCreate({ list: async () => [pixel(9)], intended, window });
    expect(none).toEqual({ outcome: "none" });
    const two = await reconcileCreate({
      list: async () => [pixel(8, match), pixel(9, match)],
      intended,
      window,
    });
    expect(two.outcome).toBe("ambiguous");
    if (two.outcome === "ambiguous") expect(two.candidates.map((p) => p.network_pixel_id)).toEqual([8, 9]);
  });
});
