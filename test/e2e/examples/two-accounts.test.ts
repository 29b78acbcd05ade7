import * as fs from "node:fs";
import * as path from "node:path";
import { createEverflowStack, EverflowTestStack } from "../../support/everflow";
import {
  exampleProgram,
  expectDestroyDeactivates,
  expectQuietUp,
  pixelOf,
  POST,
  PUT,
} from "../../support/example-stack";

const BRAND_KEY = "ef-example-brand-key-0d4e2a";
const PARTNER_KEY = "ef-example-partner-key-7b19f3";

describe("examples/two-accounts", () => {
  let t: EverflowTestStack;
  let brandId: unknown;
  let partnerId: unknown;
  /** Requests per affiliate (the emulator logs the key's label, never the key). */
  const byAffiliate = (route: string) => {
    const counts: Record<string, number> = {};
    for (const e of t.emulator.log.entries().filter((e) => e.route === route)) {
      counts[String(e.key)] = (counts[String(e.key)] ?? 0) + 1;
    }
    return counts;
  };

  beforeAll(async () => {
    t = await createEverflowStack("example-two-accounts", exampleProgram("two-accounts"), {
      emulator: {
        accounts: [
          { apiKey: BRAND_KEY, networkId: 1, affiliateId: 7, label: "brand" },
          { apiKey: PARTNER_KEY, networkId: 1, affiliateId: 8, label: "partner" },
        ],
      },
    });
    // What the README's `pulumi config set --secret --path 'everflow:accounts.<name>.apiKey'` does.
    await t.stack.setConfig("everflow:accounts.brand.apiKey", { value: BRAND_KEY, secret: true }, true);
    await t.stack.setConfig("everflow:accounts.partner.apiKey", { value: PARTNER_KEY, secret: true }, true);
    await t.stack.setConfig("everflow:accounts.brand.baseUrl", { value: t.emulator.url }, true);
    await t.stack.setConfig("everflow:accounts.partner.baseUrl", { value: t.emulator.url }, true);
  });
  afterAll(async () => t?.stop());
  beforeEach(() => t.emulator.log.reset());

  it("creates each postback in its own account, with neither key in state or config files", async () => {
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 3 });
    expect(byAffiliate(POST)).toEqual({ brand: 1, partner: 1 });
    brandId = up.outputs.brandPixelId?.value;
    partnerId = up.outputs.partnerPixelId?.value;
    expect(pixelOf(t, brandId)).toMatchObject({
      network_affiliate_id: 7,
      pixel_level: "global",
      network_offer_id: 0,
      postback_url: expect.stringContaining("track.brand.example.com"),
    });
    expect(pixelOf(t, partnerId)).toMatchObject({
      network_affiliate_id: 8,
      pixel_level: "specific",
      network_offer_id: 42,
      postback_url: expect.stringContaining("partner.example.org"),
    });

    const state = t.rawState();
    const config = fs.readFileSync(path.join(t.workDir, "Pulumi.test.yaml"), "utf8");
    for (const key of [BRAND_KEY, PARTNER_KEY]) {
      expect(state).not.toContain(key);
      expect(config).not.toContain(key);
    }
  });

  it("changes nothing and calls nothing on a second up", async () => {
    await expectQuietUp(t, 3);
  });

  it("destroys by deactivating each postback through its own account", async () => {
    await expectDestroyDeactivates(t, [brandId, partnerId]);
    expect(byAffiliate(PUT)).toEqual({ brand: 1, partner: 1 });
  });
});
