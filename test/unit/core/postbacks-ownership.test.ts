import { startEmulator, type EmulatorHandle } from "../../../emulator";
import { resetClientRegistry } from "../../../provider/client";
import { Postbacks, type CallContext } from "../../../provider/core/postbacks";

// The provider's hooks into ownership.ts and claims.ts, against the emulator with affiliates 7 and 8 of
// network 1 and an affiliate 9 that has no postbacks. The engine tests run the same cases end to end.

// Its creates repeat one declaration, so a create may warn of the ones before it (twins.test.ts).
const ctx: CallContext = { warn: async () => undefined, secrets: new Set() };

const KEY_7 = "key-affiliate-7";
const KEY_8 = "key-affiliate-8";
const KEY_9 = "key-affiliate-9-empty";

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

let emulator: EmulatorHandle;
beforeAll(async () => {
  emulator = await startEmulator({
    accounts: [
      { apiKey: KEY_7, networkId: 1, affiliateId: 7 },
      { apiKey: KEY_8, networkId: 1, affiliateId: 8 },
      { apiKey: KEY_9, networkId: 1, affiliateId: 9 },
    ],
    rateLimit: { rate: 1000, burst: 1000 },
  });
});
afterAll(async () => {
  await resetClientRegistry();
  await emulator.stop();
});
beforeEach(() => emulator.log.reset());

async function provider(apiKey: string, extra: Record<string, string> = {}) {
  const config: Record<string, string> = {
    "everflow:apiKey": apiKey,
    "everflow:baseUrl": emulator.url,
    ...extra,
  };
  const p = new Postbacks();
  p.configure({ get: (key: string) => config[key] });
  return p;
}

const writes = () =>
  emulator.log.count("PUT /v1/affiliates/pixels/:id") + emulator.log.count("POST /v1/affiliates/pixels");

describe("account identity in the provider", () => {
  it("records the owning network and affiliate in the outputs", async () => {
    const p = await provider(KEY_7);
    const { outs } = await p.create(declared, ctx);
    expect(outs).toMatchObject({ networkId: 1, networkAffiliateId: 7 });
  });

  it("a key of another affiliate: read, update and delete fail naming both, and write nothing", async () => {
    const { id, outs } = await (await provider(KEY_7)).create(declared, ctx);
    await (await provider(KEY_7)).create({ ...declared, delayMs: 5 }, ctx);
    emulator.log.reset();
    const wrong = await provider(KEY_8);
    // Affiliate 8 has a postback of its own, so its listing tells which affiliate the key speaks for.
    emulator.store.seed(KEY_8, { postback_url: "https://eight.example.com" });
    const both =
      /postback \d+ belongs to affiliate 7 of network 1, but the API key in use speaks for affiliate 8/;
    await expect(wrong.read(id, outs)).rejects.toThrow(both);
    await expect(wrong.update(id, outs, { ...declared, delayMs: 9 }, ctx)).rejects.toThrow(both);
    await expect(wrong.delete(id, outs)).rejects.toThrow(both);
    expect(writes()).toBe(0);
    expect(emulator.store.get(Number(id))?.pixel_status).toBe("active");
  });

  it("a key whose listing is empty: no drop without the confirmation naming the account", async () => {
    const { id, outs } = await (await provider(KEY_7)).create(declared, ctx);
    emulator.log.reset();
    const empty = await provider(KEY_9);
    await expect(empty.read(id, outs)).rejects.toThrow(/EVERFLOW_CONFIRM_REMOVED=default/);
    await expect(empty.delete(id, outs)).rejects.toThrow(/lists no postback at all/);
    expect(writes()).toBe(0);
    const confirmed = await provider(KEY_9, { "everflow:confirmRemoved": "default" });
    expect(await confirmed.read(id, outs)).toEqual({ id: "", props: {} });
    const other = await provider(KEY_9, { "everflow:confirmRemoved": "partner" });
    await expect(other.read(id, outs)).rejects.toThrow(/EVERFLOW_CONFIRM_REMOVED=default/);
  });

  it("a create under a key of another affiliate, after diff saw the stack's owner, creates nothing", async () => {
    const { id, outs } = await (await provider(KEY_7)).create(declared, ctx);
    emulator.store.seed(KEY_8, { postback_url: "https://eight.example.com" });
    emulator.log.reset();
    const wrong = await provider(KEY_8);
    expect((await wrong.diff(id, outs, declared)).changes).toBe(false);
    await expect(wrong.create({ ...declared, delayMs: 7 }, ctx)).rejects.toThrow(
      /belong to affiliate 7 of network 1, but the API key in use speaks for affiliate 8/,
    );
    expect(writes()).toBe(0);
  });

  it("a postback really removed while the account's others are listed drops out", async () => {
    const p = await provider(KEY_7);
    const { id, outs } = await p.create(declared, ctx);
    emulator.store.remove(Number(id));
    expect(await (await provider(KEY_7)).read(id, outs)).toEqual({ id: "", props: {} });
  });
});

describe("claims within one run", () => {
  it("a delete of an id a create of this run adopted only releases it", async () => {
    const live = emulator.store.seed(KEY_7, { postback_url: "https://track.example.com/cb" });
    const p = await provider(KEY_7);
    const { id, outs } = await p.create({ ...declared, importId: String(live.network_pixel_id) }, ctx);
    emulator.log.reset();
    await p.delete(id, outs);
    expect(emulator.log.counts()["PUT /v1/affiliates/pixels/:id"] ?? 0).toBe(0);
    expect(emulator.store.get(live.network_pixel_id)?.pixel_status).toBe("active");
    // Another process (another run) deactivates it as usual.
    await (await provider(KEY_7)).delete(id, outs);
    expect(emulator.store.get(live.network_pixel_id)?.pixel_status).toBe("inactive");
  });

  it("check fails the second resource adopting one id, naming the first", async () => {
    const p = await provider(KEY_7);
    const first = p.check({ ...declared, importId: "1001" }, { importName: "a" });
    expect(first.failures).toBeUndefined();
    expect(first.inputs).not.toHaveProperty("importName");
    const second = p.check({ ...declared, importId: "1001" }, { importName: "b" });
    expect(second.failures).toEqual([
      {
        property: "importId",
        reason: expect.stringContaining('postback 1001 is also adopted by resource "a"'),
      },
    ]);
  });
});
