// Several processes on one account (5/s, burst 20), simulated on a fake clock: the adaptive limiter
// must share the account fairly without slowing a process that is alone on it.

import { simulateAccount, type SimulationResult } from "./shared-account";

// Each test simulates up to six runs of hundreds of requests on the fake clock: CPU work that took over
// Jest's default 5 s when the whole suite ran on a loaded 2-core CI machine. The time is not asserted.
jest.setTimeout(60_000);

const spread = (r: SimulationResult): number => {
  const times = r.processes.map((p) => p.finishedMs);
  return Math.max(...times) / Math.min(...times);
};

test("a process alone: no 429, at the account's floor, as fast as a fixed-rate bucket", async () => {
  const adaptive = await simulateAccount([{ requests: 300 }]);
  const fixed = await simulateAccount([{ requests: 300, limiter: { adaptive: false } }]);
  expect(adaptive.throttled).toBe(0);
  expect(adaptive.processes[0]?.cuts).toBe(0);
  expect(adaptive.totalMs).toBeLessThanOrEqual(fixed.totalMs);
  expect(adaptive.totalMs).toBeLessThanOrEqual(adaptive.floorMs * 1.01);
});

test("three processes of 100 requests: fair shares, near the floor, every request through", async () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const r = await simulateAccount([{ requests: 100 }, { requests: 100 }, { requests: 100 }], {
      rate: 5,
      burst: 20,
      seed,
    });
    expect(spread(r)).toBeLessThan(1.5);
    expect(r.totalMs).toBeLessThan(r.floorMs * 1.15);
    for (const p of r.processes) {
      expect(p.cuts).toBeGreaterThan(0);
      // Each process's 429s stay a fraction of its requests.
      expect(p.throttled).toBeLessThan(100);
    }
  }
});

test("fixed-rate buckets on the same account: one process takes the account, the others wait", async () => {
  const fixed = { adaptive: false } as const;
  let worstFixed = 0;
  let worstAdaptive = 0;
  let throttledFixed = 0;
  let throttledAdaptive = 0;
  for (const seed of [1, 2, 3]) {
    const f = await simulateAccount(
      [100, 100, 100].map((requests) => ({ requests, limiter: fixed })),
      { rate: 5, burst: 20, seed },
    );
    const a = await simulateAccount(
      [100, 100, 100].map((requests) => ({ requests })),
      {
        rate: 5,
        burst: 20,
        seed,
      },
    );
    worstFixed = Math.max(worstFixed, spread(f));
    worstAdaptive = Math.max(worstAdaptive, spread(a));
    throttledFixed += f.throttled;
    throttledAdaptive += a.throttled;
  }
  expect(worstFixed).toBeGreaterThan(1.5);
  expect(worstAdaptive).toBeLessThan(worstFixed);
  expect(throttledAdaptive).toBeLessThan(throttledFixed);
});

test("a process that joins later gets its share while the others run", async () => {
  const r = await simulateAccount([{ requests: 150 }, { requests: 150 }, { requests: 60, startMs: 20_000 }]);
  const late = r.processes[2]!;
  // Between 25 s and 35 s, three processes share 5/s: the newcomer gets well above nothing and not
  // the whole account.
  const window = late.perSecond.slice(25, 35).reduce((sum, n) => sum + n, 0);
  expect(window).toBeGreaterThan(10);
  expect(window).toBeLessThan(30);
  expect(r.totalMs).toBeLessThan(r.floorMs * 1.15);
});
