// SIGTERM or SIGINT to `pulumi` while the provider is stuck, in a listing that never ends or in the
// waits of a rate-limited server: the engine's Cancel reaches the provider, the operation stops at once,
// `pulumi` exits promptly, and no provider process keeps talking to Everflow after it.

import { execFileSync, spawn } from "node:child_process";
import * as path from "node:path";
import { Postback, type PostbackArgs } from "../../sdk";
import { pulumiEngine } from "../support/engine";
import { createEverflowStack, type EverflowTestStack } from "../support/everflow";

const LIST = "GET /v1/affiliates/pixels";
const declared: Array<[string, PostbackArgs]> = [1, 2].map((i) => [
  `pb-${i}`,
  {
    deliveryMethod: "postback",
    pixelLevel: "global",
    pixelType: "conversion",
    postbackUrl: `https://track.example.com/${i}?tid={transaction_id}`,
  },
]);

interface Proc {
  pid: number;
  ppid: number;
  args: string;
}

function processes(): Proc[] {
  return execFileSync("ps", ["-e", "-o", "pid=,ppid=,args="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => {
      const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line)!;
      return { pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! };
    });
}

function descendants(pid: number, all = processes()): Proc[] {
  const children = all.filter((p) => p.ppid === pid);
  return children.flatMap((c) => [c, ...descendants(c.pid, all)]);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Starts `op` in a driver process, waits until `stuck()` holds, signals the `pulumi` process (only it),
 * and reports how long `pulumi` took to exit and whether any of its provider processes outlived it.
 */
async function signalledWhileStuck(
  t: EverflowTestStack,
  op: "refresh" | "up",
  signal: NodeJS.Signals,
  stuck: () => boolean,
): Promise<{ exitMs: number; survivors: Proc[]; output: string; driverCode: number | null }> {
  const driver = path.join(__dirname, "..", "support", "op-driver.js");
  const child = spawn(process.execPath, [driver, op, t.workDir, JSON.stringify(declared)], {
    env: { ...process.env, ...t.env, PULUMI_ROOT: path.dirname(path.dirname(pulumiEngine().cliPath)) },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  try {
    await until("the provider to get stuck", stuck, 90_000);
    const tree = descendants(child.pid!);
    const pulumi = tree.find((p) => /(^|\/)pulumi\s/.test(p.args));
    const providers = tree.filter((p) => p.args.includes("dynamic-provider"));
    expect(pulumi).toBeDefined();
    expect(providers.length).toBeGreaterThan(0);
    const signalled = Date.now();
    process.kill(pulumi!.pid, signal);
    await until("pulumi to exit", () => !alive(pulumi!.pid), 60_000);
    const exitMs = Date.now() - signalled;
    if (process.env.REPORT_TIMINGS) process.stderr.write(`pulumi exited ${exitMs} ms after ${signal}\n`);
    const driverCode = await exited;
    return { exitMs, survivors: providers.filter((p) => alive(p.pid)), output, driverCode };
  } finally {
    for (const p of [child.pid!, ...descendants(child.pid!).map((d) => d.pid)]) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // gone already
      }
    }
  }
}

describe("an engine run signalled while the provider is stuck", () => {
  let t: EverflowTestStack;
  beforeAll(async () => {
    t = await createEverflowStack("engine-cancel", async () => {
      for (const [name, args] of declared) new Postback(name, args);
    });
    await t.stack.up();
  });
  afterEach(async () => {
    t.emulator.settings.resetPaging();
    t.emulator.faults.clear();
    await t.stack.cancel().catch(() => undefined); // a lock left by the signalled run, if any
  });
  afterAll(async () => t?.stop());

  it.each(["SIGTERM", "SIGINT"] as const)(
    "%s during a listing that never ends: pulumi exits within seconds, nothing keeps listing",
    async (signal) => {
      const before = t.trackedAndStored();
      t.emulator.settings.setPaging({ endless: true, maxPageSize: 5 });
      t.emulator.faults.latency(LIST, 30);
      t.emulator.log.reset();
      const r = await signalledWhileStuck(t, "refresh", signal, () => t.emulator.log.count(LIST) > 10);
      expect(r.exitMs).toBeLessThan(10_000);
      expect(r.survivors).toEqual([]);
      expect(r.driverCode).toBe(1);
      expect(r.output).toMatch(/cancelled \(the engine cancelled the run\)/);
      const listed = t.emulator.log.count(LIST);
      await sleep(1_500);
      expect(t.emulator.log.count(LIST)).toBe(listed);
      // The cancelled refresh dropped nothing.
      expect(t.trackedAndStored()).toEqual(before);
    },
  );

  it("SIGTERM while retrying a rate-limited server: pulumi exits within seconds", async () => {
    t.emulator.faults.failNext("*", 100_000, 429, "Rate limit exceeded");
    t.emulator.log.reset();
    const r = await signalledWhileStuck(t, "refresh", "SIGTERM", () => t.emulator.log.count(LIST) >= 2);
    expect(r.exitMs).toBeLessThan(10_000);
    expect(r.survivors).toEqual([]);
    const seen = t.totalCalls();
    await sleep(1_500);
    expect(t.totalCalls()).toBe(seen);
  });
});
