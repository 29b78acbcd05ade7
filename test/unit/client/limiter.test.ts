import { accountKey, TokenBucket, type Permit } from "../../../provider/client";
import { Cancellation } from "../../../provider/client/cancel";
import { limiterFor, resetLimiters } from "../../../provider/client/limiter";
import { FakeClock } from "./helpers";

/** Fire n acquisitions; collect the permits in grant order. */
function fire(bucket: TokenBucket, n: number): { permits: Permit[]; granted: () => number } {
  const permits: Permit[] = [];
  for (let i = 0; i < n; i++) void bucket.acquire().then((p) => permits.push(p));
  return { permits, granted: () => permits.length };
}

describe("TokenBucket (fake clock)", () => {
  test("a cancel lets every waiter go at once, without a token; later waiters queue as before", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ rate: 1, burst: 2, clock });
    const scope = new Cancellation();
    const other = new Cancellation();
    const granted: string[] = [];
    const first: Permit[] = [];
    for (let i = 0; i < 2; i++)
      void bucket.acquire(scope).then((p) => {
        first.push(p);
        granted.push(`first ${i}`);
      });
    for (let i = 0; i < 3; i++) void bucket.acquire(scope).then(() => granted.push(`cancelled ${i}`));
    void bucket.acquire(other).then(() => granted.push("other"));
    await clock.advance(0);
    expect(granted).toEqual(["first 0", "first 1"]);
    scope.cancel("test");
    await clock.advance(0);
    expect(granted).toEqual(["first 0", "first 1", "cancelled 0", "cancelled 1", "cancelled 2"]);
    expect(bucket.stats()).toMatchObject({ acquired: 2, queued: 1 });
    // The waiter of another scope keeps its place and gets the next token (the burst was answered).
    for (const p of first) p.done(200, 5);
    await clock.advance(1000);
    expect(granted.at(-1)).toBe("other");
    expect(bucket.stats()).toMatchObject({ acquired: 3, queued: 0 });
    // Acquiring in a scope already cancelled: let go at once, no token taken.
    const late = await bucket.acquire(scope);
    late.done(200, 0);
    expect(bucket.stats()).toMatchObject({ acquired: 3, queued: 0 });
  });

  test("burst at once, then the sustained rate; never more than burst + rate*t by time t", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ rate: 5, burst: 20, clock });
    const run = fire(bucket, 60);
    await clock.advance(0);
    expect(run.granted()).toBe(20);
    // The burst's responses come back: refill starts (the server's bucket refills once it has
    // processed the burst).
    run.permits.forEach((p, i) => p.done(200, 19 - i));
    for (let t = 100; t <= 8000; t += 100) {
      await clock.advance(100);
      expect(run.granted()).toBeLessThanOrEqual(20 + Math.floor((t * 5) / 1000));
      for (const p of run.permits) p.done(200, 0);
    }
    expect(run.granted()).toBe(60);
    expect(bucket.stats()).toMatchObject({ acquired: 60, waited: 40, queued: 0 });
  });

  test("no refill from a burst taken from a full bucket until the server answers one of its requests", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ rate: 10, burst: 3, clock, anchorTimeoutMs: 1000 });
    const run = fire(bucket, 5);
    await clock.advance(0);
    expect(run.granted()).toBe(3);
    run.permits[0]?.done(); // a failure without a response proves nothing of the server's bucket
    await clock.advance(500);
    expect(run.granted()).toBe(3); // 500 ms at 10/s would be 5 tokens, but nothing was answered yet
    run.permits[1]?.done(200, 0); // answered: the server refills since it processed that request
    await clock.advance(99);
    expect(run.granted()).toBe(3);
    await clock.advance(1);
    expect(run.granted()).toBe(4); // while the burst's third request is still on the wire

    // A burst that ends with no answer at all lets refill resume too.
    const clock3 = new FakeClock();
    const b3 = new TokenBucket({ rate: 10, burst: 2, clock: clock3, anchorTimeoutMs: 1000 });
    const run3 = fire(b3, 3);
    await clock3.advance(300);
    run3.permits.forEach((p) => p.done());
    await clock3.advance(99);
    expect(run3.granted()).toBe(2);
    await clock3.advance(1);
    expect(run3.granted()).toBe(3);

    // Without any end, refill resumes after the anchor timeout.
    const clock2 = new FakeClock();
    const b2 = new TokenBucket({ rate: 10, burst: 1, clock: clock2, anchorTimeoutMs: 1000 });
    const run2 = fire(b2, 2);
    await clock2.advance(1099);
    expect(run2.granted()).toBe(1);
    await clock2.advance(1);
    expect(run2.granted()).toBe(2);
  });

  test("X-RateLimit-Remaining: 0 pauses until the next refill; a lower remaining caps the tokens", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ rate: 5, burst: 20, clock });
    (await bucket.acquire()).done(200, 0); // another process emptied the account's bucket
    expect(bucket.available()).toBe(0);
    expect(bucket.stats().drainedByServer).toBe(1);
    const run = fire(bucket, 1);
    await clock.advance(199);
    expect(run.granted()).toBe(0);
    await clock.advance(1);
    expect(run.granted()).toBe(1);

    const b2 = new TokenBucket({ rate: 5, burst: 20, clock });
    (await b2.acquire()).done(200, 3);
    expect(b2.available()).toBe(3);
    b2.observe(200, 15); // a higher remaining never adds tokens
    expect(b2.available()).toBe(3);
  });

  test("a 429 empties the bucket and Retry-After pauses it", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ rate: 5, burst: 20, clock });
    const permit = await bucket.acquire();
    permit.done(429, 0);
    permit.done(200, 20); // a second call is ignored
    expect(bucket.available()).toBe(0);
    expect(bucket.stats().rateLimited).toBe(1);
    await clock.advance(10_000);
    bucket.pause(3_000);
    const run = fire(bucket, 1);
    await clock.advance(2_999);
    expect(run.granted()).toBe(0);
    await clock.advance(1);
    expect(run.granted()).toBe(1);
  });

  test("waiters are served first come, first served", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ rate: 1, burst: 2, clock });
    const order: number[] = [];
    for (let i = 0; i < 5; i++) {
      void bucket.acquire().then((p) => {
        order.push(i);
        p.done(200, 0);
      });
    }
    await clock.advance(2_000);
    expect(order).toEqual([0, 1, 2, 3]);
    await clock.advance(1_000);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  test("a 429 cuts the rate and the burst, which then climb back to the configured ones", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ rate: 5, burst: 20, clock });
    expect(bucket.stats()).toMatchObject({ currentRate: 5, currentCapacity: 20, cuts: 0 });
    (await bucket.acquire()).done(429, 0);
    expect(bucket.stats()).toMatchObject({ currentRate: 2.5, currentCapacity: 10, cuts: 1 });
    const rates: number[] = [];
    for (let s = 1; s <= 6; s++) {
      await clock.advance(1000);
      rates.push(bucket.stats().currentRate);
    }
    // Fast at first, flat near the rate of the last throttle (about 2.9 s on), then probing beyond it.
    expect(rates[0]).toBeGreaterThan(3);
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeGreaterThanOrEqual(rates[i - 1]!);
    expect(rates[1]! - rates[0]!).toBeGreaterThan(rates[2]! - rates[1]!);
    expect(rates[5]).toBe(5);
    expect(bucket.stats().currentCapacity).toBe(20);
  });

  test("after a cut the bucket sends at the lower rate", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ rate: 5, burst: 20, clock });
    const first = fire(bucket, 20);
    await clock.advance(0);
    first.permits.forEach((p) => p.done(200, 0));
    const throttled = fire(bucket, 1);
    await clock.advance(200);
    throttled.permits[0]?.done(429, 0);
    expect(bucket.stats().currentRate).toBe(2.5);
    // 2.5/s now, climbing back towards 5/s: over the next two seconds fewer than the 10 of 5/s.
    const run = fire(bucket, 20);
    for (let t = 0; t < 2000; t += 50) {
      await clock.advance(50);
      for (const p of run.permits) p.done(200, 0);
    }
    expect(run.granted()).toBeGreaterThanOrEqual(5);
    expect(run.granted()).toBeLessThanOrEqual(8);
  });

  test("one cut per round: 429s answering requests sent before the last cut do not cut again", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ rate: 5, burst: 20, clock });
    const round = fire(bucket, 8);
    await clock.advance(10);
    expect(round.granted()).toBe(8);
    for (const p of round.permits) p.done(429, 0); // one overload, eight answers
    expect(bucket.stats()).toMatchObject({ rateLimited: 8, cuts: 1, currentRate: 2.5 });
    const later = fire(bucket, 1);
    await clock.advance(1000);
    const before = bucket.stats().currentRate;
    later.permits[0]?.done(429, 0); // sent after the cut: the overload goes on
    expect(bucket.stats()).toMatchObject({ cuts: 2 });
    // Half the rate it was sending at by then (2.5/s and a second of growth).
    expect(before).toBeGreaterThan(2.5);
    expect(bucket.stats().currentRate).toBeCloseTo(before / 2, 6);
  });

  test("the rate never falls below minRate; a fixed bucket never adapts", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ rate: 5, burst: 20, clock, minRate: 1 });
    for (let i = 0; i < 10; i++) {
      await clock.advance(1000);
      (await bucket.acquire()).done(429, 0);
    }
    expect(bucket.stats().cuts).toBe(10);
    expect(bucket.stats().currentRate).toBe(1);
    expect(bucket.stats().currentCapacity).toBe(4);

    const fixed = new TokenBucket({ rate: 5, burst: 20, clock, adaptive: false });
    (await fixed.acquire()).done(429, 0);
    expect(fixed.stats()).toMatchObject({ cuts: 0, currentRate: 5, currentCapacity: 20 });
  });

  test("configuration is checked", () => {
    expect(() => new TokenBucket({ rate: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ burst: 0 })).toThrow(RangeError);
  });
});

describe("limiter registry", () => {
  afterEach(() => resetLimiters());

  test("one bucket per base URL; account keys hash the API key, never hold it", () => {
    const key = "sk-secret-key-0001";
    const k = accountKey("https://api.eflow.team/v1/", key);
    expect(k).toMatch(/^https:\/\/api\.eflow\.team\/v1#[0-9a-f]{64}$/);
    expect(k).not.toContain(key);
    const a = limiterFor("https://api.eflow.team/v1");
    expect(limiterFor("https://api.eflow.team/v1/")).toBe(a);
    // Every key of a base URL shares the bucket: Everflow's limit spans all keys of an account.
    expect(limiterFor("https://api-eu.eflow.team/v1")).not.toBe(a);
  });
});
