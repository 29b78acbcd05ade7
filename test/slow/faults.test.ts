import { Postback } from "../../sdk";
import { createEverflowStack, EverflowTestStack } from "../support/everflow";

const POST = "POST /v1/affiliates/pixels";
const PUT = "PUT /v1/affiliates/pixels/:id";

const many =
  (count: number, offset = 0) =>
  () => {
    for (let i = 0; i < count; i++) {
      new Postback(`pb-${i}`, {
        deliveryMethod: "postback",
        pixelLevel: "specific",
        networkOfferId: 100 + i,
        pixelType: "conversion",
        postbackUrl: `https://track.example.com/cb/${i}?tid={transaction_id}`,
        delayMs: offset,
      });
    }
  };

function assertOnePixelPerPostback(t: EverflowTestStack, count: number) {
  const active = t.emulator.store.all();
  expect(active).toHaveLength(count);
  expect(new Set(active.map((p) => p.network_offer_id)).size).toBe(count);
}

describe("faults through the real engine", () => {
  let t: EverflowTestStack;
  let program = many(12);
  afterEach(async () => t?.stop());

  it("429s, 5xx and resets after the write leave exactly one postback each, all tracked", async () => {
    t = await createEverflowStack("faults", async () => program());
    t.emulator.faults.failNext(POST, 3, 429);
    t.emulator.faults.failNext(POST, 2, 503);
    t.emulator.faults.resetAfterWrite(POST, 2);
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 13 });
    assertOnePixelPerPostback(t, 12);
    const { tracked, stored } = t.trackedAndStored();
    expect(tracked).toEqual(stored);

    // Updates under the same faults: PUT is a full replacement, so repeating it is safe.
    program = many(12, 1000);
    t.emulator.log.reset();
    t.emulator.faults.failNext(PUT, 2, 502);
    t.emulator.faults.resetAfterWrite(PUT, 2);
    const update = await t.stack.up();
    expect(update.summary.resourceChanges).toEqual({ same: 1, update: 12 });
    expect(t.emulator.store.all().every((p) => p.delay_ms === 1000)).toBe(true);
    expect(t.calls()[POST]).toBeUndefined();
    const again = await t.stack.preview({ refresh: true });
    expect(again.changeSummary).toEqual({ same: 13 });
  });

  it("a create whose answer never comes (client timeout) is adopted, not repeated", async () => {
    program = many(3);
    t = await createEverflowStack("timeouts", async () => program(), {
      config: { "everflow:timeoutMs": { value: "1500" } },
    });
    t.emulator.faults.slow(POST, 1, 20_000);
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 4 });
    assertOnePixelPerPostback(t, 3);
    expect(t.calls()["GET /v1/affiliates/pixels"]).toBeGreaterThanOrEqual(1);
  });

  it("under Everflow's real limit (5/s, burst 20) 40 creates see no 429", async () => {
    program = many(40);
    t = await createEverflowStack("rate-limit", async () => program(), {
      emulator: { rateLimit: { rate: 5, burst: 20 } },
      config: { "everflow:requestsPerSecond": { value: "5" }, "everflow:burst": { value: "20" } },
    });
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 41 });
    assertOnePixelPerPostback(t, 40);
    const throttled = t.emulator.log.entries().filter((e) => e.status === 429).length;
    expect(throttled).toBe(0);
  });
});
