import fc from "fast-check";
import { startEmulator, type EmulatorHandle, type QuirkOptions } from "../../../emulator";
import { resetClientRegistry } from "../../../provider/client";
import { Postbacks, STDERR_CONTEXT as ctx } from "../../../provider/core/postbacks";

// The comparison rules, as a property: for any valid declaration and any deterministic, idempotent way
// the server normalises what it stores or returns, after one write the next `up` (a diff) and the drift
// check (a read, then a diff) find nothing to change, so the second `up` makes no request.

const KEY = "property-key";
let emulator: EmulatorHandle;

beforeAll(async () => {
  // The provider's one-time warnings about the server's form are expected here.
  jest.spyOn(console, "warn").mockImplementation(() => undefined);
  emulator = await startEmulator({
    accounts: [{ apiKey: KEY, networkId: 1, affiliateId: 7 }],
    rateLimit: { rate: 1_000_000, burst: 1_000_000 },
  });
});
afterAll(async () => {
  await resetClientRegistry();
  await emulator.stop();
});

async function provider(): Promise<Postbacks> {
  const config: Record<string, string> = {
    "everflow:apiKey": KEY,
    "everflow:baseUrl": emulator.url,
    "everflow:requestsPerSecond": "100000",
    "everflow:burst": "100000",
  };
  const p = new Postbacks();
  p.configure({ get: (key: string) => config[key] });
  return p;
}

const text = (min: number) =>
  fc
    .string({
      unit: fc.constantFrom("a", "Z", "0", "&", "<", '"', ">", "=", "?", "{", "}", "_", "/"),
      minLength: min,
      maxLength: 40,
    })
    .filter((s) => s.trim().length >= min);

const declaration = fc
  .record({
    deliveryMethod: fc.constantFrom("postback", "html", "facebook"),
    pixelLevel: fc.constantFrom("global", "specific"),
    pixelType: fc.constantFrom("conversion", "post_conversion", "cpc"),
    pixelStatus: fc.constantFrom("active", "inactive"),
    delayMs: fc.integer({ min: 0, max: 300_000 }),
    path: text(0).map((s) => s.replace(/\s/g, "")),
    html: text(1),
    offer: fc.integer({ min: 1, max: 99_999 }),
    payout: fc.integer({ min: 0, max: 50 }),
    fb: fc.record({ pixelId: text(1), eventName: fc.constantFrom("Purchase", "Lead"), accessToken: text(5) }),
  })
  .map((g) => {
    const d: Record<string, unknown> = {
      deliveryMethod: g.deliveryMethod,
      pixelLevel: g.pixelLevel,
      pixelType: g.pixelType,
      pixelStatus: g.pixelStatus,
      delayMs: g.delayMs,
    };
    if (g.deliveryMethod === "postback") d.postbackUrl = `https://t.example.com/${g.path}`;
    if (g.deliveryMethod === "html") d.htmlCode = g.html;
    if (g.deliveryMethod === "facebook") d.facebookPixel = g.fb;
    if (g.pixelLevel === "specific") {
      d.networkOfferId = g.offer;
      d.networkOfferPayoutRevenueId = g.payout;
    }
    return d;
  });

/** A family of deterministic, idempotent server normalisations (the emulator's quirk switches). */
const normalisation = fc.record({
  quirks: fc.record(
    {
      methodDefaults: fc.record(
        {
          html: fc.record({ delay_ms: fc.constantFrom(0, 1000) }),
          facebook: fc.record({ delay_ms: fc.constant(0), network_offer_payout_revenue_id: fc.constant(0) }),
        },
        { requiredKeys: [] },
      ),
      truncate: fc.constant({ html_code: 65_535, postback_url: 2_048 }),
      // Text HTML-escaped in every answer, or in read answers only (the write's answer as sent). A
      // stored form only reads show is drift by design (write-units.test.ts).
      escape: fc.constantFrom("reads", "all"),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<QuirkOptions>,
  maskAccessToken: fc.constantFrom(false, "reads", "all") as fc.Arbitrary<false | "reads" | "all">,
});

const writes = () =>
  emulator.log.count("POST /v1/affiliates/pixels") + emulator.log.count("PUT /v1/affiliates/pixels/:id");

test("after one write, neither up nor the drift check finds a change, whatever the server's form", async () => {
  await fc.assert(
    fc.asyncProperty(declaration, normalisation, async (declared, server) => {
      emulator.settings.setQuirks(server.quirks);
      emulator.settings.setMaskAccessToken(server.maskAccessToken);
      const p = await provider();
      const checked = p.check(declared);
      expect(checked.failures ?? []).toEqual([]);
      const { id, outs } = await p.create(checked.inputs, ctx);
      emulator.log.reset();
      // The second `up`: the diff decides, and it must find nothing.
      expect((await p.diff(id, outs, checked.inputs)).changes).toBe(false);
      expect(emulator.log.count("*")).toBe(0);
      // The drift check: a refresh, then the diff against the refreshed outputs.
      const read = await p.read(id, outs);
      expect((await p.diff(id, read.props ?? {}, checked.inputs)).changes).toBe(false);
      expect(writes()).toBe(0);
      // The soft delete (a later run: this one's create holds the id) writes back what Everflow stores,
      // whatever form it presents it in.
      const stored = emulator.store.get(Number(id));
      await (await provider()).delete(id, read.props ?? {}, ctx);
      expect(emulator.store.get(Number(id))).toMatchObject({
        postback_url: stored?.postback_url,
        html_code: stored?.html_code,
        facebook_pixel: stored?.facebook_pixel,
        pixel_status: "inactive",
      });
    }),
    { numRuns: 100 },
  );
}, 120_000);
