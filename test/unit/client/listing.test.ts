// A listing is complete or an error naming what is missing: every paging anomaly switch of the
// emulator, the page and time bounds, and the one large page that usually suffices.

import { EverflowApiError } from "../../../provider/client";
import { ENDLESS_TOTAL } from "../../../emulator";
import { API_KEY, ROUTE, setup, type Env } from "./helpers";

let env: Env;
afterEach(() => env?.close());

async function seeded(n: number, options: Parameters<typeof setup>[0] = {}): Promise<Env> {
  env = await setup(options);
  for (let i = 0; i < n; i++) {
    env.emu.store.seed(API_KEY, { postback_url: `https://t.example/${i}?tid={transaction_id}` });
  }
  return env;
}

async function listFailure(): Promise<EverflowApiError> {
  const err = await env.client.list().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EverflowApiError);
  const e = err as EverflowApiError;
  expect(e.kind).toBe("partial-listing");
  expect(e.retryable).toBe(false);
  return e;
}

test("one request of one large page lists 120 postbacks", async () => {
  await seeded(120);
  expect(await env.client.list()).toHaveLength(120);
  const queries = env.emu.log.entries().map((e) => e.query);
  expect(queries).toEqual(["?page=1&page_size=2000"]);
});

test("a server that caps the page size honestly is followed page by page to the total", async () => {
  await seeded(120, { emulator: { paging: { maxPageSize: 50 } } });
  const ids = (await env.client.list()).map((p) => p.network_pixel_id);
  expect(new Set(ids).size).toBe(120);
  expect(env.count(ROUTE.list)).toBe(3);
});

test("pages counted from 0: an error naming what is missing, not 70 of 120 as if complete", async () => {
  await seeded(120, { emulator: { paging: { zeroBased: true, maxPageSize: 50 } } });
  const err = await listFailure();
  expect(err.message).toBe(
    "Everflow list of postbacks failed: listed 70 of 120 postbacks: page 3 came back empty" +
      "; nothing was decided on this partial listing",
  );
});

test("pages counted from 0 with one large page: nothing listed, 120 missing", async () => {
  await seeded(120, { emulator: { paging: { zeroBased: true } } });
  expect((await listFailure()).message).toContain("listed 0 of 120 postbacks: page 1 came back empty");
});

test("the same page answered again: a repeated id is named", async () => {
  await seeded(120, { emulator: { paging: { repeatFirstPage: true, maxPageSize: 50 } } });
  const err = await listFailure();
  expect(err.message).toMatch(/listed 50 of 120 postbacks: page 2 repeats postback \d+ of page 1/);
  expect(env.count(ROUTE.list)).toBe(2);
});

test("a total larger than the rows: the empty page is reported with what is missing", async () => {
  await seeded(120, { emulator: { paging: { totalOffset: 30 } } });
  const err = await listFailure();
  expect(err.message).toContain("listed 120 of 150 postbacks: page 2 came back empty");
});

test("a total smaller than the rows is an error too", async () => {
  await seeded(120, { emulator: { paging: { totalOffset: -20 } } });
  const err = await listFailure();
  expect(err.message).toContain(
    "listed 120 of 100 postbacks: the server reported a total of 100 but listed more",
  );
});

test("short pages (rows cut, page_size echoed) end in an error, never a partial success", async () => {
  await seeded(120, { emulator: { paging: { shortPages: 70 } } });
  const err = await listFailure();
  expect(err.message).toContain("listed 70 of 120 postbacks: page 2 came back empty");
});

test("rows shifted between pages: the duplicate id is named", async () => {
  await seeded(120, { emulator: { paging: { duplicateAcrossPages: true, maxPageSize: 50 } } });
  const err = await listFailure();
  expect(err.message).toMatch(/listed 50 of 120 postbacks: page 2 repeats postback \d+ of page 1/);
});

test("never-ending paging stops at the page limit", async () => {
  await seeded(3, {
    emulator: { paging: { endless: true, maxPageSize: 5 } },
    client: { listing: { maxPages: 40 } },
  });
  const err = await listFailure();
  expect(err.message).toContain(
    `listed 200 of ${ENDLESS_TOTAL} postbacks: stopped after 40 pages (the limit)`,
  );
  expect(env.count(ROUTE.list)).toBe(40);
});

test("never-ending paging stops at the time limit", async () => {
  await seeded(3, {
    emulator: { paging: { endless: true, maxPageSize: 5 }, latency: { fixedMs: 40 } },
    client: { listing: { maxMs: 300 } },
  });
  const started = Date.now();
  const err = await listFailure();
  expect(err.message).toMatch(/stopped after \d+ s \(the time limit\)/);
  expect(Date.now() - started).toBeLessThan(2_000);
});

test("a filtered listing checks the filtered total", async () => {
  await seeded(10, { emulator: { paging: { maxPageSize: 3 } } });
  env.emu.store.seed(API_KEY, { delivery_method: "html", postback_url: "", html_code: "<img>" });
  expect(await env.client.list({ delivery_method: "html" })).toHaveLength(1);
  expect(await env.client.list()).toHaveLength(11);
});

test("switches are off by default and checked when set", async () => {
  await seeded(2);
  expect(() => env.emu.settings.setPaging({ nope: true } as never)).toThrow(/unknown switch "nope"/);
  expect(() => env.emu.settings.setPaging({ zeroBased: 1 } as never)).toThrow(/must be a boolean/);
  env.emu.settings.setPaging({ zeroBased: true, maxPageSize: 1 });
  await listFailure();
  env.emu.settings.resetPaging();
  expect(await env.client.list()).toHaveLength(2);
});
