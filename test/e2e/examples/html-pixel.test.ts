import { createEverflowStack, EverflowTestStack } from "../../support/everflow";
import { exampleProgram, pixelOf, POST, PUT } from "./example-stack";

describe("examples/html-pixel", () => {
  let t: EverflowTestStack;
  let id: unknown;

  beforeAll(async () => {
    t = await createEverflowStack("example-html-pixel", exampleProgram("html-pixel"));
  });
  afterAll(async () => t?.stop());
  beforeEach(() => t.emulator.log.reset());

  it("creates a global HTML pixel with one POST", async () => {
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(t.calls()).toEqual({ [POST]: 1 });
    id = up.outputs.pixelId?.value;
    const pixel = pixelOf(t, id);
    expect(pixel).toMatchObject({
      network_affiliate_id: 7,
      delivery_method: "html",
      pixel_level: "global",
      pixel_type: "conversion",
      pixel_status: "active",
      postback_url: "",
      facebook_pixel: null,
    });
    expect(pixel.html_code).toMatch(
      /^<img src="https:\/\/px\.example\.com\/conversion\?tid=\{transaction_id\}/,
    );
    expect(up.outputs.htmlCode?.value).toBe(pixel.html_code);
  });

  it("changes nothing and calls nothing on a second up", async () => {
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 2 });
    expect(t.totalCalls()).toBe(0);
  });

  it("destroys by deactivating the pixel", async () => {
    const destroy = await t.stack.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    expect(t.calls()[PUT]).toBe(1);
    expect(t.calls()[POST]).toBeUndefined();
    expect(pixelOf(t, id).pixel_status).toBe("inactive");
  });
});
