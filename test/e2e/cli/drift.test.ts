import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Postback, type PostbackArgs } from "../../../sdk";
import { resetClientRegistry } from "../../../provider/client";
import { API_KEY, createEverflowStack, type EverflowTestStack } from "../../support/everflow";
import { POST, PUT, runCli, spawnCli, stackEnv } from "./helpers";

const FB_TOKEN = "EAAB-drift-conversions-token-5c2e";
const ROTATED_TOKEN = "EAAB-rotated-out-of-band-token-77a1";

const declared: Record<string, PostbackArgs> = {
  checkout: {
    deliveryMethod: "postback",
    pixelLevel: "specific",
    networkOfferId: 42,
    pixelType: "conversion",
    postbackUrl: "https://track.example.com/cb?tid={transaction_id}",
  },
  landing: {
    deliveryMethod: "html",
    pixelLevel: "global",
    pixelType: "conversion",
    htmlCode: '<img src="https://px.example.com/c?t={transaction_id}" />',
  },
  meta: {
    deliveryMethod: "facebook",
    pixelLevel: "global",
    pixelType: "conversion",
    facebookPixel: { pixelId: "1234567890", eventName: "Purchase", accessToken: FB_TOKEN },
  },
};

/** Every `read` of the bystander resource, appended by its provider process. */
const BYSTANDER_READS = path.join(os.tmpdir(), `pulumi-everflow-drift-bystander-${process.pid}.log`);

/** A resource of another provider in the same stack: drift must leave it alone (it is not refreshed). */
class Bystander extends pulumi.dynamic.Resource {
  constructor(name: string) {
    const readsLog = BYSTANDER_READS;
    const provider: pulumi.dynamic.ResourceProvider = {
      async create(inputs) {
        return { id: "bystander", outs: inputs };
      },
      async read(id, props) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- runs in the provider process
        require("fs").appendFileSync(readsLog, "read\n");
        return { id, props };
      },
    };
    super(provider, name, { value: 1 }, undefined, "test", "Bystander");
  }
}

const program = async () => {
  const ids: Record<string, unknown> = {};
  for (const [name, args] of Object.entries(declared)) ids[name] = new Postback(name, args).pixelId;
  new Bystander("bystander");
  return ids;
};

describe("pulumi-everflow drift, through the real engine", () => {
  let t: EverflowTestStack;
  let env: NodeJS.ProcessEnv;
  const ids: Record<string, number> = {};
  const drift = (...flags: string[]) =>
    runCli(["drift", "--cwd", t.workDir, "--stack", "test", ...flags], env);
  const urnOf = (name: string) =>
    `urn:pulumi:test::everflow-test::pulumi-nodejs:dynamic/affiliate:Postback::${name}`;

  beforeAll(async () => {
    // One attempt per request: the unreachable-API case below fails at once. (A refresh that does not run
    // the program configures the provider as the last `up` did, so this must be set before it.)
    t = await createEverflowStack("cli-drift", program, {
      config: { "everflow:maxAttempts": { value: "1" } },
    });
    const up = await t.stack.up();
    for (const name of Object.keys(declared)) ids[name] = up.outputs[name]?.value as number;
    env = stackEnv(t);
  });
  afterAll(async () => {
    await resetClientRegistry();
    await t?.stop();
    fs.rmSync(BYSTANDER_READS, { force: true });
  });
  beforeEach(() => t.emulator.log.reset());
  afterEach(() => {
    // Whatever it finds, drift writes nothing to Everflow.
    expect(t.emulator.log.count(POST)).toBe(0);
    expect(t.emulator.log.count(PUT)).toBe(0);
  });

  it("reports a clean stack (exit 0), changing nothing in Everflow or in the state", async () => {
    const before = t.rawState();
    const r = await drift();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^No drift in stack "test": 3 postbacks compared with each postback's declaration as last applied by `pulumi up`/,
    );
    expect(t.emulator.log.count("*")).toBeGreaterThan(0);
    expect(t.rawState()).toBe(before);
  });

  it("refreshes postbacks only: another provider's resource in the stack is not read", async () => {
    fs.rmSync(BYSTANDER_READS, { force: true });
    await t.stack.preview({ refresh: true }); // the plain refresh does read it: the probe works
    expect(fs.readFileSync(BYSTANDER_READS, "utf8")).toBe("read\n");
    fs.rmSync(BYSTANDER_READS);
    t.emulator.log.reset();
    const r = await drift();
    expect(r.code).toBe(0);
    expect(fs.existsSync(BYSTANDER_READS)).toBe(false);
  });

  it("names exactly the field changed out of band, with declared and live values (exit 2)", async () => {
    t.emulator.store.update(ids.checkout!, { postback_url: "https://evil.example.com/steal" });
    const r = await drift();
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      `~ checkout (postback ${ids.checkout})\n    postbackUrl: declared "${declared.checkout!.postbackUrl}", live "https://evil.example.com/steal"\n`,
    );
    expect(r.stdout).not.toContain("landing");
    expect(r.stdout).not.toContain("meta");
    expect(r.stdout).toContain("1 postback changed, 0 missing.");
  });

  it("prints the same finding as JSON, from the compiled binary", async () => {
    const r = await spawnCli(["drift", "--cwd", t.workDir, "--stack", "test", "--json"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      stack: "test",
      basis: "last-applied",
      checked: 3,
      drift: [
        {
          urn: urnOf("checkout"),
          name: "checkout",
          pixelId: ids.checkout,
          fields: [
            {
              field: "postbackUrl",
              declared: declared.checkout!.postbackUrl,
              live: "https://evil.example.com/steal",
            },
          ],
        },
      ],
      missing: [],
    });
  });

  it("compares the facebook pixel (a secret in state) without ever printing the token", async () => {
    const live = t.emulator.store.get(ids.meta!)!;
    t.emulator.store.update(ids.meta!, {
      facebook_pixel: { ...live.facebook_pixel, event_name: "Lead", access_token: ROTATED_TOKEN },
    });
    const r = await drift("--json");
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain(FB_TOKEN);
    expect(r.stdout).not.toContain(ROTATED_TOKEN);
    expect(r.stdout).not.toContain(API_KEY);
    const report = JSON.parse(r.stdout) as { drift: Array<{ name: string; fields: unknown[] }> };
    expect(report.drift.map((d) => d.name)).toEqual(["checkout", "meta"]);
    expect(report.drift[1]!.fields).toEqual([
      { field: "facebookPixel.eventName", declared: "Purchase", live: "Lead" },
      { field: "facebookPixel.accessToken", declared: "[secret]", live: "[secret]" },
    ]);
  });

  it("reports a postback deleted out of band as missing", async () => {
    t.emulator.store.remove(ids.landing!);
    const r = await drift("--json");
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as { drift: Array<{ name: string }>; missing: unknown[] };
    expect(report.missing).toEqual([{ urn: urnOf("landing"), name: "landing", pixelId: ids.landing }]);
    expect(report.drift.map((d) => d.name)).toEqual(["checkout", "meta"]);
    const text = await drift();
    expect(text.stdout).toContain(`- landing (postback ${ids.landing}): missing in Everflow\n`);
    expect(text.stdout).toContain("2 postbacks changed, 1 missing.");
  });

  it("is clean again once `pulumi up --refresh` restored the declaration", async () => {
    await t.stack.up({ refresh: true });
    t.emulator.log.reset(); // the up wrote; the drift run below must not
    const r = await drift();
    expect(r.stdout).toMatch(/^No drift in stack "test": 3 postbacks/);
    expect(r.code).toBe(0);
  });

  it("fails with one line (exit 1) when Everflow cannot be reached", async () => {
    await t.emulator.stop();
    const r = await drift();
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^pulumi-everflow drift: the refresh-only preview of stack "test" failed: .*ECONNREFUSED/,
    );
    expect(r.stderr).not.toContain(API_KEY);
  });

  it("fails with one line (exit 1) for a stack that does not exist", async () => {
    const r = await runCli(["drift", "--cwd", t.workDir, "--stack", "nope"], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^pulumi-everflow drift: cannot select stack "nope" in .*: .*nope/);
  });
});
