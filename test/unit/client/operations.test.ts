// Every operation against the emulator, the status-to-error mapping, and what must never leak.

import { inspect } from "node:util";
import {
  EverflowApiError,
  EverflowClient,
  isNotFound,
  toPixelBody,
  EVERFLOW_BASE_URL_EU,
  EVERFLOW_BASE_URL_US,
} from "../../../provider/client";
import { API_KEY, facebookBody, postbackBody, ROUTE, setup, type Env } from "./helpers";

let env: Env;
beforeEach(async () => {
  env = await setup();
});
afterEach(() => env.close());

async function failure(p: Promise<unknown>): Promise<EverflowApiError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(EverflowApiError);
    return err as EverflowApiError;
  }
  throw new Error("expected a rejection");
}

describe("operations", () => {
  test("create, get, list (with filters), update, deactivate", async () => {
    const { client, emu } = env;
    const created = await client.create(postbackBody({ delay_ms: 1500 }));
    expect(created).toMatchObject({
      network_pixel_id: expect.any(Number),
      delay_ms: 1500,
      network_affiliate_id: 7,
    });
    const id = created.network_pixel_id;

    expect(await client.get(id)).toEqual(created);

    const html = await client.create({
      delivery_method: "html",
      pixel_level: "specific",
      network_offer_id: 33,
      pixel_status: "active",
      pixel_type: "post_conversion",
      html_code: "<img src='https://t.example/p'>",
    });
    expect((await client.list()).map((p) => p.network_pixel_id)).toEqual([id, html.network_pixel_id]);
    const filtered = await client.list({ delivery_method: "html", network_offer_id: 33 });
    expect(filtered.map((p) => p.network_pixel_id)).toEqual([html.network_pixel_id]);
    const listCall = emu.log.entries().find((e) => e.query.includes("delivery_method"));
    expect(listCall?.query).toBe("?network_offer_id=33&delivery_method=html&page=1&page_size=2000");

    const updated = await client.update(id, {
      ...toPixelBody(created),
      postback_url: "https://t.example/v2",
    });
    expect(updated.postback_url).toBe("https://t.example/v2");
    expect(emu.store.get(id)?.postback_url).toBe("https://t.example/v2");

    const gone = await client.deactivate(id);
    expect(gone.pixel_status).toBe("inactive");
    expect(emu.store.get(id)).toMatchObject({
      pixel_status: "inactive",
      postback_url: "https://t.example/v2",
    });
    expect(env.count(ROUTE.update)).toBe(2);
  });

  test("update and deactivate keep fields the client does not model (full replacement)", async () => {
    const { client, emu } = env;
    const seeded = emu.store.seed(API_KEY, {
      postback_url: "https://t.example/s",
      delay_ms: 250,
      partner_reference: { code: "ABC", tags: ["x"] },
    });
    const id = seeded.network_pixel_id;
    const read = await client.get(id);
    expect(read.partner_reference).toEqual({ code: "ABC", tags: ["x"] });

    await client.update(id, { ...toPixelBody(read), delay_ms: 900 });
    expect(emu.store.get(id)).toMatchObject({
      delay_ms: 900,
      partner_reference: { code: "ABC", tags: ["x"] },
    });

    await client.deactivate(id);
    expect(emu.store.get(id)).toMatchObject({
      pixel_status: "inactive",
      delay_ms: 900,
      postback_url: "https://t.example/s",
      partner_reference: { code: "ABC", tags: ["x"] },
    });
  });

  test("deactivate: one GET and one PUT; no PUT when already inactive; 404 is not-found", async () => {
    const { client, emu } = env;
    const id = emu.store.seed(API_KEY, { postback_url: "https://t.example/a" }).network_pixel_id;
    await client.deactivate(id);
    expect([env.count(ROUTE.get), env.count(ROUTE.update)]).toEqual([1, 1]);
    await client.deactivate(id);
    expect([env.count(ROUTE.get), env.count(ROUTE.update)]).toEqual([2, 1]);

    emu.store.remove(id);
    const err = await failure(client.deactivate(id));
    expect(isNotFound(err)).toBe(true);
    expect(err).toMatchObject({
      operation: "deactivate",
      pixelId: id,
      status: 404,
      notFound: true,
      kind: "not-found",
    });
    expect(err.message).toBe(`Everflow deactivate of postback ${id} failed: HTTP 404: Pixel ${id} not found`);
  });

  test("deactivate of a facebook pixel read back masked restores the token given", async () => {
    const { emu } = env;
    emu.settings.setMaskAccessToken(true);
    const client = env.makeClient();
    const created = await client.create(facebookBody("EAAB-real-token-777"));
    expect(created.facebook_pixel?.access_token).toBe("****-777");
    await client.deactivate(created.network_pixel_id, { facebookAccessToken: "EAAB-real-token-777" });
    expect(emu.store.get(created.network_pixel_id)?.facebook_pixel?.access_token).toBe("EAAB-real-token-777");
  });

  test("the `event` pixel type is sent and read back as is", async () => {
    const created = await env.client.create(postbackBody({ pixel_type: "event" }));
    expect(created.pixel_type).toBe("event");
    expect((await env.client.get(created.network_pixel_id)).pixel_type).toBe("event");
  });

  test("invalid ids and bodies are refused before anything is sent", async () => {
    const badId = await failure(env.client.get(0));
    expect(badId).toMatchObject({ kind: "invalid-request", operation: "get" });
    // @ts-expect-error deliberately wrong type
    const badBody = await failure(env.client.create(postbackBody({ delay_ms: "5" })));
    expect(badBody.kind).toBe("invalid-request");
    expect(badBody.message).toContain("delay_ms");
    expect(env.emu.log.entries()).toHaveLength(0);
  });

  test("base URLs and options", () => {
    expect(EVERFLOW_BASE_URL_US).toBe("https://api.eflow.team/v1");
    expect(EVERFLOW_BASE_URL_EU).toBe("https://api-eu.eflow.team/v1");
    expect(new EverflowClient({ apiKey: "k" }).baseUrl).toBe(EVERFLOW_BASE_URL_US);
    expect(() => new EverflowClient({ apiKey: "" })).toThrow(/apiKey is required/);
    expect(() => new EverflowClient({ apiKey: "k", baseUrl: "ftp://x" })).toThrow(/http/);
  });
});

describe("status to error mapping", () => {
  test("400: the server's message, no retry", async () => {
    const { client, emu } = env;
    const id = emu.store.seed(API_KEY, { postback_url: "https://t.example/a" }).network_pixel_id;
    const err = await failure(client.update(id, postbackBody({ delay_ms: 400_000 })));
    expect(err).toMatchObject({
      kind: "bad-request",
      status: 400,
      operation: "update",
      pixelId: id,
      retryable: false,
    });
    expect(err.message).toBe(
      `Everflow update of postback ${id} failed: HTTP 400: delay_ms must be an integer between 0 and 300000`,
    );
    expect(env.count(ROUTE.update)).toBe(1);

    const create = await failure(client.create(postbackBody({ postback_url: "" })));
    expect(create.message).toBe(
      "Everflow create of postback failed: HTTP 400: postback_url is required when delivery_method is postback",
    );
  });

  test("401: unknown key", async () => {
    const client = env.makeClient({ apiKey: "efk-WRONG-key-000" });
    const err = await failure(client.list());
    expect(err).toMatchObject({ kind: "unauthorized", status: 401, operation: "list" });
    expect(err.message).toMatch(/^Everflow list of postbacks failed: HTTP 401: /);
    expect(env.count(ROUTE.list)).toBe(1);
  });

  test("403: creation disabled by the network", async () => {
    env.emu.settings.setCreationDisabled(true);
    const err = await failure(env.client.create(postbackBody()));
    expect(err).toMatchObject({ kind: "forbidden", status: 403, operation: "create" });
    expect(err.apiMessage).toContain("disabled");
    expect(env.count(ROUTE.create)).toBe(1);
    expect(env.count(ROUTE.list)).toBe(0);
  });

  test("404: get of an unknown id", async () => {
    const err = await failure(env.client.get(424242));
    expect(err).toMatchObject({ kind: "not-found", notFound: true, status: 404, pixelId: 424242 });
    expect(isNotFound(err)).toBe(true);
    expect(isNotFound(new Error("404 not found"))).toBe(false);
    expect(env.count(ROUTE.get)).toBe(1);
  });

  test("429 and 5xx: retried, and mapped once the budget is spent", async () => {
    // Throttles are retried past the attempt cap, for as long as the time budget lasts.
    const client = env.makeClient({ retry: { maxAttempts: 3, minDelayMs: 1, maxDelayMs: 5 } });
    env.emu.faults.failNext(ROUTE.list, 10, 429, "Rate limit exceeded");
    await expect(client.list()).resolves.toEqual([]);
    expect(env.count(ROUTE.list)).toBe(11);

    env.emu.faults.clear();
    const hurried = env.makeClient({ retry: { maxAttempts: 3, maxElapsedMs: 150, minDelayMs: 1 } });
    env.emu.faults.failNext(ROUTE.list, 1_000_000, 429, "Rate limit exceeded");
    const limited = await failure(hurried.list());
    expect(limited).toMatchObject({ kind: "rate-limited", status: 429, retryable: true });
    expect(limited.attempts).toBeGreaterThan(3);
    expect(limited.message).toBe(
      `Everflow list of postbacks failed: HTTP 429: Rate limit exceeded (gave up after ${limited.attempts} attempts)`,
    );
    expect(env.count(ROUTE.list)).toBe(11 + (limited.attempts ?? 0));

    env.emu.faults.clear();
    env.emu.faults.failNext(ROUTE.get, 10, 502, "Bad gateway");
    const server = await failure(client.get(5));
    expect(server).toMatchObject({ kind: "server", status: 502, attempts: 3, apiMessage: "Bad gateway" });
    expect(env.count(ROUTE.get)).toBe(3);
  });
});

describe("secrets", () => {
  test("the API key and access tokens appear in no error, message, stack or log line", async () => {
    const { emu } = env;
    const token = "EAAB-fb-SECRET-token-31337";
    const errors: unknown[] = [];
    const catchIt = (p: Promise<unknown>) => p.catch((e: unknown) => errors.push(e));

    const created = await env.client.create(facebookBody(token));
    await catchIt(env.client.get(999_999)); // 404
    await catchIt(env.client.update(created.network_pixel_id, facebookBody(token, { delay_ms: -1 }))); // local
    await catchIt(env.client.update(created.network_pixel_id, facebookBody(token, { delay_ms: 999_999 }))); // 400
    emu.faults.failNext(ROUTE.get, 10, 500, `echo ${API_KEY}`);
    await catchIt(env.client.get(created.network_pixel_id)); // 5xx, server echoing the key
    emu.faults.clear();
    emu.faults.failNext(ROUTE.update, 1, 400, `bad token ${token}`);
    await catchIt(env.client.update(created.network_pixel_id, facebookBody(token))); // server echoing the token
    await catchIt(env.makeClient({ apiKey: `${API_KEY}-revoked` }).list()); // 401 with another secret key
    const dead = env.makeClient({
      baseUrl: "http://127.0.0.1:1/v1",
      retry: { maxAttempts: 2, minDelayMs: 1, maxDelayMs: 2 },
    });
    await catchIt(dead.list()); // network error

    expect(errors).toHaveLength(7);
    for (const err of errors) {
      const e = err as EverflowApiError;
      const text = [JSON.stringify(e), e.message, e.stack ?? "", String(e.apiMessage)].join("\n");
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(token);
    }
    expect((errors[3] as EverflowApiError).apiMessage).toBe("echo [REDACTED]");
    expect((errors[4] as EverflowApiError).apiMessage).toBe("bad token [REDACTED]");
    const log = JSON.stringify(env.lines);
    expect(env.lines.length).toBeGreaterThan(10);
    expect(log).not.toContain(API_KEY);
    expect(log).not.toContain(token);
    expect(JSON.stringify(env.client)).not.toContain(API_KEY);
    expect(inspect(env.client, { depth: 10, showHidden: true })).not.toContain(API_KEY);
  });
});

describe("logging hook", () => {
  test("request start/end with method, path, status, attempt, duration; retries with their reason", async () => {
    env.emu.faults.failNext(ROUTE.get, 1, 503);
    const id = env.emu.store.seed(API_KEY, { postback_url: "https://t.example/a" }).network_pixel_id;
    await env.client.get(id);
    const path = `/v1/affiliates/pixels/${id}`;
    expect(env.lines.map((l) => [l.event, l.attempt, l.status ?? null])).toEqual([
      ["request-start", 1, null],
      ["request-end", 1, 503],
      ["retry", 1, null],
      ["request-start", 2, null],
      ["request-end", 2, 200],
    ]);
    for (const line of env.lines)
      expect(line).toMatchObject({ operation: "get", method: "GET", path, pixelId: id });
    expect(env.lines[1]?.durationMs).toEqual(expect.any(Number));
    expect(env.lines[2]).toMatchObject({ reason: "HTTP 503", delayMs: expect.any(Number) });
  });

  test("a throwing logger does not break requests", async () => {
    const client = env.makeClient({
      logger: () => {
        throw new Error("boom");
      },
    });
    await expect(client.list()).resolves.toEqual([]);
  });
});
