import { startEmulator, type EmulatorHandle } from "../../../emulator";
import { resetClientRegistry } from "../../../provider/client";
import { Postbacks, type CallContext } from "../../../provider/core/postbacks";

// A create that finds the postback it declares already in Everflow, let go of by the stack (a soft
// delete by `pulumi destroy`, or `pulumi state delete`), says so, naming the ids.

const KEY = "twins-key";
let emulator: EmulatorHandle;
const warnings: string[] = [];
const ctx: CallContext = { warn: async (m) => void warnings.push(m), secrets: new Set() };
const declared = {
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: "https://t.example.com/twin?tid={transaction_id}",
};

beforeAll(async () => {
  emulator = await startEmulator({
    accounts: [{ apiKey: KEY, networkId: 1, affiliateId: 7 }],
    rateLimit: { rate: 1000, burst: 1000 },
  });
});
afterAll(async () => {
  await resetClientRegistry();
  await emulator.stop();
});
beforeEach(() => {
  warnings.length = 0;
  for (const p of emulator.store.all()) emulator.store.remove(p.network_pixel_id);
});

function run(): Postbacks {
  const config: Record<string, string> = { "everflow:apiKey": KEY, "everflow:baseUrl": emulator.url };
  const p = new Postbacks();
  p.configure({ get: (key) => config[key] });
  return p;
}

it("names an active twin the stack no longer tracks (after a state delete): both would fire", async () => {
  const first = await run().create(run().check(declared).inputs, ctx);
  warnings.length = 0;
  const second = await run().create(run().check(declared).inputs, ctx);
  expect(warnings).toEqual([
    expect.stringContaining(
      `postback ${second.id} was created, but Everflow already holds a postback identical to this declaration ` +
        `that no resource of this stack manages: ${first.id} (active); both fire for every conversion`,
    ),
  ]);
  expect(warnings[0]).toContain("`import` resource option");
});

it("names an inactive twin (after a destroy) without claiming it fires", async () => {
  const first = await run().create(run().check(declared).inputs, ctx);
  await run().delete(first.id, first.outs, ctx);
  warnings.length = 0;
  await run().create(run().check(declared).inputs, ctx);
  expect(warnings).toEqual([expect.stringContaining(`${first.id} (inactive).`)]);
});

it("says nothing of postbacks that differ, or that this run created or keeps", async () => {
  const p = run();
  const other = await p.create(p.check({ ...declared, delayMs: 5 }).inputs, ctx);
  const kept = await run().create(run().check({ ...declared, pixelType: "cpc" }).inputs, ctx);
  warnings.length = 0;
  const q = run();
  q.diff(kept.id, kept.outs, kept.outs); // the stack keeps it
  await q.create(q.check(declared).inputs, ctx);
  await q.create(q.check(declared).inputs, ctx); // identical to the one this run just created
  await q.create(q.check({ ...declared, pixelType: "cpc" }).inputs, ctx);
  expect(warnings).toEqual([]);
  expect(other.id).not.toBe(kept.id);
});
