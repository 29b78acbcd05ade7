import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import type { Pixel } from "../../../emulator";
import * as sdk from "../../../sdk";
import { resetClientRegistry } from "../../../provider/client";
import { API_KEY, createEverflowStack, type EverflowTestStack } from "../../support/everflow";
import { GET_ONE, POST, PUT, runCli, spawnCli, stackEnv } from "./helpers";

const FB_TOKEN = "EAAB-adopt-conversions-token-1f9d";
const POSTBACK_TYPE = "pulumi-nodejs:dynamic/affiliate:Postback";

/** Set once `adopt` wrote it: the stack's program loads the generated file. */
let generated: string | undefined;

/**
 * The generated program, run as an inline program: required afresh on every run (jest maps
 * "pulumi-everflow" to the SDK, as a user's node_modules would resolve it to the package). The isolated
 * module registry must share this file's @pulumi/pulumi and SDK: a second copy of @pulumi/pulumi has
 * its own gRPC message classes, which the engine connection of the first copy refuses.
 */
const program = async () => {
  if (generated === undefined) return;
  const file = generated;
  jest.isolateModules(() => {
    jest.doMock("@pulumi/pulumi", () => pulumi);
    jest.doMock("pulumi-everflow", () => sdk);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a program file chosen at run time
    require(file);
  });
};

describe("pulumi-everflow adopt, through the real engine", () => {
  let t: EverflowTestStack;
  let seeded: Pixel[];
  let adoptEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    t = await createEverflowStack("cli-adopt", program);
    // An account built by hand: one postback of each delivery method, one of them inactive.
    seeded = [
      t.emulator.store.seed(API_KEY, {
        delivery_method: "postback",
        pixel_level: "specific",
        network_offer_id: 42,
        pixel_type: "conversion",
        postback_url: "https://track.example.com/cb?tid={transaction_id}&amount={revenue}",
        delay_ms: 30_000,
      }),
      t.emulator.store.seed(API_KEY, {
        delivery_method: "html",
        pixel_level: "global",
        pixel_type: "cpc",
        pixel_status: "inactive",
        html_code: '<img src="https://px.example.com/c?t={transaction_id}" width="1" height="1" />',
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

  it("writes a program that declares every postback, without the access token", async () => {
    const out = path.join(t.workDir, "adopted.ts");
    t.emulator.log.reset();
    const r = await runCli(["adopt", "--out", out], adoptEnv);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const fb = ids()[2];
    expect(r.stderr).toBe(
      `adopt: wrote 3 postbacks of account "default" to ${out} (1 inactive)\n` +
        "adopt: before `pulumi up`, put each facebook postback's Conversions API access token in secret stack config:\n" +
        `  pulumi config set --secret facebookAccessToken${fb} <access token of postback ${fb}>\n`,
    );
    // One listing, no write.
    expect(t.calls()).toEqual({ "GET /v1/affiliates/pixels": 1 });

    const text = fs.readFileSync(out, "utf8");
    expect(text).not.toContain(FB_TOKEN);
    expect(text).not.toContain(API_KEY);
    for (const id of ids()) expect(text).toContain(`new Postback(\n  "postback-${id}",`);
    expect(text).toContain(`accessToken: config.requireSecret("facebookAccessToken${fb}")`);
    expect(text).toContain('pixelStatus: "inactive",');
    generated = out;
  });

  it("is valid strict TypeScript against the installed package's types", () => {
    // The stack's work dir links node_modules/pulumi-everflow to this package, as `npm install` would.
    const compiler = ts.createProgram([generated!], {
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      types: ["node"],
    });
    const problems = ts
      .getPreEmitDiagnostics(compiler)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(problems).toEqual([]);
  });

  it("prints the same program on stdout from the compiled binary", async () => {
    const r = await spawnCli(["adopt"], adoptEnv);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(fs.readFileSync(generated!, "utf8"));
  });

  it("brings the account under code with an up that writes nothing to Everflow", async () => {
    await t.stack.setConfig(`facebookAccessToken${ids()[2]}`, { value: FB_TOKEN, secret: true });
    t.emulator.log.reset();
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 4 });
    expect(t.emulator.log.count(POST)).toBe(0);
    expect(t.emulator.log.count(PUT)).toBe(0);
    expect(t.emulator.log.count(GET_ONE)).toBe(3);
    // Everflow is exactly as it was (an out-of-band write would also have bumped time_saved).
    for (const pixel of seeded) expect(t.emulator.store.get(pixel.network_pixel_id)).toEqual(pixel);

    const state = await t.stack.exportStack();
    const postbacks = (state.deployment.resources as Array<{ type: string; id: string }>).filter(
      (r) => r.type === POSTBACK_TYPE,
    );
    expect(postbacks.map((r) => Number(r.id)).sort()).toEqual(ids());
  });

  it("has nothing left to change: a second preview is all `same`, and drift is clean", async () => {
    t.emulator.log.reset();
    const preview = await t.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 4 });
    expect(t.totalCalls()).toBe(0);

    const r = await runCli(["drift", "--cwd", t.workDir, "--stack", "test", "--json"], stackEnv(t));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      stack: "test",
      basis: "last-applied",
      checked: 3,
      drift: [],
      missing: [],
    });
    expect(t.emulator.log.count(POST) + t.emulator.log.count(PUT)).toBe(0);
  });
});
