// `pulumi-everflow recover` reads the stack's state, changes it and imports it back. A writer running
// meanwhile (a `pulumi up` creating postbacks, a refresh, another recover) must never lose its writes:
// recover refuses while the stack's lock is held, holds the lock itself from its first read to the
// import, and imports only if the state is still the one it read. Through the real engine.

import * as fs from "node:fs";
import * as path from "node:path";
import { Postback, type PostbackArgs } from "../../../sdk";
import { resetClientRegistry } from "../../../provider/client";
import { createEverflowStack, type EverflowTestStack } from "../../support/everflow";
import { interruptCreates, LIST, pendingCreates, POST, runCli, stackEnv, type CliRun } from "./helpers";

const declared: Array<[string, PostbackArgs]> = [1, 2, 3, 4].map((i) => [
  `pb-${i}`,
  {
    deliveryMethod: "postback",
    pixelLevel: "global",
    pixelType: "conversion",
    postbackUrl: `https://track.example.com/${i}?tid={transaction_id}`,
  },
]);

const program = async () => {
  for (const [name, args] of declared) new Postback(name, args);
};

async function until(what: string, holds: () => boolean, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A recover run in the background; waiting for it to list fails at once with its output if it ended. */
function background(run: Promise<CliRun>) {
  let ended: CliRun | undefined;
  void run.then((r) => (ended = r));
  return {
    run,
    listing: (t: EverflowTestStack) =>
      until("recover is listing the account", () => {
        if (ended) throw new Error(`recover ended before listing: ${JSON.stringify(ended)}`);
        return t.emulator.log.count(LIST) === 1;
      }),
  };
}

describe("recover beside other writers of the stack", () => {
  let t: EverflowTestStack;
  let env: NodeJS.ProcessEnv;
  const recover = (...flags: string[]) =>
    runCli(["recover", "--cwd", t.workDir, "--stack", "test", ...flags], env);
  const lockDir = () => path.join(t.stateDir, ".pulumi", "locks", "organization", "everflow-test", "test");
  const stateFile = () => path.join(t.stateDir, ".pulumi", "stacks", "everflow-test", "test.json");

  beforeEach(async () => {
    t = await createEverflowStack("cli-recover-race", program);
    env = stackEnv(t);
  });
  afterEach(async () => {
    await resetClientRegistry();
    await t?.stop();
  });

  it("refuses while an up is creating postbacks; the up ends with each postback tracked once", async () => {
    // The up's creates go out one by one (a slow rate limit), and Everflow answers each 15 s late: for a
    // while, some creates have landed and some have not, and all of them are pending in the state,
    // exactly as a killed run leaves them. A recover that took them for interrupted ones would record
    // the landed ones, clear the others, and, with its listing slow enough for the up to end first,
    // import a state older than the up's end: the next up would create the cleared ones again.
    await t.stack.setAllConfig({
      "everflow:requestsPerSecond": { value: "0.2" },
      "everflow:burst": { value: "2" },
    });
    t.emulator.faults.slow(POST, declared.length, 15_000);
    let upDone = false;
    const up = t.stack.up().finally(() => (upDone = true));
    await until("some creates landed, all are pending", () => {
      return t.emulator.store.all().length >= 1 && pendingCreates(t) === declared.length;
    });
    expect(t.emulator.store.all().length).toBeLessThan(declared.length);
    t.emulator.faults.slow(LIST, 1, 25_000);
    const listings = t.emulator.log.count(LIST);

    for (const flags of [[], ["--dry-run"]]) {
      const r = await recover(...flags);
      expect(r.stdout).toBe("");
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(`pulumi-everflow recover: stack "test" is locked by ${lockDir()}/`);
      expect(r.stderr).toContain("`pulumi cancel --yes --stack test`");
      expect(r.stderr).toContain("Nothing was changed.");
      expect(r.code).toBe(1);
    }
    // Refused before reading anything: no listing, and the up is still at work on its creates.
    expect(t.emulator.log.count(LIST)).toBe(listings);
    expect(upDone).toBe(false);

    const result = await up;
    expect(result.summary.resourceChanges).toEqual({ create: declared.length + 1 });
    expect(t.emulator.log.count(POST)).toBe(declared.length);
    const { tracked, stored } = t.trackedAndStored();
    expect(stored).toHaveLength(declared.length);
    expect(tracked).toEqual(stored);
    expect(pendingCreates(t)).toBe(0);

    // And the next up has nothing to create: no duplicate.
    t.emulator.log.reset();
    const again = await t.stack.up();
    expect(again.summary.resourceChanges).toEqual({ same: declared.length + 1 });
    expect(t.emulator.log.count(POST)).toBe(0);
  });

  it("holds the lock while it plans: an up and a second recover refuse, then it recovers", async () => {
    await t.stack.up();
    interruptCreates(t, ["pb-2", "pb-3"]);
    t.emulator.log.reset();
    // The listing recover plans from is slow: the other writers start while recover holds the lock.
    t.emulator.faults.slow(LIST, 1, 15_000);
    const first = background(recover());
    await first.listing(t);
    expect(fs.readdirSync(lockDir())).toHaveLength(1);

    const second = await recover();
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(
        `is locked by ${lockDir()}/[0-9a-f-]+\\.json \\(pulumi-everflow recover, .*pid ${process.pid},`,
      ),
    );
    await expect(t.stack.up()).rejects.toThrow(/the stack is currently locked by 1 lock\(s\)/);

    const r = await first.run;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Recovered: 2 recorded, 0 cleared.");
    expect(fs.readdirSync(lockDir())).toEqual([]);

    t.emulator.log.reset();
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: declared.length + 1 });
    expect(t.emulator.log.count(POST)).toBe(0);
    const { tracked, stored } = t.trackedAndStored();
    expect(tracked).toEqual(stored);
  });

  it("changes nothing when the state changed between its plan and its import", async () => {
    await t.stack.up();
    interruptCreates(t, ["pb-1", "pb-4"]);
    // The up listed the account too (before its first create): count recover's listing alone.
    t.emulator.log.reset();
    t.emulator.faults.slow(LIST, 1, 15_000);
    const running = background(recover());
    await running.listing(t);
    // A writer the lock does not stop (another machine, on a backend whose locks recover cannot see)
    // settles one of the creates meanwhile.
    const edited = JSON.parse(fs.readFileSync(stateFile(), "utf8"));
    edited.checkpoint.latest.pending_operations.pop();
    const text = JSON.stringify(edited, null, 4);
    fs.writeFileSync(stateFile(), text);

    const r = await running.run;
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("Recovered");
    expect(r.stderr).toBe(
      'pulumi-everflow recover: the state of stack "test" changed while recover was planning (an update, ' +
        "refresh or another recover wrote it): nothing was changed. Run recover again once no update is running.\n",
    );
    expect(fs.readFileSync(stateFile(), "utf8")).toBe(text);
    expect(fs.readdirSync(lockDir())).toEqual([]);

    // Run again on the state as it is now, it recovers the create that is left.
    const again = await recover();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Recovered: 1 recorded, 0 cleared.");
  });
});
