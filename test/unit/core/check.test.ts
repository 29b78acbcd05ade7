import { checkPostback, UNKNOWN } from "../../../provider/core/check";
import { BAD_INPUTS } from "../../support/bad-inputs";

describe("check", () => {
  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))("rejects %s with the property path", (_name, c) => {
    const result = checkPostback(c.args);
    expect(result.ok).toBe(false);
    if (result.ok !== false) return;
    const failure = result.failures.find((f) => f.property === c.property);
    expect(failure).toBeDefined();
    expect(failure!.reason).toContain(c.property);
    expect(failure!.reason).toContain(c.reason);
  });

  it("never echoes a mistyped access token", () => {
    const result = checkPostback({
      deliveryMethod: "facebook",
      pixelLevel: "global",
      pixelType: "conversion",
      facebookPixel: { pixelId: "1", eventName: "Lead", accessToken: 1234567890123 },
    });
    expect(result).toEqual({
      ok: false,
      failures: [
        { property: "facebookPixel.accessToken", reason: "facebookPixel.accessToken must be a string" },
      ],
    });
  });

  it("reports every violation at once", () => {
    const result = checkPostback({
      deliveryMethod: "postback",
      pixelLevel: "specific",
      pixelType: "x",
      delayMs: -5,
    });
    expect(result.ok).toBe(false);
    if (result.ok !== false) return;
    expect(result.failures.map((f) => f.property).sort()).toEqual([
      "delayMs",
      "networkOfferId",
      "pixelType",
      "postbackUrl",
    ]);
  });

  it("fills defaults", () => {
    const result = checkPostback({
      deliveryMethod: "postback",
      pixelLevel: "global",
      pixelType: "conversion",
      postbackUrl: " https://a.example.com/x?t={transaction_id} ",
    });
    expect(result).toEqual({
      ok: true,
      inputs: {
        deliveryMethod: "postback",
        pixelLevel: "global",
        pixelType: "conversion",
        postbackUrl: "https://a.example.com/x?t={transaction_id}",
        pixelStatus: "active",
        delayMs: 0,
        networkOfferPayoutRevenueId: 0,
        account: "default",
      },
    });
  });

  it("leaves values unknown at preview out of the check instead of calling them missing", () => {
    const result = checkPostback({
      deliveryMethod: "postback",
      pixelLevel: "specific",
      networkOfferId: UNKNOWN,
      pixelType: "conversion",
      postbackUrl: UNKNOWN,
    });
    expect(result.ok).toBe("partial");
  });

  it("still reports known violations next to unknown values", () => {
    const result = checkPostback({
      deliveryMethod: "facebook",
      pixelLevel: "global",
      pixelType: "conversion",
      delayMs: 999_999,
      facebookPixel: { pixelId: "1", eventName: "Lead", accessToken: UNKNOWN },
    });
    expect(result.ok).toBe(false);
    if (result.ok !== false) return;
    expect(result.failures.map((f) => f.property)).toEqual(["delayMs"]);
  });
});
