import * as fs from "node:fs";
import * as path from "node:path";
import { createEverflowStack, EverflowTestStack } from "../../support/everflow";
import {
  exampleProgram,
  expectDestroyDeactivates,
  expectQuietUp,
  pixelOf,
  LIST,
  POST,
} from "../../support/example-stack";

const TOKEN = "EAAB-example-conversions-token-6c1e";
// The marker Pulumi puts on an encrypted value in state.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

describe("examples/facebook-pixel", () => {
  let t: EverflowTestStack;
  let id: unknown;

  beforeAll(async () => {
    t = await createEverflowStack("example-facebook-pixel", exampleProgram("facebook-pixel"), {
      config: {
        facebookPixelId: { value: "1234567890" },
        // What the README's `pulumi config set --secret facebookAccessToken <token>` does.
        facebookAccessToken: { value: TOKEN, secret: true },
      },
    });
  });
  afterAll(async () => t?.stop());
  beforeEach(() => t.emulator.log.reset());

  it("creates the pixel with the token from secret config, keeping it out of state and config files", async () => {
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(t.calls()).toEqual({ [POST]: 1, [LIST]: 1 });
    id = up.outputs.pixelId?.value;
    expect(pixelOf(t, id)).toMatchObject({
      network_affiliate_id: 7,
      delivery_method: "facebook",
      pixel_level: "global",
      pixel_type: "conversion",
      pixel_status: "active",
      postback_url: "",
      facebook_pixel: { pixel_id: "1234567890", event_name: "Purchase", access_token: TOKEN },
    });

    const state = t.rawState();
    expect(state).not.toContain(TOKEN);
    const postback = JSON.parse(state).checkpoint.latest.resources.find((r: { urn: string }) =>
      r.urn.endsWith("::facebook-purchase"),
    );
    expect(postback.inputs.facebookPixel).toEqual({
      [SECRET_SIG]: expect.any(String),
      ciphertext: expect.any(String),
    });
    expect(postback.outputs.facebookPixel).toEqual({
      [SECRET_SIG]: expect.any(String),
      ciphertext: expect.any(String),
    });
    expect(fs.readFileSync(path.join(t.workDir, "Pulumi.test.yaml"), "utf8")).not.toContain(TOKEN);
  });

  it("changes nothing and calls nothing on a second up", async () => {
    await expectQuietUp(t, 2);
  });

  it("destroys by deactivating the pixel", async () => {
    await expectDestroyDeactivates(t, [id]);
  });
});
