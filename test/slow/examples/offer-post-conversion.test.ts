import { createEverflowStack, EverflowTestStack } from "../../support/everflow";
import {
  exampleProgram,
  expectDestroyDeactivates,
  expectQuietUp,
  pixelOf,
  LIST,
  POST,
  PUT,
} from "../../support/example-stack";

describe("examples/offer-post-conversion", () => {
  let t: EverflowTestStack;
  let id: unknown;

  beforeAll(async () => {
    t = await createEverflowStack("example-offer-post-conversion", exampleProgram("offer-post-conversion"));
  });
  afterAll(async () => t?.stop());
  beforeEach(() => t.emulator.log.reset());

  it("creates a delayed post-conversion postback for the default offer", async () => {
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(t.calls()).toEqual({ [POST]: 1, [LIST]: 1 });
    id = up.outputs.pixelId?.value;
    expect(up.outputs.offerId?.value).toBe(42);
    expect(pixelOf(t, id)).toMatchObject({
      network_affiliate_id: 7,
      delivery_method: "postback",
      pixel_level: "specific",
      network_offer_id: 42,
      network_offer_payout_revenue_id: 0,
      pixel_type: "post_conversion",
      pixel_status: "active",
      delay_ms: 60_000,
      postback_url: expect.stringContaining("event={event_name}"),
    });
  });

  it("changes nothing and calls nothing on a second up", async () => {
    await expectQuietUp(t, 2);
  });

  it("takes the offer and payout/revenue entry from config, updating in place", async () => {
    await t.stack.setAllConfig({ networkOfferId: { value: "77" }, payoutRevenueId: { value: "5" } });
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    expect(t.calls()[PUT]).toBe(1);
    expect(t.calls()[POST]).toBeUndefined();
    expect(up.outputs.pixelId?.value).toBe(id);
    expect(pixelOf(t, id)).toMatchObject({
      network_offer_id: 77,
      network_offer_payout_revenue_id: 5,
      delay_ms: 60_000,
    });
  });

  it("destroys by deactivating the postback", async () => {
    await expectDestroyDeactivates(t, [id]);
  });
});
