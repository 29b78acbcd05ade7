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

describe("examples/global-conversion", () => {
  let t: EverflowTestStack;
  let id: unknown;

  beforeAll(async () => {
    t = await createEverflowStack("example-global-conversion", exampleProgram("global-conversion"));
  });
  afterAll(async () => t?.stop());
  beforeEach(() => t.emulator.log.reset());

  it("creates one global conversion postback with one POST", async () => {
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(t.calls()).toEqual({ [POST]: 1, [LIST]: 1 });
    id = up.outputs.pixelId?.value;
    expect(pixelOf(t, id)).toMatchObject({
      network_affiliate_id: 7,
      delivery_method: "postback",
      pixel_level: "global",
      pixel_type: "conversion",
      pixel_status: "active",
      network_offer_id: 0,
      delay_ms: 0,
      postback_url:
        "https://track.example.com/everflow/conversion?tid={transaction_id}&offer={offer_id}&amount={revenue}&sub1={sub1}",
    });
    expect(up.outputs.postbackUrl?.value).toBe(pixelOf(t, id).postback_url);
  });

  it("changes nothing and calls nothing on a second up", async () => {
    await expectQuietUp(t, 2);
  });

  it("follows the trackerUrl config with one PUT", async () => {
    await t.stack.setConfig("trackerUrl", { value: "https://tracker.example.net/ef" });
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    expect(t.calls()[PUT]).toBe(1);
    expect(t.calls()[POST]).toBeUndefined();
    expect(pixelOf(t, id).postback_url).toMatch(
      /^https:\/\/tracker\.example\.net\/ef\?tid=\{transaction_id\}/,
    );
  });

  it("destroys by deactivating the postback", async () => {
    await expectDestroyDeactivates(t, [id]);
  });
});
