import { resetClientRegistry } from "../../../provider/client";
import { UNKNOWN } from "../../../provider/check";
import { PostbackInitError, PostbackProvider } from "../../../provider/postback-provider";
import { scriptedServer, wirePixel } from "../client/helpers";

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

async function provider(config: Record<string, string> = { "everflow:apiKey": "k" }) {
  const p = new PostbackProvider();
  await p.configure({ config: { get: (key: string) => config[key] } } as never);
  return p;
}

describe("PostbackProvider without the API", () => {
  it("diff: nothing changed, a field changed, the account changed", async () => {
    const p = await provider();
    const olds = { ...declared, pixelId: 5, timeCreated: 1, timeSaved: 1, __provider: "x" };
    expect(await p.diff("5", olds, declared)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect((await p.diff("5", olds, { ...declared, delayMs: 9 })).changes).toBe(true);
    expect(await p.diff("5", olds, { ...declared, account: "partner" })).toMatchObject({
      changes: true,
      replaces: ["account"],
    });
  });

  it("diff: an unknown value is a change, and an unknown account a possible replacement", async () => {
    const p = await provider();
    expect(await p.diff("5", declared, { ...declared, postbackUrl: UNKNOWN })).toMatchObject({
      changes: true,
      replaces: [],
    });
    expect(await p.diff("5", declared, { ...declared, account: UNKNOWN })).toMatchObject({
      changes: true,
      replaces: ["account"],
    });
  });

  it("check: a missing key fails even while other inputs are unknown", async () => {
    const p = await provider({});
    const result = await p.check({}, { ...declared, account: undefined, postbackUrl: UNKNOWN });
    expect(result.failures).toEqual([
      { property: "account", reason: expect.stringContaining("EVERFLOW_API_KEY") },
    ]);
  });

  it("create: records a postback whose answer named its id but failed the schema, provider included", async () => {
    const server = await scriptedServer(() => ({ body: { ...wirePixel(777), time_created: "yesterday" } }));
    try {
      const p = await provider({ "everflow:apiKey": "k", "everflow:baseUrl": server.url });
      const error = await p.create({ ...declared, __provider: "stub" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PostbackInitError);
      expect(error).toMatchObject({ id: "777", properties: { pixelId: 777, __provider: "stub" } });
      expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    } finally {
      await resetClientRegistry();
      await server.stop();
    }
  });
});
