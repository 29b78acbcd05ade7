// The token bucket: burst, then 429, then refill at the configured rate, shared by every key of a
// network. The clock is the `now` option, so nothing sleeps.

import { startEmulator, type EmulatorHandle } from "../../../emulator";
import { call, create, postback, type Res } from "./helpers";

let clock: number;
let h: EmulatorHandle;

beforeEach(async () => {
  clock = 1_700_000_000_000;
  h = await startEmulator({
    now: () => clock,
    accounts: [
      { apiKey: "key-a", networkId: 1, affiliateId: 7 },
      { apiKey: "key-b", networkId: 1, affiliateId: 8 },
      { apiKey: "key-other-network", networkId: 2, affiliateId: 7 },
    ],
    networkKeys: [{ apiKey: "network-key", networkId: 1 }],
  });
});
afterEach(() => h.stop());

const get = (key = "key-a"): Promise<Res> => call(h, "GET", "/affiliates/pixels", { key });
const headers = (res: Res): [string | null, string | null] => [
  res.headers.get("x-ratelimit-limit"),
  res.headers.get("x-ratelimit-remaining"),
];

test("default 5/s with burst 20: 20 requests, then 429 with an error body, then refill", async () => {
  for (let i = 0; i < 20; i++) {
    const res = await get();
    expect(res.status).toBe(200);
    expect(headers(res)).toEqual(["20", String(19 - i)]);
  }
  const limited = await get();
  expect(limited.status).toBe(429);
  expect(typeof limited.body.error).toBe("string");
  expect(headers(limited)).toEqual(["20", "0"]);
  expect((await get()).status).toBe(429);

  clock += 200; // 5/s: one token
  expect((await get()).status).toBe(200);
  expect((await get()).status).toBe(429);

  clock += 1000; // five tokens
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await get()).status);
  expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);

  clock += 60_000; // never more than the burst
  for (let i = 0; i < 20; i++) expect((await get()).status).toBe(200);
  expect((await get()).status).toBe(429);
  // Every request was logged, the 429s too.
  expect(h.log.entries().filter((e) => e.status === 429)).toHaveLength(5);
});

test("a 429 applies to writes too, and nothing is written", async () => {
  h.settings.setRateLimit(1, 1);
  expect((await create(h, postback(), "key-a")).status).toBe(200);
  const limited = await create(h, postback(), "key-a");
  expect(limited.status).toBe(429);
  expect(h.store.all()).toHaveLength(1);
});

test("the bucket is shared by every key of a network (network keys included), not across networks", async () => {
  for (let i = 0; i < 10; i++) expect((await get("key-a")).status).toBe(200);
  for (let i = 0; i < 5; i++) expect((await get("key-b")).status).toBe(200);
  for (let i = 0; i < 5; i++) expect((await get("network-key")).status).toBe(403); // counted
  expect((await get("key-b")).status).toBe(429);
  expect((await get("key-a")).status).toBe(429);
  const other = await get("key-other-network");
  expect(other.status).toBe(200);
  expect(headers(other)).toEqual(["20", "19"]);
});

test("requests failing authentication take no token; their headers show a full bucket", async () => {
  for (let i = 0; i < 30; i++) {
    const res = await get("nobody");
    expect(res.status).toBe(401);
    expect(headers(res)).toEqual(["20", "20"]);
  }
  expect(headers(await get("key-a"))).toEqual(["20", "19"]);
});

test("headers are on every response: errors, 404s, 400s", async () => {
  for (const res of [
    await call(h, "GET", "/affiliates/pixels/99", { key: "key-a" }),
    await call(h, "GET", "/nope", { key: "key-a" }),
    await create(h, {}, "key-a"),
  ]) {
    expect(res.headers.get("x-ratelimit-limit")).toBe("20");
    expect(res.headers.get("x-ratelimit-remaining")).toMatch(/^\d+$/);
  }
});

test("configurable at start and at runtime; a change refills every bucket", async () => {
  const custom = await startEmulator({ now: () => clock, rateLimit: { rate: 2, burst: 3 } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(custom, "GET", "/affiliates/pixels")).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    clock += 500; // 2/s: one token
    expect((await call(custom, "GET", "/affiliates/pixels")).status).toBe(200);
    custom.settings.setRateLimit(100, 50);
    const res = await call(custom, "GET", "/affiliates/pixels");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ratelimit-limit")).toBe("50");
    expect(res.headers.get("x-ratelimit-remaining")).toBe("49");
  } finally {
    await custom.stop();
  }
  expect(() => h.settings.setRateLimit(0, 5)).toThrow(/rate/);
  expect(() => h.settings.setRateLimit(5, 0)).toThrow(/burst/);
});

test("out-of-band store access takes no token", async () => {
  h.settings.setRateLimit(1, 1);
  for (let i = 0; i < 5; i++) h.store.seed("key-a", {});
  h.store.all();
  expect((await get()).status).toBe(200);
});
