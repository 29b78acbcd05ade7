import { createEverflowStack, EverflowTestStack } from "../../support/everflow";
import {
  exampleProgram,
  expectDestroyDeactivates,
  expectQuietUp,
  pixelOf,
  LIST,
  POST,
} from "../../support/example-stack";

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
    expect(t.calls()).toEqual({ [POST]: 1, [LIST]: 1 });
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
    await expectQuietUp(t, 2);
  });

  it("destroys by deactivating the pixel", async () => {
    await expectDestroyDeactivates(t, [id]);
  });
});
