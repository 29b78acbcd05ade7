import * as fs from "node:fs";
import * as path from "node:path";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { startEmulator } from "../../emulator";
import { Postback, type PostbackArgs } from "../../sdk";
import { runCli, stackEnv } from "./cli/helpers";
import { createEverflowStack, type EverflowTestStack } from "../support/everflow";

// Issue 11, part 1: a valid key of another affiliate must not empty the state. Five postbacks are
// created with affiliate 7's key held only in EVERFLOW_API_KEY; then the variable holds the key of
// affiliate 8 (who has postbacks of their own), or of affiliate 9 (who has none).

const KEY_7 = "ef-e2e-affiliate-7-key-31f0";
const KEY_8 = "ef-e2e-affiliate-8-key-c47a";
const KEY_9 = "ef-e2e-affiliate-9-key-0d2e";
const PUT = "PUT /v1/affiliates/pixels/:id";
const POST = "POST /v1/affiliates/pixels";

const args = (n: number): PostbackArgs => ({
  deliveryMethod: "postback",
  pixelLevel: "specific",
  networkOfferId: 100 + n,
  pixelType: "conversion",
  postbackUrl: `https://track.example.com/cb/${n}?tid={transaction_id}`,
});
const NAMES = ["p1", "p2", "p3", "p4", "p5"];

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => "succeeded",
    (error: Error) => error.message,
  );

const emulatorAccounts = [
  { apiKey: KEY_7, networkId: 1, affiliateId: 7 },
  { apiKey: KEY_8, networkId: 1, affiliateId: 8 },
  { apiKey: KEY_9, networkId: 1, affiliateId: 9 },
];

describe("a key of another affiliate, held in EVERFLOW_API_KEY", () => {
  let t: EverflowTestStack;
  const workspace = () => t.stack.workspace as LocalWorkspace;
  const env = () => workspace().envVars;
  const useKey = (key: string) => (env().EVERFLOW_API_KEY = key);
  const writes = () => (t.calls()[PUT] ?? 0) + (t.calls()[POST] ?? 0);
  const trackedIds = () => t.trackedAndStored().tracked;
  let ids: number[] = [];
  /** Program changes: p2's delay, a sixth postback. */
  let changeP2 = false;
  let addP6 = false;

  beforeAll(async () => {
    t = await createEverflowStack(
      "account-identity",
      async () => {
        for (const [i, name] of NAMES.entries())
          new Postback(name, { ...args(i), ...(changeP2 && name === "p2" ? { delayMs: 500 } : {}) });
        if (addP6) new Postback("p6", args(6));
      },
      { emulator: { accounts: emulatorAccounts } },
    );
    // The key lives only in the environment, as the README suggests for CI.
    await t.stack.removeConfig("everflow:apiKey");
    useKey(KEY_7);
    await t.stack.up();
    ids = trackedIds();
    // Affiliate 8 has a postback of its own, so its key's listing tells which affiliate it is.
    t.emulator.store.seed(KEY_8, { postback_url: "https://eight.example.com/cb" });
  });
  afterAll(async () => t?.stop());
  beforeEach(() => t.emulator.log.reset());

  it("records each postback's network and affiliate in its outputs", async () => {
    expect(ids).toHaveLength(5);
    const resources = (await t.stack.exportStack()).deployment.resources.filter((r: { type: string }) =>
      r.type.endsWith("Postback"),
    );
    for (const r of resources) expect(r.outputs).toMatchObject({ networkId: 1, networkAffiliateId: 7 });
  });

  it("refresh fails naming both affiliates, and neither the state nor Everflow changes", async () => {
    useKey(KEY_8);
    const message = await failure(t.stack.refresh());
    expect(message).toContain("belongs to affiliate 7 of network 1");
    expect(message).toContain("speaks for affiliate 8 of network 1");
    expect(message).toContain("Nothing was changed");
    expect(trackedIds()).toEqual(ids);
    expect(writes()).toBe(0);
  });

  it("preview --refresh and destroy fail the same way, deactivating nothing", async () => {
    useKey(KEY_8);
    expect(await failure(t.stack.preview({ refresh: true }))).toContain("speaks for affiliate 8");
    expect(await failure(t.stack.destroy())).toContain("speaks for affiliate 8");
    expect(trackedIds()).toEqual(ids);
    expect(writes()).toBe(0);
    for (const id of ids) expect(t.emulator.store.get(id)?.pixel_status).toBe("active");
  });

  it("up writes nothing: no p6 in affiliate 8's account, no update of p2", async () => {
    useKey(KEY_8);
    addP6 = true;
    expect(await failure(t.stack.up())).toContain(
      "a new postback would be created in that affiliate's account",
    );
    addP6 = false;
    changeP2 = true;
    expect(await failure(t.stack.up())).toContain("speaks for affiliate 8 of network 1");
    changeP2 = false;
    expect(writes()).toBe(0);
    expect(t.emulator.store.all().filter((p) => p.network_affiliate_id === 8)).toHaveLength(1);
    expect(trackedIds()).toEqual(ids);
  });

  it("state written before owners were recorded: refused under the wrong key, upgraded under the right one", async () => {
    const deployment = (await t.stack.exportStack()).deployment;
    for (const r of deployment.resources) {
      if (r.outputs) {
        delete r.outputs.networkId;
        delete r.outputs.networkAffiliateId;
      }
    }
    await t.stack.importStack({ version: 3, deployment });
    useKey(KEY_8);
    expect(await failure(t.stack.refresh())).toContain("not recorded in the state");
    expect(trackedIds()).toEqual(ids);
    useKey(KEY_7);
    await t.stack.refresh();
    const outputs = (await t.stack.exportStack()).deployment.resources
      .filter((r: { type: string }) => r.type.endsWith("Postback"))
      .map((r: { outputs: Record<string, unknown> }) => r.outputs.networkAffiliateId);
    expect(outputs).toEqual([7, 7, 7, 7, 7]);
  });

  it("the same ids answering for another affiliate (another platform's base URL): refused, nothing written", async () => {
    const other = await startEmulator({
      accounts: [{ apiKey: KEY_8, networkId: 2, affiliateId: 8 }],
      rateLimit: { rate: 200, burst: 200 },
    });
    try {
      // The other platform numbers its postbacks from the same first id.
      for (let i = 0; i < 6; i++) other.store.seed(KEY_8, { postback_url: `https://other.example.com/${i}` });
      expect(other.store.all().map((p) => p.network_pixel_id)).toEqual(expect.arrayContaining(ids));
      useKey(KEY_8);
      await t.stack.setConfig("everflow:baseUrl", { value: other.url });
      // A refresh configures the provider as the last `up` did, unless it runs the program.
      const message = await failure(t.stack.previewRefresh({ runProgram: true }));
      expect(message).toContain("belongs to affiliate 7 of network 1");
      expect(message).toContain("speaks for affiliate 8 of network 2");
      expect(other.log.count(PUT)).toBe(0);
    } finally {
      await t.stack.setConfig("everflow:baseUrl", { value: t.emulator.url });
      await other.stop();
    }
  });

  it("pulumi-everflow drift fails naming both affiliates instead of reporting missing postbacks", async () => {
    const env = { ...stackEnv(t), EVERFLOW_API_KEY: KEY_8, EVERFLOW_BASE_URL: t.emulator.url };
    const run = await runCli(["drift", "--cwd", t.workDir, "--stack", "test"], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("belongs to affiliate 7 of network 1");
    expect(run.stderr).toContain("speaks for affiliate 8 of network 1");
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/missing|up --refresh/);
  });

  it("pulumi-everflow recover clears no interrupted create on another affiliate's listing", async () => {
    // p5's create as an interrupted run leaves it: in Everflow, its id never recorded. (`stack import`
    // drops pending operations, so the state file is written as the killed engine would leave it.)
    const file = path.join(t.stateDir, ".pulumi", "stacks", "everflow-test", "test.json");
    const original = fs.readFileSync(file, "utf8");
    const state = JSON.parse(original);
    const latest = state.checkpoint.latest;
    const at = latest.resources.findIndex((r: { urn: string }) => r.urn.endsWith("::p5"));
    const [{ id: _id, outputs: _outputs, ...resource }] = latest.resources.splice(at, 1);
    latest.pending_operations = [{ type: "creating", resource }];
    fs.writeFileSync(file, JSON.stringify(state));
    try {
      const env = { ...stackEnv(t), EVERFLOW_API_KEY: KEY_8, EVERFLOW_BASE_URL: t.emulator.url };
      const run = await runCli(["recover", "--cwd", t.workDir, "--stack", "test"], env);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("belong to affiliate 7 of network 1");
      expect(run.stderr).toContain("speaks for affiliate 8 of network 1");
      expect(run.stdout).not.toContain("Recovered");
      expect(JSON.parse(t.rawState()).checkpoint.latest.pending_operations).toHaveLength(1);
    } finally {
      fs.writeFileSync(file, original);
    }
    expect(trackedIds()).toEqual(ids);
  });

  it("a key whose listing is empty: refresh and drift refuse, naming the confirmation", async () => {
    useKey(KEY_9);
    const message = await failure(t.stack.refresh());
    expect(message).toContain("lists no postback at all");
    expect(message).toContain("EVERFLOW_CONFIRM_REMOVED=default");
    const env = { ...stackEnv(t), EVERFLOW_API_KEY: KEY_9, EVERFLOW_BASE_URL: t.emulator.url };
    const run = await runCli(["drift", "--cwd", t.workDir, "--stack", "test"], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("EVERFLOW_CONFIRM_REMOVED=default");
    expect(trackedIds()).toEqual(ids);
    expect(writes()).toBe(0);
  });

  it("with the right key back, preview --refresh plans no change: no duplicates", async () => {
    useKey(KEY_7);
    const preview = await t.stack.preview({ refresh: true });
    expect(preview.changeSummary).toEqual({ same: 6 });
  });

  it("a postback really removed while the others are listed still drops out on refresh", async () => {
    useKey(KEY_7);
    t.emulator.store.remove(ids[0]!);
    const refresh = await t.stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ delete: 1 });
    expect(trackedIds()).toEqual(ids.slice(1));
  });

  it("every postback of the account really removed: refused, then dropped once confirmed", async () => {
    useKey(KEY_7);
    for (const id of ids) t.emulator.store.remove(id);
    expect(await failure(t.stack.refresh())).toContain("EVERFLOW_CONFIRM_REMOVED=default");
    expect(trackedIds()).toEqual(ids.slice(1));
    env().EVERFLOW_CONFIRM_REMOVED = "default";
    const refresh = await t.stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ delete: 4 });
    expect(trackedIds()).toEqual([]);
    delete env().EVERFLOW_CONFIRM_REMOVED;
  });
});

describe("a key of another affiliate in stack config, with refresh --run-program", () => {
  let t: EverflowTestStack;
  beforeAll(async () => {
    t = await createEverflowStack(
      "account-identity-config",
      async () => {
        for (const [i, name] of NAMES.slice(0, 2).entries()) new Postback(name, args(i));
      },
      {
        emulator: { accounts: emulatorAccounts },
        config: { "everflow:apiKey": { value: KEY_7, secret: true } },
      },
    );
    await t.stack.up();
    t.emulator.store.seed(KEY_8, { postback_url: "https://eight.example.com/cb" });
  });
  afterAll(async () => t?.stop());

  it("fails naming both affiliates and keeps every postback", async () => {
    const before = t.trackedAndStored().tracked;
    await t.stack.setConfig("everflow:apiKey", { value: KEY_8, secret: true });
    t.emulator.log.reset();
    const message = await failure(t.stack.refresh({ runProgram: true }));
    expect(message).toContain("belongs to affiliate 7 of network 1");
    expect(message).toContain("speaks for affiliate 8 of network 1");
    expect(t.trackedAndStored().tracked).toEqual(before);
    expect(t.calls()[PUT]).toBeUndefined();
  });
});
