// `pulumi-everflow adopt --language python` writes a `__main__.py` of native postbacks that the engine
// imports, writing nothing to Everflow. Through the real engine, the Python language host, the plugin
// tarball and a cached virtualenv with the generated SDK (test/support/python-venv.ts). In
// `npm run test:slow`: building the virtualenv costs a minute on a fresh machine. (YAML:
// test/e2e/cli/adopt-languages.test.ts.)

import * as fs from "node:fs";
import * as path from "node:path";
import type { Pixel } from "../../../emulator";
import { resetClientRegistry } from "../../../provider/client";
import { API_KEY } from "../../support/everflow";
import { sharedPythonVenv, venvEnv } from "../../support/python-venv";
import { POST, PUT, runCli, stackEnv } from "../../e2e/cli/helpers";
import { createNativeStack, type NativeTestStack } from "../../e2e/cli/native-stack";

const FB_TOKEN = "EAAB-adopt-yaml-token-6b20";

describe("pulumi-everflow adopt --language python, through the real engine", () => {
  let t: NativeTestStack;
  let seeded: Pixel[];

  beforeAll(async () => {
    const venv = await sharedPythonVenv();
    t = await createNativeStack("cli-adopt-python", () => "", {
      runtime: "python",
      env: venvEnv({ PATH: process.env.PATH ?? "" }, venv),
    });
    seeded = [
      t.emulator.store.seed(API_KEY, {
        delivery_method: "postback",
        pixel_level: "global",
        pixel_type: "conversion",
        postback_url: 'https://track.example.com/cb?tid={transaction_id}&note="q"',
      }),
      t.emulator.store.seed(API_KEY, {
        delivery_method: "facebook",
        pixel_level: "specific",
        network_offer_id: 9,
        pixel_type: "conversion",
        pixel_status: "inactive",
        facebook_pixel: { pixel_id: "5550002", event_name: "Purchase", access_token: FB_TOKEN },
      }),
    ];
  });
  afterAll(async () => {
    await resetClientRegistry();
    await t?.stop();
  });

  it("writes __main__.py, which previews as imports and is taken over without a write", async () => {
    const out = path.join(t.workDir, "__main__.py");
    const env = { ...stackEnv(t), EVERFLOW_API_KEY: API_KEY, EVERFLOW_BASE_URL: t.emulator.url };
    const r = await runCli(["adopt", "--out", out], env);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(out, "utf8")).not.toContain(FB_TOKEN);
    await t.stack.setConfig(`facebookAccessToken${seeded[1]!.network_pixel_id}`, {
      value: FB_TOKEN,
      secret: true,
    });

    t.emulator.log.reset();
    const preview = await t.stack.preview();
    expect(preview.changeSummary).toEqual({ create: 1, import: 2 });
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 1, import: 2 });
    expect(t.emulator.log.count(POST) + t.emulator.log.count(PUT)).toBe(0);
    for (const pixel of seeded) expect(t.emulator.store.get(pixel.network_pixel_id)).toEqual(pixel);
    expect((await t.stack.preview()).changeSummary).toEqual({ same: 3 });
  });
});
