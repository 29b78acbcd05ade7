import { UNKNOWN } from "../../../provider/core/check";
import { Postbacks } from "../../../provider/core/postbacks";

const declared = {
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: "https://track.example.com/cb",
  pixelStatus: "active",
  delayMs: 0,
  networkOfferPayoutRevenueId: 0,
  account: "default",
};

function provider(config: Record<string, string> = { "everflow:apiKey": "k" }) {
  const p = new Postbacks();
  p.configure({ get: (key: string) => config[key] });
  return p;
}

describe("Postbacks without the API", () => {
  it("diff: nothing changed, a field changed, the account changed", async () => {
    const p = provider();
    const olds = { ...declared, pixelId: 5, timeCreated: 1, timeSaved: 1 };
    expect(p.diff("5", olds, declared)).toEqual({
      changes: false,
      replaces: [],
      changed: [],
      deleteBeforeReplace: false,
    });
    expect(p.diff("5", olds, { ...declared, delayMs: 9 }).changes).toBe(true);
    expect(p.diff("5", olds, { ...declared, account: "partner" })).toMatchObject({
      changes: true,
      replaces: ["account"],
    });
  });

  it("diff: an unknown value is a change, and an unknown account a possible replacement", async () => {
    const p = provider();
    expect(p.diff("5", declared, { ...declared, postbackUrl: UNKNOWN })).toMatchObject({
      changes: true,
      replaces: [],
    });
    expect(p.diff("5", declared, { ...declared, account: UNKNOWN })).toMatchObject({
      changes: true,
      replaces: ["account"],
    });
  });

  it("check: a missing key fails even while other inputs are unknown", async () => {
    const p = provider({});
    const result = p.check({ ...declared, account: undefined, postbackUrl: UNKNOWN });
    expect(result.failures).toEqual([
      { property: "account", reason: expect.stringContaining("EVERFLOW_API_KEY") },
    ]);
  });
});

describe("a field newly marked secret (or no longer)", () => {
  const olds = { ...declared, pixelId: 5, timeCreated: 1, timeSaved: 1 };

  it("is a change of that field, so the state's outputs take the mark", () => {
    const p = provider();
    expect(p.diff("5", olds, declared, { marks: { olds: [], news: ["postbackUrl"] } })).toMatchObject({
      changes: true,
      changed: ["postbackUrl"],
    });
    expect(p.diff("5", olds, declared, { marks: { olds: ["postbackUrl"], news: [] } }).changes).toBe(true);
    // The facebook pixel is secret whatever the program says: no change.
    expect(p.diff("5", olds, declared, { marks: { olds: [], news: ["facebookPixel"] } }).changes).toBe(false);
  });

  it("is written to no one: the update returns the outputs as they are, with no request", async () => {
    // Nothing listens on the discard port: any request would fail the update.
    const p = provider({ "everflow:apiKey": "k", "everflow:baseUrl": "http://127.0.0.1:9/v1" });
    const { outs } = await p.update("5", olds, declared, { warn: async () => undefined, secrets: new Set() });
    expect(outs).toBe(olds);
  });
});
