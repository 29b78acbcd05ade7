import { execFileSync, spawn } from "node:child_process";
import * as path from "node:path";
import { main } from "../../cli/main";
import { Postback, PostbackArgs } from "../../sdk";
import { pulumiEngine } from "../support/engine";
import { createEverflowStack, EverflowTestStack } from "../support/everflow";

const POST = "POST /v1/affiliates/pixels";
const declared: Array<[string, PostbackArgs]> = [1, 2, 3, 4].map((i) => [
  `pb-${i}`,
  {
    deliveryMethod: "postback",
    pixelLevel: "global",
    pixelType: "conversion",
    postbackUrl: `https://track.example.com/${i}?tid={transaction_id}`,
  },
]);

/** Runs `pulumi up` in a process group of its own and SIGKILLs the group once `landed()` holds. */
async function upKilledWhen(t: EverflowTestStack, landed: () => boolean): Promise<void> {
  const driver = path.join(__dirname, "..", "support", "op-driver.js");
  const child = spawn(process.execPath, [driver, "up", t.workDir, JSON.stringify(declared)], {
    env: { ...process.env, ...t.env, PULUMI_ROOT: path.dirname(path.dirname(pulumiEngine().cliPath)) },
    detached: true,
    stdio: "ignore",
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const deadline = Date.now() + 60_000;
  while (!landed() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  // The engine starts the provider in a process group of its own: kill the whole tree at once, as a
  // dying machine would, so no provider lives on to finish the creates.
  for (const pid of [child.pid!, ...descendants(child.pid!)]) process.kill(pid, "SIGKILL");
  await exited;
}

/** The command's output collected in `out`, run in the stack's directory with its engine environment. */
function cliIo(t: EverflowTestStack, out: string[]) {
  const write = (s: string) => void out.push(s);
  return { stdout: write, stderr: write, env: { ...process.env, ...t.env }, cwd: t.workDir };
}

function descendants(pid: number): number[] {
  const parentOf = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const tree = (p: number): number[] =>
    parentOf.filter(([, pp]) => pp === p).flatMap(([c]) => [c, ...tree(c)]);
  return tree(pid);
}

describe("a pulumi up killed while creating postbacks", () => {
  let t: EverflowTestStack;
  afterAll(async () => t?.stop());

  it("is recovered without duplicates: created postbacks are recorded, not created again", async () => {
    t = await createEverflowStack("interrupted", async () => {
      for (const [name, args] of declared) new Postback(name, args);
    });
    // Every create lands in Everflow, but its answer is late: the run dies knowing no id.
    t.emulator.faults.slow(POST, declared.length, 10_000);
    await upKilledWhen(t, () => t.emulator.store.all().length === declared.length);
    const pending = JSON.parse(t.rawState()).checkpoint.latest.pending_operations as Array<{ type: string }>;
    expect(pending.map((op) => op.type)).toEqual(["creating", "creating", "creating", "creating"]);

    await t.stack.cancel(); // the killed run's lock
    const out: string[] = [];
    const io = cliIo(t, out);
    expect(await main(["recover", "--stack", "test", "--dry-run"], io)).toBe(0);
    expect(out.join("")).toMatch(/import {2}pb-1: postback \d+ was created/);
    expect(JSON.parse(t.rawState()).checkpoint.latest.pending_operations).toHaveLength(4);

    out.length = 0;
    expect(await main(["recover", "--stack", "test"], io)).toBe(0);
    expect(out.join("")).toContain("Recovered: 4 recorded, 0 cleared");

    t.emulator.log.reset();
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 5 });
    expect(t.calls()[POST]).toBeUndefined();
    expect(t.emulator.store.all()).toHaveLength(declared.length);
    const { tracked, stored } = t.trackedAndStored();
    expect(tracked).toEqual(stored);
  });

  it("clears creates that never reached Everflow, so the next up creates them once", async () => {
    await t.stop();
    t = await createEverflowStack("interrupted-early", async () => {
      for (const [name, args] of declared) new Postback(name, args);
    });
    // Everflow fails every create before writing (the client keeps retrying): the run dies with nothing
    // created.
    t.emulator.faults.failNext(POST, 10_000, 503);
    await upKilledWhen(t, () => pendingCount(t) === declared.length);
    t.emulator.faults.clear();
    await t.stack.cancel();
    const out: string[] = [];
    const io = cliIo(t, out);
    expect(await main(["recover", "--stack", "test"], io)).toBe(0);
    expect(out.join("")).toContain("Recovered: 0 recorded, 4 cleared");
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 4, same: 1 });
    expect(t.emulator.store.all()).toHaveLength(declared.length);
  });
});

function pendingCount(t: EverflowTestStack): number {
  try {
    return (JSON.parse(t.rawState()).checkpoint.latest?.pending_operations ?? []).length;
  } catch {
    return 0; // the state file is being written
  }
}
