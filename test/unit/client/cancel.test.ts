// Cancellation (the engine's Cancel, a signal): reads and waits end at once, nothing more is sent, and
// a write already on the wire runs to its answer.

import { EverflowApiError } from "../../../provider/client";
import { cancelRequests, resetCancellation } from "../../../provider/client/cancel";
import { API_KEY, postbackBody, ROUTE, setup, type Env } from "./helpers";

let env: Env;
afterEach(async () => {
  await env?.close();
  resetCancellation();
});

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cancelledWithin(
  p: Promise<unknown>,
  ms: number,
  cancelAfterMs: number,
): Promise<EverflowApiError> {
  const caught = p.then(
    () => undefined,
    (e: unknown) => e,
  );
  await later(cancelAfterMs);
  const at = Date.now();
  cancelRequests("test cancel");
  const err = await caught;
  expect(Date.now() - at).toBeLessThan(ms);
  expect(err).toBeInstanceOf(EverflowApiError);
  expect((err as EverflowApiError).kind).toBe("cancelled");
  return err as EverflowApiError;
}

test("a never-ending listing stops at once, and nothing is sent after", async () => {
  env = await setup({ emulator: { paging: { endless: true, maxPageSize: 5 }, latency: { fixedMs: 20 } } });
  const err = await cancelledWithin(env.client.list(), 200, 300);
  expect(err.message).toBe(
    "Everflow list of postbacks failed: cancelled (test cancel): nothing more was sent",
  );
  const seen = env.count(ROUTE.list);
  expect(seen).toBeGreaterThan(2);
  await later(300);
  expect(env.count(ROUTE.list)).toBe(seen);
});

test("a request waiting on the client's rate limit is given up unsent", async () => {
  env = await setup({ client: { rateLimit: { rate: 0.2, burst: 1 } } });
  await env.client.list(); // the only token
  const err = await cancelledWithin(env.client.get(1234), 200, 100);
  expect(err.pixelId).toBe(1234);
  // It left the limiter's queue, without a token: a cancelled run leaves no timer waiting for one.
  expect(env.client.stats().limiter).toMatchObject({ queued: 0, acquired: 1 });
  await later(200);
  expect(env.count(ROUTE.get)).toBe(0);
});

test("a retry waiting out the server's 429s ends at once", async () => {
  env = await setup({
    client: { retry: { maxAttempts: 50, maxElapsedMs: 60_000, minDelayMs: 400, maxDelayMs: 400 } },
  });
  env.emu.faults.failNext(ROUTE.list, 1000, 429, "Rate limit exceeded");
  await cancelledWithin(env.client.list(), 200, 250);
  const seen = env.count(ROUTE.list);
  await later(600);
  expect(env.count(ROUTE.list)).toBe(seen);
});

test("a write on the wire is let finish: its answer is kept", async () => {
  env = await setup();
  const pixel = env.emu.store.seed(API_KEY, { postback_url: "https://t.example/a" });
  env.emu.faults.slow(ROUTE.update, 1, 400);
  const update = env.client.update(pixel.network_pixel_id, {
    ...postbackBody({ postback_url: "https://t.example/b" }),
  });
  await later(150);
  cancelRequests("test cancel");
  await expect(update).resolves.toMatchObject({ postback_url: "https://t.example/b" });
  await expect(env.client.get(pixel.network_pixel_id)).rejects.toMatchObject({ kind: "cancelled" });
});

test("after a cancel nothing at all is sent", async () => {
  env = await setup();
  cancelRequests("test cancel");
  await expect(env.client.create(postbackBody())).rejects.toMatchObject({ kind: "cancelled" });
  await expect(env.client.list()).rejects.toMatchObject({ kind: "cancelled" });
  expect(env.emu.log.entries()).toHaveLength(0);
});
