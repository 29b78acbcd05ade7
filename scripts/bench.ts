/**
 * Benchmarks of what the rate limit makes expensive, against the emulator on loopback at Everflow's real
 * limit (5 requests/s, burst 20). Reports times, request counts and ratios; asserts nothing.
 *
 *   npm run bench            (about a minute)
 *   npm run bench -- --json  (one JSON object on the last line)
 */
import { EverflowClient, poolStats, resetClientRegistry } from "../provider/client";
import { Postbacks } from "../provider/core/postbacks";
import { startEmulator, type EmulatorHandle } from "../emulator";

const KEY = "bench-api-key";
const LIMIT = { rate: 5, burst: 20 };

interface Figure {
  name: string;
  seconds: number;
  requests: number;
  throttled: number;
  note: string;
}

async function emulator(): Promise<EmulatorHandle> {
  return startEmulator({ accounts: [{ apiKey: KEY, networkId: 1, affiliateId: 7 }], rateLimit: LIMIT });
}

function served(e: EmulatorHandle): { requests: number; throttled: number } {
  const entries = e.log.entries();
  return { requests: entries.length, throttled: entries.filter((x) => x.status === 429).length };
}

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await run();
  return [result, (performance.now() - start) / 1000];
}

const seed = (e: EmulatorHandle, n: number) =>
  Array.from({ length: n }, (_, i) =>
    e.store.seed(KEY, {
      delivery_method: "postback",
      pixel_level: "global",
      pixel_status: "active",
      pixel_type: "conversion",
      postback_url: `https://track.example.com/${i}`,
    }),
  );

/** 60 reads fired at once: the client's limiter against none (a bucket too large to matter). */
async function limiter(figures: Figure[]): Promise<void> {
  for (const [label, rateLimit] of [
    ["limiter on (5/s, burst 20)", LIMIT],
    ["limiter off", { rate: 1e6, burst: 1e6 }],
  ] as const) {
    const e = await emulator();
    const [pixel] = seed(e, 1);
    const client = new EverflowClient({ apiKey: KEY, baseUrl: e.url, rateLimit, retry: { maxAttempts: 20 } });
    const [, seconds] = await timed(() =>
      Promise.all(Array.from({ length: 60 }, () => client.get(pixel!.network_pixel_id))),
    );
    figures.push({ name: `60 concurrent GETs, ${label}`, seconds, ...served(e), note: "" });
    await resetClientRegistry();
    await e.stop();
  }
}

/** A refresh of 100 postbacks, 8 reads at a time as the engine runs them on 2 cores. */
async function refresh(figures: Figure[]): Promise<void> {
  const N = 100;
  const inParallel = async (ids: number[], read: (id: number) => Promise<unknown>) => {
    const queue = [...ids];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) await read(id);
      }),
    );
  };
  {
    const e = await emulator();
    const ids = seed(e, N).map((p) => p.network_pixel_id);
    const provider = new Postbacks();
    provider.configure({ get: (k: string) => ({ "everflow:apiKey": KEY, "everflow:baseUrl": e.url })[k] });
    const [, seconds] = await timed(() =>
      inParallel(ids, (id) => provider.read(String(id), { account: "default" })),
    );
    figures.push({
      name: `refresh of ${N} postbacks, provider read (shared listing)`,
      seconds,
      ...served(e),
      note: "",
    });
    await resetClientRegistry();
    await e.stop();
  }
  {
    const e = await emulator();
    const ids = seed(e, N).map((p) => p.network_pixel_id);
    const client = new EverflowClient({ apiKey: KEY, baseUrl: e.url });
    const [, seconds] = await timed(() => inParallel(ids, (id) => client.get(id)));
    figures.push({
      name: `refresh of ${N} postbacks, one GET each (naive)`,
      seconds,
      ...served(e),
      note: "",
    });
    await resetClientRegistry();
    await e.stop();
  }
}

/** Creates whose connection is reset after the write: reconciliation must adopt, not duplicate. */
async function reconciliation(figures: Figure[]): Promise<void> {
  const N = 10;
  const e = await emulator();
  e.faults.resetAfterWrite("POST /v1/affiliates/pixels", N);
  // The emulator writes before it resets, so a short settle suffices here (the default is 3 s).
  const settleMs = 300;
  const client = new EverflowClient({
    apiKey: KEY,
    baseUrl: e.url,
    retry: { minDelayMs: 50 },
    reconcile: { settleMs },
  });
  const [created, seconds] = await timed(async () => {
    const out = [];
    for (let i = 0; i < N; i++) {
      out.push(
        await client.create({
          delivery_method: "postback",
          pixel_level: "global",
          pixel_status: "active",
          pixel_type: "conversion",
          postback_url: `https://track.example.com/reconcile/${i}`,
        }),
      );
    }
    return out;
  });
  const stored = e.store.all().length;
  const distinct = new Set(created.map((p) => p.network_pixel_id)).size;
  figures.push({
    name: `${N} creates, each reset after the write`,
    seconds,
    ...served(e),
    note: `${stored} postbacks stored, ${distinct} distinct ids returned (settle ${settleMs} ms)`,
  });
  await resetClientRegistry();
  await e.stop();
}

/** Sequential requests on one keep-alive pool. */
async function keepAlive(figures: Figure[]): Promise<void> {
  const e = await startEmulator({
    accounts: [{ apiKey: KEY, networkId: 1, affiliateId: 7 }],
    rateLimit: { rate: 1000, burst: 1000 },
  });
  const [pixel] = seed(e, 1);
  const client = new EverflowClient({ apiKey: KEY, baseUrl: e.url, rateLimit: { rate: 1000, burst: 1000 } });
  const [, seconds] = await timed(async () => {
    for (let i = 0; i < 200; i++) await client.get(pixel!.network_pixel_id);
  });
  const pool = poolStats()[0];
  figures.push({
    name: "200 sequential GETs",
    seconds,
    ...served(e),
    note: `${pool?.connectionsOpened} connection(s) opened`,
  });
  await resetClientRegistry();
  await e.stop();
}

async function main(): Promise<void> {
  const figures: Figure[] = [];
  await limiter(figures);
  await refresh(figures);
  await reconciliation(figures);
  await keepAlive(figures);
  const width = Math.max(...figures.map((f) => f.name.length));
  console.log(`${"benchmark".padEnd(width)}  seconds  requests  429s  notes`);
  for (const f of figures) {
    console.log(
      `${f.name.padEnd(width)}  ${f.seconds.toFixed(2).padStart(7)}  ${String(f.requests).padStart(8)}  ${String(f.throttled).padStart(4)}  ${f.note}`,
    );
  }
  const [shared, naive] = [figures[2]!, figures[3]!];
  console.log(`refresh speed-up from shared listings: ${(naive.seconds / shared.seconds).toFixed(1)}x`);
  if (process.argv.includes("--json")) console.log(JSON.stringify({ figures }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
