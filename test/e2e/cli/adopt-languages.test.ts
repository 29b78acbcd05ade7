// `pulumi-everflow adopt --language yaml` writes a program of native postbacks that the engine imports:
// the preview shows imports, and the up writes nothing to Everflow. Through the real engine, the YAML
// language host and the plugin tarball. (TypeScript: adopt.test.ts; Python, which needs a virtualenv
// with the generated SDK: test/slow/cli/adopt-python.test.ts.)

import * as fs from "node:fs";
import * as path from "node:path";
import type { Pixel } from "../../../emulator";
import { resetClientRegistry } from "../../../provider/client";
import { API_KEY } from "../../support/everflow";
import { GET_ONE, LIST, POST, PUT, runCli, stackEnv } from "./helpers";
import { createNativeStack, PROJECT, type NativeTestStack } from "./native-stack";

const FB_TOKEN = "EAAB-adopt-yaml-token-6b20";

describe("pulumi-everflow adopt --language yaml, through the real engine", () => {
  let t: NativeTestStack;
  let seeded: Pixel[];
  let adoptEnv: NodeJS.ProcessEnv;
  const program = () => path.join(t.workDir, "Pulumi.yaml");

  beforeAll(async () => {
    t = await createNativeStack("cli-adopt-yaml", () => "resources: {}\n");
    seeded = [
      t.emulator.store.seed(API_KEY, {
        delivery_method: "postback",
        pixel_level: "specific",
        network_offer_id: 42,
        pixel_type: "conversion",
        postback_url: "https://track.example.com/cb?tid={transaction_id}&amount={revenue}",
        delay_ms: 30_000,
      }),
      // JavaScript whose template literal Pulumi YAML would interpolate if it were not escaped.
      t.emulator.store.seed(API_KEY, {
        delivery_method: "html",
        pixel_level: "global",
        pixel_type: "cpc",
        pixel_status: "inactive",
        html_code: "<script>var t='{transaction_id}';fetch(`https://px.example.com/c?t=${t}`)</script>",
      }),
      t.emulator.store.seed(API_KEY, {
        delivery_method: "facebook",
        pixel_level: "global",
        pixel_type: "post_conversion",
        facebook_pixel: { pixel_id: "5550001", event_name: "Lead", access_token: FB_TOKEN },
      }),
    ];
    adoptEnv = { ...stackEnv(t), EVERFLOW_API_KEY: API_KEY, EVERFLOW_BASE_URL: t.emulator.url };
  });
  afterAll(async () => {
    await resetClientRegistry();
    await t?.stop();
  });

  const ids = () => seeded.map((p) => p.network_pixel_id);

  it("writes the Pulumi.yaml (language from the extension), without the access token", async () => {
    t.emulator.log.reset();
    const r = await runCli(["adopt", "--out", program(), "--project", PROJECT], adoptEnv);
    expect(r.code).toBe(0);
    const fb = ids()[2];
    expect(r.stderr).toBe(
      `adopt: wrote 3 postbacks of account "default" to ${program()} (1 inactive)\n` +
        "adopt: before `pulumi up`, put each facebook postback's Conversions API access token in secret stack config:\n" +
        `  pulumi config set --secret facebookAccessToken${fb} <access token of postback ${fb}>\n`,
    );
    // One listing, nothing else.
    expect(t.emulator.log.count("*")).toBe(1);
    expect(t.emulator.log.count(LIST)).toBe(1);
    const written = fs.readFileSync(program(), "utf8");
    expect(written).not.toContain(FB_TOKEN);
    expect(written).not.toContain(API_KEY);
    for (const id of ids())
      expect(written).toContain(`  postback-${id}:\n    type: everflow:index:Postback\n`);
    expect(written).toContain(`        accessToken: \${facebookAccessToken${fb}}\n`);
  });

  it("previews as imports, and the up imports every postback without a write", async () => {
    await t.stack.setConfig(`facebookAccessToken${ids()[2]}`, { value: FB_TOKEN, secret: true });
    t.emulator.log.reset();
    const preview = await t.stack.preview();
    expect(preview.changeSummary).toEqual({ create: 1, import: 3 });
    expect(t.emulator.log.count(POST) + t.emulator.log.count(PUT)).toBe(0);

    t.emulator.log.reset();
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 1, import: 3 });
    expect(t.emulator.log.count(POST)).toBe(0);
    expect(t.emulator.log.count(PUT)).toBe(0);
    expect(t.emulator.log.count(GET_ONE)).toBeGreaterThanOrEqual(3);
    // Everflow is exactly as it was, the HTML pixel's `${t}` included.
    for (const pixel of seeded) expect(t.emulator.store.get(pixel.network_pixel_id)).toEqual(pixel);

    const state = await t.stack.exportStack();
    const postbacks = (state.deployment.resources as Array<{ type: string; id: string }>).filter(
      (r) => r.type === "everflow:index:Postback",
    );
    expect(postbacks.map((r) => Number(r.id)).sort()).toEqual(ids());
    expect(t.rawState()).not.toContain(FB_TOKEN);
  });

  it("has nothing left to change: the next preview is all `same`, and drift is clean", async () => {
    t.emulator.log.reset();
    const preview = await t.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 4 });
    const r = await runCli(["drift", "--cwd", t.workDir, "--stack", "test", "--json"], stackEnv(t));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ checked: 3, drift: [], missing: [] });
    expect(t.emulator.log.count(POST) + t.emulator.log.count(PUT)).toBe(0);
  });
});
