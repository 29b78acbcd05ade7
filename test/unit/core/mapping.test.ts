import type { Pixel } from "../../../provider/client";
import {
  canonical,
  changedFields,
  declaredBody,
  toDeclaredShape,
  toOutputs,
} from "../../../provider/core/mapping";

const livePixel = (over: Partial<Pixel> = {}): Pixel =>
  ({
    network_pixel_id: 12,
    network_id: 1,
    network_affiliate_id: 7,
    delivery_method: "facebook",
    pixel_level: "specific",
    pixel_status: "active",
    pixel_type: "event",
    postback_url: "",
    html_code: "",
    network_offer_id: 44,
    delay_ms: 0,
    network_offer_payout_revenue_id: 0,
    facebook_pixel: { pixel_id: "99", event_name: "Lead", access_token: "****abcd" },
    time_created: 1700000000,
    time_saved: 1700000100,
    ...over,
  }) as Pixel;

describe("mapping", () => {
  it("clears what does not apply to the delivery method and level, as the API does", () => {
    expect(
      declaredBody({
        deliveryMethod: "html",
        pixelLevel: "global",
        pixelStatus: "active",
        pixelType: "conversion",
        htmlCode: "<img>",
        delayMs: 0,
        networkOfferPayoutRevenueId: 0,
        account: "default",
      }),
    ).toEqual({
      delivery_method: "html",
      pixel_level: "global",
      pixel_status: "active",
      pixel_type: "conversion",
      postback_url: "",
      html_code: "<img>",
      network_offer_id: 0,
      delay_ms: 0,
      network_offer_payout_revenue_id: 0,
      facebook_pixel: null,
    });
  });

  it("reads `event` as post_conversion and keeps a token the API masks", () => {
    const shape = toDeclaredShape(livePixel(), "default", "real-token-abcd");
    expect(shape).toEqual({
      deliveryMethod: "facebook",
      pixelLevel: "specific",
      pixelStatus: "active",
      pixelType: "post_conversion",
      networkOfferId: 44,
      delayMs: 0,
      networkOfferPayoutRevenueId: 0,
      facebookPixel: { pixelId: "99", eventName: "Lead", accessToken: "real-token-abcd" },
      account: "default",
    });
    expect(toOutputs(livePixel(), "default", "t")).toMatchObject({
      pixelId: 12,
      timeCreated: 1700000000,
      timeSaved: 1700000100,
    });
  });

  it("finds exactly the fields that differ, ignoring fields that do not apply", () => {
    const declared = {
      deliveryMethod: "postback",
      pixelLevel: "global",
      pixelType: "conversion",
      postbackUrl: "https://a",
    };
    expect(
      changedFields(declared, {
        ...declared,
        htmlCode: "",
        networkOfferId: 0,
        pixelStatus: "active",
        delayMs: 0,
      }),
    ).toEqual([]);
    expect(changedFields(declared, { ...declared, postbackUrl: "https://b", delayMs: 5 })).toEqual([
      "postbackUrl",
      "delayMs",
    ]);
    expect(canonical({ deliveryMethod: "html", postbackUrl: "https://x" }).postbackUrl).toBe("");
  });
});
