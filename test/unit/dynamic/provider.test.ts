import { resetClientRegistry } from "../../../provider/client";
import { PostbackInitError } from "../../../provider/core/postbacks";
import { PostbackProvider } from "../../../provider/dynamic/provider";
import { scriptedServer, wirePixel } from "../client/helpers";

// The dynamic face's own part: the host's `__provider` input, and the hidden input naming an importer.

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

describe("the dynamic PostbackProvider", () => {
  it("check: takes the importer's name off the inputs, for the failure of a second importer", async () => {
    const p = await provider();
    const first = await p.check({}, { ...declared, importId: "1001", importName: "a", __provider: "stub" });
    expect(first.failures).toBeUndefined();
    expect(first.inputs).not.toHaveProperty("importName");
    const second = await p.check({}, { ...declared, importId: "1001", importName: "b", __provider: "stub" });
    expect(second.failures?.[0]?.reason).toContain('also adopted by resource "a"');
  });

  it("diff: ignores the serialized provider", async () => {
    const p = await provider();
    const olds = { ...declared, pixelId: 5, timeCreated: 1, timeSaved: 1, __provider: "old stub" };
    expect((await p.diff("5", olds, { ...declared, __provider: "new stub" })).changes).toBe(false);
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
