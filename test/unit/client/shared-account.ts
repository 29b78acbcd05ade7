// A simulated Everflow account shared by several client processes, on a fake clock: the emulator's own
// token bucket plays the server, each "process" is a TokenBucket of the client with a fixed number of
// operations in flight (the engine's parallelism), and a throttled request is retried as the transport
// does (a short jitter, then the bucket decides). The figures it returns are counts and fake-clock
// times, so the tests that use it assert behaviour, not the speed of the machine.

import { RateLimiter } from "../../../emulator/rate-limit";
import { TokenBucket, type RateLimitOptions } from "../../../provider/client";
import { FakeClock } from "./helpers";

export interface ProcessSpec {
  /** Operations (successful requests) to make. */
  requests: number;
  /** Start after this many ms. Default 0. */
  startMs?: number;
  /** Operations in flight at once. Default 8 (the engine's default on 2 cores). */
  parallel?: number;
  /** Limiter options of this process. Default: the client's defaults (5/s, burst 20, adaptive). */
  limiter?: RateLimitOptions;
}

export interface ProcessResult {
  /** When the last operation succeeded (ms of the fake clock, from the start of the simulation). */
  finishedMs: number;
  /** 429 answers this process received. */
  throttled: number;
  /** Rate cuts its limiter made. */
  cuts: number;
  /** Successful requests in each second of the run (index = second). */
  perSecond: number[];
}

export interface SimulationResult {
  processes: ProcessResult[];
  /** When the last process finished. */
  totalMs: number;
  /** The account's floor for the accepted requests: (requests - burst) / rate. */
  floorMs: number;
  throttled: number;
}

/** A seeded generator (mulberry32), so a simulation is repeatable. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function simulateAccount(
  specs: ProcessSpec[],
  account: { rate: number; burst: number; latencyMs?: number; retryJitterMs?: number; seed?: number } = {
    rate: 5,
    burst: 20,
  },
): Promise<SimulationResult> {
  const clock = new FakeClock();
  const server = new RateLimiter(() => clock.now(), { rate: account.rate, burst: account.burst });
  const latency = account.latencyMs ?? 20;
  const jitter = account.retryJitterMs ?? 250;
  const random = seeded(account.seed ?? 1);
  const results: ProcessResult[] = specs.map(() => ({ finishedMs: 0, throttled: 0, cuts: 0, perSecond: [] }));
  const buckets: TokenBucket[] = [];
  let running = 0;

  async function runProcess(spec: ProcessSpec, result: ProcessResult): Promise<void> {
    await clock.sleep(spec.startMs ?? 0);
    const bucket = new TokenBucket({ ...spec.limiter, clock });
    buckets.push(bucket);
    let next = 0;
    const one = async (): Promise<void> => {
      for (;;) {
        const permit = await bucket.acquire();
        await clock.sleep(latency / 2);
        const decision = server.take(1);
        await clock.sleep(latency / 2);
        permit.done(decision.allowed ? 200 : 429, decision.remaining);
        if (decision.allowed) {
          const second = Math.floor(clock.now() / 1000);
          result.perSecond[second] = (result.perSecond[second] ?? 0) + 1;
          return;
        }
        result.throttled++;
        await clock.sleep(Math.floor(random() * jitter));
      }
    };
    const worker = async (): Promise<void> => {
      while (next < spec.requests) {
        next++;
        await one();
      }
    };
    await Promise.all(Array.from({ length: spec.parallel ?? 8 }, worker));
    result.finishedMs = clock.now();
    result.cuts = bucket.stats().cuts;
    for (let i = 0; i < result.perSecond.length; i++) result.perSecond[i] ??= 0;
  }

  running = specs.length;
  const all = Promise.all(
    specs.map((spec, i) =>
      runProcess(spec, results[i]!).finally(() => {
        running--;
      }),
    ),
  );
  const requests = specs.reduce((sum, s) => sum + s.requests, 0);
  const limitMs = 10 * 60_000;
  while (running > 0 && clock.now() < limitMs) await clock.advance(50);
  if (running > 0) throw new Error(`simulation did not finish in ${limitMs} ms of fake time`);
  await all;
  return {
    processes: results,
    totalMs: Math.max(...results.map((r) => r.finishedMs)),
    floorMs: (Math.max(0, requests - account.burst) / account.rate) * 1000,
    throttled: results.reduce((sum, r) => sum + r.throttled, 0),
  };
}
