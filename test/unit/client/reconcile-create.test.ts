// Create is not idempotent: ambiguous failures are reconciled against the list, never blindly retried.

import { EverflowApiError } from "../../../provider/client";
import { API_KEY, facebookBody, postbackBody, ROUTE, setup, type Env } from "./helpers";

let env: Env;
beforeEach(async () => {
  env = await setup();
});
afterEach(() => env.close());

const reconcileLines = () => env.lines.filter((l) => l.event === "reconcile");

test("connection reset after the write: one pixel in the store, and the client returns it", async () => {
  env.emu.faults.resetAfterWrite(ROUTE.create, 1);
  const created = await env.client.create(postbackBody());
  const all = env.emu.store.all();
  expect(all).toHaveLength(1);
  expect(created.network_pixel_id).toBe(all[0]?.network_pixel_id);
  expect([env.count(ROUTE.create), env.count(ROUTE.list)]).toEqual([1, 1]);
  expect(reconcileLines()).toMatchObject([{ outcome: "adopted", candidateIds: [created.network_pixel_id] }]);
});

test("5xx after the write: the written pixel is adopted, no second POST", async () => {
  // The emulator's `fail` fault answers before the route runs, so the write that a real server would
  // have made before failing is seeded: same body, created just now.
  const written = env.emu.store.seed(API_KEY, postbackBody());
  env.emu.faults.failNext(ROUTE.create, 1, 500, "Internal error");
  const created = await env.client.create(postbackBody());
  expect(created.network_pixel_id).toBe(written.network_pixel_id);
  expect(env.emu.store.all()).toHaveLength(1);
  expect([env.count(ROUTE.create), env.count(ROUTE.list)]).toEqual([1, 1]);
});

test("5xx before the write: nothing found, so the POST is safely repeated", async () => {
  env.emu.faults.failNext(ROUTE.create, 1, 503);
  const created = await env.client.create(postbackBody());
  expect(env.emu.store.all().map((p) => p.network_pixel_id)).toEqual([created.network_pixel_id]);
  expect([env.count(ROUTE.create), env.count(ROUTE.list)]).toEqual([2, 1]);
  expect(reconcileLines()).toMatchObject([{ outcome: "none" }]);
});

test("two matching candidates: an error naming both ids, and nothing more is created", async () => {
  const a = env.emu.store.seed(API_KEY, postbackBody()).network_pixel_id;
  const b = env.emu.store.seed(API_KEY, postbackBody()).network_pixel_id;
  env.emu.faults.failNext(ROUTE.create, 1, 502);
  const err = (await env.client.create(postbackBody()).catch((e: unknown) => e)) as EverflowApiError;
  expect(err).toBeInstanceOf(EverflowApiError);
  expect(err).toMatchObject({
    kind: "ambiguous-create",
    operation: "create",
    candidateIds: [a, b],
    status: 502,
  });
  expect(err.message).toContain(`ids ${a}, ${b}`);
  expect(env.emu.store.all()).toHaveLength(2);
  expect(env.count(ROUTE.create)).toBe(1);
});

test("an unreadable 2xx answer (the write happened): adopted from the list", async () => {
  env.emu.faults.malformedJson(ROUTE.create, 1);
  const created = await env.client.create(postbackBody());
  expect(env.emu.store.all().map((p) => p.network_pixel_id)).toEqual([created.network_pixel_id]);
  expect(env.count(ROUTE.create)).toBe(1);
});

test("a timeout after the write: adopted, not duplicated", async () => {
  const client = env.makeClient({ timeouts: { headersMs: 100 } });
  env.emu.faults.slow(ROUTE.create, 1, 4_000);
  const created = await client.create(facebookBody("EAAB-token-for-timeout"));
  expect(env.emu.store.all().map((p) => p.network_pixel_id)).toEqual([created.network_pixel_id]);
  expect(env.count(ROUTE.create)).toBe(1);
});

test("429 on POST: retried (nothing was created), no reconciliation", async () => {
  env.emu.faults.failNext(ROUTE.create, 2, 429);
  await env.client.create(postbackBody());
  expect(env.emu.store.all()).toHaveLength(1);
  expect([env.count(ROUTE.create), env.count(ROUTE.list)]).toEqual([3, 0]);
});

test("429s on POST do not use up the attempts an ambiguous failure gets", async () => {
  const client = env.makeClient({
    retry: { maxAttempts: 2, maxElapsedMs: 10_000, minDelayMs: 2, maxDelayMs: 20 },
  });
  env.emu.faults.failNext(ROUTE.create, 4, 429);
  env.emu.faults.failNext(ROUTE.create, 1, 503); // not applied: the list shows nothing, so POST again
  await client.create(postbackBody());
  expect(env.emu.store.all()).toHaveLength(1);
  expect([env.count(ROUTE.create), env.count(ROUTE.list)]).toEqual([6, 1]);
});

test("two resources with identical bodies: each create keeps its own pixel", async () => {
  const first = await env.client.create(postbackBody());
  env.emu.faults.resetAfterWrite(ROUTE.create, 1);
  const second = await env.client.create(postbackBody());
  expect(second.network_pixel_id).not.toBe(first.network_pixel_id);
  expect(env.emu.store.all()).toHaveLength(2);
});

test("an older identical postback is not adopted", async () => {
  const old = env.emu.store.seed(API_KEY, {
    ...postbackBody(),
    time_created: Math.floor(Date.now() / 1000) - 3600,
  });
  env.emu.faults.failNext(ROUTE.create, 1, 500);
  const created = await env.client.create(postbackBody());
  expect(created.network_pixel_id).not.toBe(old.network_pixel_id);
  expect(env.emu.store.all()).toHaveLength(2);
});

test("caps: after maxAttempts ambiguous failures with nothing created, the error; never a duplicate", async () => {
  const client = env.makeClient({ retry: { maxAttempts: 3, minDelayMs: 1, maxDelayMs: 5 } });
  env.emu.faults.failNext(ROUTE.create, 100, 503, "Service unavailable");
  await expect(client.create(postbackBody())).rejects.toMatchObject({ kind: "server", status: 503 });
  expect(env.emu.store.all()).toHaveLength(0);
  expect([env.count(ROUTE.create), env.count(ROUTE.list)]).toEqual([3, 3]);
});

test("when the check itself fails, the error says the postback may exist", async () => {
  const client = env.makeClient({ retry: { maxAttempts: 2, minDelayMs: 1, maxDelayMs: 5 } });
  env.emu.faults.failNext(ROUTE.create, 1, 500);
  env.emu.faults.failNext(ROUTE.list, 100, 503);
  const err = (await client.create(postbackBody()).catch((e: unknown) => e)) as EverflowApiError;
  expect(err).toMatchObject({ kind: "ambiguous-create", status: 500 });
  expect(err.message).toMatch(
    /^Everflow create of postback failed: HTTP 500: .*may have been created, and checking failed: HTTP 503/,
  );
});
