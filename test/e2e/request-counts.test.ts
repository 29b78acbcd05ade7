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
