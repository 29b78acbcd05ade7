// A listing the server pages wrongly, through the engine: nothing is decided on it. A refresh fails
// naming what is missing and drops nothing; drift reports an error, not "missing"; a create whose
// answer was lost does not POST again on the strength of a partial listing.

import { Postback, type PostbackArgs } from "../../sdk";
import { createEverflowStack, type EverflowTestStack } from "../support/everflow";
import { POST, runCli, stackEnv } from "./cli/helpers";

const args = (i: number): PostbackArgs => ({
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: `https://track.example.com/${i}?tid={transaction_id}`,
});

describe("paging anomalies through the engine", () => {
  let t: EverflowTestStack;
  let count = 3;
  let tracked: number[];
  beforeAll(async () => {
    t = await createEverflowStack("paging", async () => {
      for (let i = 1; i <= count; i++) new Postback(`pb-${i}`, args(i));
    });
    await t.stack.up();
    tracked = t.trackedAndStored().tracked;
    // One postback is really gone from Everflow: a refresh on a complete listing would drop it, a
    // refresh on a partial one must not drop anything.
    t.emulator.store.remove(tracked[0]!);
  });
  afterEach(() => {
    t.emulator.settings.resetPaging();
    t.emulator.faults.clear();
  });
  afterAll(async () => t?.stop());

  it.each([
    [
      "pages counted from 0",
      { zeroBased: true, maxPageSize: 1 },
      "listed 1 of 2 postbacks: page 2 came back empty",
    ],
    [
      "a repeated page",
      { repeatFirstPage: true, maxPageSize: 1 },
      "listed 1 of 2 postbacks: page 2 repeats postback",
    ],
    ["a total too large", { totalOffset: 2 }, "listed 2 of 4 postbacks: page 2 came back empty"],
  ])(
    "%s: refresh fails naming what is missing, and drops nothing; drift errs",
    async (_name, quirks, why) => {
      t.emulator.settings.setPaging(quirks);
      const error = await t.stack.refresh().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toContain(why);
      expect(t.trackedAndStored().tracked).toEqual(tracked);

      const drift = await runCli(["drift", "--cwd", t.workDir, "--stack", "test"], stackEnv(t));
      expect(drift.code).toBe(1);
      expect(drift.stderr).toContain(why);
      expect(drift.stdout).toBe("");
    },
  );

  it("a create in a stack that records its owner lists first: a partial listing stops it before any POST", async () => {
    count = 4;
    // The stack's postbacks record affiliate 7: the create checks the key's affiliate with a listing
    // (ownership.ts), and that listing is paged from 0.
    t.emulator.settings.setPaging({ zeroBased: true, maxPageSize: 1 });
    t.emulator.log.reset();
    const error = await t.stack.up().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain("listed 1 of 2 postbacks: page 2 came back empty");
    expect(t.calls()[POST]).toBeUndefined();
    expect(t.emulator.store.all()).toHaveLength(2);
    count = 3;
  });

  it("a create whose answer was lost is not sent again on a partial listing", async () => {
    // A stack with no postback yet (no owner to check the key against): the create POSTs at once; its
    // answer is lost, and the listing that should find it is paged from 0.
    const fresh = await createEverflowStack("paging-create", async () => {
      new Postback("pb-new", args(9));
    });
    try {
      for (const i of [1, 2]) {
        fresh.emulator.store.seed(7, { postback_url: `https://other.example/${i}` });
      }
      fresh.emulator.faults.resetAfterWrite(POST, 1);
      fresh.emulator.settings.setPaging({ zeroBased: true, maxPageSize: 1 });
      const error = await fresh.stack.up().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toContain(
        "the postback may have been created, and checking failed: listed 2 of 3 postbacks: page 3 came back empty",
      );
      expect(fresh.calls()[POST]).toBe(1);
      expect(fresh.emulator.store.all()).toHaveLength(3);
    } finally {
      await fresh.stop();
    }
  });

  it("with honest paging (capped pages), the same refresh drops the postback really removed", async () => {
    t.emulator.settings.setPaging({ alwaysPaged: true, maxPageSize: 1 });
    await t.stack.refresh();
    expect(t.trackedAndStored().tracked).toEqual(tracked.slice(1));
  });
});
