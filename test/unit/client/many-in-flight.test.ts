// Many requests in flight at once (`pulumi up --parallel 16` and more over dozens of postbacks): no
// Node warning may reach the user's output (a listener per request on the process-wide cancellation
// used to print MaxListenersExceededWarning past 10, nodejs/undici#3157), and a cancel still ends them all.

import { EverflowApiError } from "../../../provider/client";
import { cancellation, cancelRequests, resetCancellation } from "../../../provider/client/cancel";
import { captureNodeWarnings, type WarningCapture } from "../../support/node-warnings";
import { API_KEY, postbackBody, ROUTE, setup, type Env } from "./helpers";

let env: Env;
let capture: WarningCapture;

beforeEach(() => {
  capture = captureNodeWarnings();
});

afterEach(async () => {
  await capture.stop();
  await env?.close();
  resetCancellation();
});

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("80 concurrent reads, updates, creates and listings raise no warning", async () => {
  env = await setup({ emulator: { latency: { fixedMs: 30 } } });
  const ids = Array.from(
    { length: 20 },
    (_, i) => env.emu.store.seed(API_KEY, { postback_url: `https://t.example/${i}` }).network_pixel_id,
  );
  const work: Promise<unknown>[] = [
    ...ids.map((id) => env.client.get(id)),
    ...ids.map((id, i) => env.client.update(id, postbackBody({ postback_url: `https://t.example/u${i}` }))),
    ...ids.map((_, i) => env.client.create(postbackBody({ postback_url: `https://t.example/c${i}` }))),
    ...ids.slice(0, 10).map((id) => env.client.deactivate(id)),
    ...ids.slice(0, 10).map(() => env.client.list()),
  ];
  const results = await Promise.allSettled(work);
  expect(results.filter((r) => r.status === "rejected")).toEqual([]);
  expect(await capture.stop()).toEqual([]);
  expect(env.count(ROUTE.create)).toBe(20);
  // Every request let go of its cancellation callback when it ended.
  expect(cancellation().pending).toBe(0);
});

test("80 concurrent requests retrying 5xx and 429 raise no warning", async () => {
  env = await setup({ emulator: { latency: { fixedMs: 5 } } });
  const ids = Array.from({ length: 40 }, () => env.emu.store.seed(API_KEY).network_pixel_id);
  env.emu.faults.failNext(ROUTE.get, 30, 503, "try again");
  env.emu.faults.failNext(ROUTE.update, 30, 429, "Rate limit exceeded");
  const results = await Promise.allSettled([
    ...ids.map((id) => env.client.get(id)),
    ...ids.map((id) => env.client.update(id, postbackBody())),
  ]);
  expect(results.filter((r) => r.status === "rejected")).toEqual([]);
  expect(env.served(503)).toBe(30);
  expect(env.served(429)).toBe(30);
  expect(await capture.stop()).toEqual([]);
});

test("a cancel ends 90 requests in flight and waiting, and nothing is sent after it", async () => {
  env = await setup({
    emulator: { latency: { fixedMs: 400 } },
    // A few requests at a time: the rest wait for a token, as behind a real account's limit.
    client: { rateLimit: { rate: 30, burst: 30 } },
  });
  const ids = Array.from({ length: 30 }, () => env.emu.store.seed(API_KEY).network_pixel_id);
  const outcomes = [
    ...ids.map((id) => env.client.get(id)),
    ...ids.map(() => env.client.list()),
    ...ids.map((_, i) => env.client.create(postbackBody({ postback_url: `https://t.example/c${i}` }))),
  ].map((p) =>
    p.then(
      () => "done",
      (e: unknown) => (e instanceof EverflowApiError ? e.kind : String(e)),
    ),
  );
  await later(150);
  const at = Date.now();
  cancelRequests("test cancel");
  const kinds = await Promise.all(outcomes);
  const reads = kinds.slice(0, 60);
  const creates = kinds.slice(60);
  // Reads end at once, on the wire or waiting; creates waiting for a token are given up unsent, and a
  // create already on the wire runs to its answer (its id must reach the state).
  expect(reads.every((k) => k === "cancelled")).toBe(true);
  expect(creates.every((k) => k === "cancelled" || k === "done")).toBe(true);
  const createsSent = env.count(ROUTE.create);
  expect(creates.filter((k) => k === "done")).toHaveLength(createsSent);
  expect(creates.filter((k) => k === "cancelled").length).toBeGreaterThan(0);
  expect(env.count(ROUTE.get)).toBeGreaterThan(0); // some reads were aborted on the wire, not only waiting
  expect(Date.now() - at).toBeLessThan(1_000);
  // The server logs a request when it has answered it: let those on the wire at the cancel finish.
  await later(600);
  const seen = env.emu.log.entries().length;
  await later(500);
  expect(env.emu.log.entries().length).toBe(seen);
  expect(await capture.stop()).toEqual([]);
});
