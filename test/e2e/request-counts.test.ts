import { Postback, PostbackArgs } from "../../sdk";
import { createEverflowStack, EverflowTestStack } from "../support/everflow";

// One request per write: updates and destroys take their base from the account's listing that the run
// shares (one list), kept current by each write's answer, so N writes cost N + 1 requests.
const N = 50;
let delayMs = 0;
const args = (i: number): PostbackArgs => ({
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: `https://track.example.com/cb/${i}?tid={transaction_id}`,
  delayMs,
});
const program = async () => {
  for (let i = 0; i < N; i++) new Postback(`pb${i}`, args(i));
};

describe(`mass update and mass destroy of ${N} postbacks`, () => {
  let t: EverflowTestStack;
  beforeAll(async () => {
    t = await createEverflowStack("request-counts", program);
    await t.stack.up();
  });
  afterAll(async () => t?.stop());
  beforeEach(() => t.emulator.log.reset());

  it(`updates ${N} postbacks with ${N + 1} requests: one listing and one PUT each`, async () => {
    delayMs = 2500;
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ update: N });
    expect(t.calls()).toEqual({ "GET /v1/affiliates/pixels": 1, "PUT /v1/affiliates/pixels/:id": N });
    expect(t.emulator.store.all().every((p) => p.delay_ms === 2500)).toBe(true);
  });

  it(`destroys ${N} postbacks with ${N + 1} requests`, async () => {
    await t.stack.destroy();
    expect(t.calls()).toEqual({ "GET /v1/affiliates/pixels": 1, "PUT /v1/affiliates/pixels/:id": N });
    const stored = t.emulator.store.all();
    expect(stored).toHaveLength(N);
    expect(stored.every((p) => p.pixel_status === "inactive" && p.delay_ms === 2500)).toBe(true);
  });
});

// The listing a run shares can be given a maximum age (`everflow:listingMaxAgeSeconds`): a run of writes
// that outlasts it lists again. One update at a time, each PUT answered in 400 ms: 8 updates take over 3 s.
describe.each([
  { setting: undefined, lists: (n: number) => expect(n).toBe(1) },
  { setting: "1", lists: (n: number) => expect(n).toBeGreaterThanOrEqual(2) },
])("a slow run of updates with listingMaxAgeSeconds $setting", ({ setting, lists }) => {
  const M = 8;
  let slowDelayMs = 0;
  let t: EverflowTestStack;
  beforeAll(async () => {
    const config: Record<string, { value: string }> =
      setting === undefined ? {} : { "everflow:listingMaxAgeSeconds": { value: setting } };
    t = await createEverflowStack(
      `listing-age-${setting ?? "default"}`,
      async () => {
        for (let i = 0; i < M; i++) new Postback(`pb${i}`, { ...args(i), delayMs: slowDelayMs });
      },
      { config },
    );
    await t.stack.up();
  });
  afterAll(async () => t?.stop());

  it(`lists ${setting === undefined ? "once per run" : "again once the listing is older than the setting"}`, async () => {
    t.emulator.log.reset();
    t.emulator.faults.latency("PUT /v1/affiliates/pixels/:id", 400);
    slowDelayMs = 1000;
    const up = await t.stack.up({ parallel: 1 });
    expect(up.summary.resourceChanges).toMatchObject({ update: M });
    const calls = t.calls();
    expect(calls["PUT /v1/affiliates/pixels/:id"]).toBe(M);
    lists(calls["GET /v1/affiliates/pixels"] ?? 0);
  });
});
