// Corporate networks (nodejs/undici#1650): HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured, through a
// real forward proxy on loopback in front of a TLS server in front of the emulator. Failures of the
// proxy name it (its origin, never its credentials) and the operation, and are classed as what they
// are: a tunnel that was never opened sent nothing to Everflow.

import * as dns from "node:dns";
import * as net from "node:net";
import {
  DEFAULT_TIMEOUTS,
  EverflowApiError,
  EverflowClient,
  resetClientRegistry,
  type ClientLogEvent,
  type TimeoutOptions,
} from "../../../provider/client";
import { poolFor, type PoolConnectOptions } from "../../../provider/client/pool";
import { proxyFor } from "../../../provider/client/proxy";
import { testPki, type TestPki } from "../../support/certificates";
import { startForwardProxy, type ForwardProxy } from "../../support/forward-proxy";
import { captureNodeWarnings, type WarningCapture } from "../../support/node-warnings";
import { startTlsFront, type TlsFront } from "../../support/tls-front";
import { API_KEY, postbackBody, ROUTE, setup, type Env } from "./helpers";

/** A name only the proxy (and, for direct connections, the test's resolver) knows. */
const HOST = "everflow.test";
const VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"];

describe("proxyFor: the environment, read as undici's EnvHttpProxyAgent reads it", () => {
  const target = new URL("https://api.eflow.team/v1");
  const via = (env: Record<string, string>, url: URL = target) => proxyFor(url, env)?.origin;

  test("HTTPS_PROXY for https, HTTP_PROXY for http and as the fallback of https; lower case first", () => {
    expect(via({})).toBeUndefined();
    expect(via({ HTTPS_PROXY: "http://a:1" })).toBe("http://a:1");
    expect(via({ HTTP_PROXY: "http://b:2" })).toBe("http://b:2");
    expect(via({ HTTPS_PROXY: "http://a:1", HTTP_PROXY: "http://b:2" })).toBe("http://a:1");
    expect(via({ https_proxy: "http://c:3", HTTPS_PROXY: "http://a:1" })).toBe("http://c:3");
    expect(via({ http_proxy: "http://d:4", HTTP_PROXY: "http://b:2" })).toBe("http://d:4");
    // An empty lower-case value is set: it turns the proxy off, as in EnvHttpProxyAgent.
    expect(via({ https_proxy: "", HTTPS_PROXY: "http://a:1" })).toBeUndefined();
    expect(proxyFor(target, { HTTPS_PROXY: "http://a:1" })?.variable).toBe("HTTPS_PROXY");
    expect(proxyFor(target, { http_proxy: "http://a:1" })?.variable).toBe("http_proxy");
  });

  test("a proxy without a scheme is http; https proxies are allowed; other schemes are refused", () => {
    expect(via({ HTTPS_PROXY: "proxy.corp:3128" })).toBe("http://proxy.corp:3128");
    expect(via({ HTTPS_PROXY: "https://proxy.corp" })).toBe("https://proxy.corp");
    expect(() => via({ HTTPS_PROXY: "socks5://u:hunter2@proxy.corp:1080" })).toThrow(
      new TypeError(
        "EverflowClient: HTTPS_PROXY is not an http(s) proxy URL (expected http://host:port): socks5://proxy.corp:1080",
      ),
    );
  });

  test.each([
    ["api.eflow.team", true],
    ["API.EFLOW.TEAM", true],
    ["eflow.team", true], // a parent domain covers its subdomains
    [".eflow.team", true],
    ["*.eflow.team", true],
    ["*", true],
    ["other.example, eflow.team", true],
    ["other.example api.eflow.team", true],
    ["api.eflow.team:443", true],
    ["api.eflow.team:8443", false],
    ["pi.eflow.team", false],
    ["team.eflow", false],
    ["other.example", false],
  ])("NO_PROXY=%s bypasses the proxy: %s", (noProxy, bypassed) => {
    expect(via({ HTTPS_PROXY: "http://a:1", NO_PROXY: noProxy })).toBe(bypassed ? undefined : "http://a:1");
    expect(via({ HTTPS_PROXY: "http://a:1", no_proxy: noProxy })).toBe(bypassed ? undefined : "http://a:1");
  });

  test("loopback is never proxied, whatever NO_PROXY says", () => {
    const env = { HTTPS_PROXY: "http://a:1", HTTP_PROXY: "http://a:1" };
    for (const url of [
      "http://127.0.0.1:4000/v1",
      "http://localhost/v1",
      "https://[::1]/v1",
      "https://127.3.2.1",
    ]) {
      expect(via(env, new URL(url))).toBeUndefined();
    }
    expect(via(env, new URL("https://10.0.0.1/v1"))).toBe("http://a:1");
  });

  test("the origin holds no credentials; the password and its Basic token are kept to redact", () => {
    const route = proxyFor(target, { HTTPS_PROXY: "http://alice:p%40ss-word@proxy.corp:3128" });
    expect(route?.origin).toBe("http://proxy.corp:3128");
    expect(route?.secrets).toEqual(
      expect.arrayContaining(["p@ss-word", Buffer.from("alice:p@ss-word").toString("base64")]),
    );
  });
});

describe("through a real proxy", () => {
  let pki: TestPki;
  let env: Env;
  let front: TlsFront;
  let proxy: ForwardProxy;
  const saved: Record<string, string | undefined> = {};
  const baseUrl = () => front.url(HOST);

  beforeAll(() => {
    pki = testPki("Everflow Test CA");
  });
  afterAll(() => pki.dispose());

  let warnings: WarningCapture;

  beforeEach(async () => {
    warnings = captureNodeWarnings();
    for (const name of VARIABLES) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
    env = await setup();
    front = await startTlsFront({
      pair: pki.leaf([HOST, "127.0.0.1"]),
      target: env.emu.url.replace(/\/v1$/, ""),
    });
    proxy = await startForwardProxy({ hosts: { [HOST]: "127.0.0.1" } });
  });

  afterEach(async () => {
    await env.close();
    await front.stop();
    await proxy.stop();
    // Nothing of the proxy machinery may print "(node:PID) ...Warning" into a user's output.
    expect(await warnings.stop()).toEqual([]);
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  /**
   * A client of `url` whose pool trusts the test CA (as NODE_EXTRA_CA_CERTS would) and, for direct
   * connections, resolves the test's name. The environment must be set before: the pool reads it.
   */
  function clientOf(
    url: string,
    options: { lines?: ClientLogEvent[]; timeouts?: TimeoutOptions; maxAttempts?: number } = {},
  ): EverflowClient {
    const lookup: PoolConnectOptions["lookup"] = (hostname, opts, callback) => {
      if (hostname !== HOST) return dns.lookup(hostname, opts, callback);
      if (opts.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
      else callback(null, "127.0.0.1", 4);
    };
    poolFor(url, { ...DEFAULT_TIMEOUTS, ...options.timeouts }, { ca: pki.ca.cert, lookup });
    return env.makeClient({
      baseUrl: url,
      reconcile: { settleMs: 3_000 },
      retry: { maxAttempts: options.maxAttempts ?? 3, maxElapsedMs: 10_000, minDelayMs: 1, maxDelayMs: 5 },
      logger: (line) => options.lines?.push(line),
    });
  }

  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error("expected a failure");
      },
      (e: unknown) => e as EverflowApiError,
    );

  test("HTTPS_PROXY: every request goes through one kept-alive CONNECT tunnel, counted and logged", async () => {
    process.env.HTTPS_PROXY = proxy.url();
    const lines: ClientLogEvent[] = [];
    const client = clientOf(baseUrl(), { lines });
    const created = await client.create(postbackBody());
    await client.get(created.network_pixel_id);
    await client.list();
    await client.update(created.network_pixel_id, postbackBody({ delay_ms: 10 }));

    expect(proxy.tunnels).toEqual([{ authority: `${HOST}:${front.port}`, status: 200 }]);
    expect(front.requests.map((r) => `${r.method} ${r.url.replace(/\?.*/, "")}`)).toEqual([
      "POST /v1/affiliates/pixels",
      `GET /v1/affiliates/pixels/${created.network_pixel_id}`,
      "GET /v1/affiliates/pixels",
      `PUT /v1/affiliates/pixels/${created.network_pixel_id}`,
    ]);
    expect(client.stats().pool).toMatchObject({ connectionsOpened: 1, connectionErrors: 0, requests: 4 });
    expect(client.stats().limiter.acquired).toBe(4);
    expect(lines.filter((l) => l.event === "request-end").map((l) => l.status)).toEqual([200, 200, 200, 200]);
    expect(env.count(ROUTE.create)).toBe(1);
  });

  test("lower-case https_proxy wins over HTTPS_PROXY; HTTP_PROXY serves https when it is the only one", async () => {
    process.env.HTTPS_PROXY = "http://127.0.0.1:1";
    process.env.https_proxy = proxy.url();
    await clientOf(baseUrl()).list();
    expect(proxy.opened).toBe(1);
    await resetClientRegistry(); // forget the pool: the next one reads the environment again

    delete process.env.HTTPS_PROXY;
    delete process.env.https_proxy;
    process.env.HTTP_PROXY = proxy.url();
    await clientOf(baseUrl()).list();
    expect(proxy.opened).toBe(2);
  });

  test.each([HOST, `.${HOST}`, "*.test", `${HOST}:PORT`, `other.example,${HOST}`, "*"])(
    "NO_PROXY=%s: straight to the server, the proxy sees nothing",
    async (entry) => {
      process.env.HTTPS_PROXY = proxy.url();
      process.env.NO_PROXY = entry.replace("PORT", String(front.port));
      const client = clientOf(baseUrl());
      await client.create(postbackBody());
      expect(proxy.tunnels).toEqual([]);
      expect(front.requests).toHaveLength(1);
    },
  );

  test("NO_PROXY for another port of the host: proxied", async () => {
    process.env.HTTPS_PROXY = proxy.url();
    process.env.NO_PROXY = `${HOST}:1`;
    await clientOf(baseUrl()).list();
    expect(proxy.opened).toBe(1);
  });

  test("HTTP_PROXY with the emulator's http loopback URL: direct, as loopback always is", async () => {
    process.env.HTTP_PROXY = proxy.url();
    process.env.HTTPS_PROXY = proxy.url();
    const client = clientOf(env.emu.url);
    await client.create(postbackBody());
    await clientOf(env.emu.url.replace("127.0.0.1", "localhost")).list();
    await clientOf(front.url("127.0.0.1")).list();
    expect(proxy.tunnels).toEqual([]);
    expect(proxy.forwarded).toEqual([]);
    expect(env.count(ROUTE.create)).toBe(1);
  });

  test("a proxy that is down: the error names it and the operation; a create is retried, never reconciled", async () => {
    const closed = await startForwardProxy();
    const deadUrl = closed.url();
    await closed.stop();
    process.env.HTTPS_PROXY = closed.url("carol", "down-pass-77");
    const lines: ClientLogEvent[] = [];
    const err = await failure(clientOf(baseUrl(), { lines }).create(postbackBody()));
    expect(err).toMatchObject({
      kind: "network",
      code: "ECONNREFUSED",
      operation: "create",
      notSent: true,
      retryable: true,
      attempts: 3,
    });
    expect(err.message).toMatch(
      new RegExp(
        `^Everflow create of postback failed: network error \\(ECONNREFUSED\\) connecting through proxy ` +
          `${deadUrl.replace(/\./g, "\\.")} \\(HTTPS_PROXY\\): .*; nothing was sent \\(gave up after 3 attempts\\)$`,
      ),
    );
    expect(lines.filter((l) => l.event === "reconcile")).toEqual([]);
    expect(lines.filter((l) => l.event === "request-start").map((l) => l.method)).toEqual([
      "POST",
      "POST",
      "POST",
    ]);
    expect(env.emu.log.entries()).toEqual([]);
    const everything = JSON.stringify([err.message, err.stack, { ...err }, lines]);
    expect(everything).not.toContain("carol");
    expect(everything).not.toContain("down-pass-77");
  });

  test("a proxy host that does not resolve: named, not retried", async () => {
    process.env.HTTPS_PROXY = "http://no-such-proxy.invalid:3128";
    const err = await failure(clientOf(baseUrl()).get(5));
    expect(err).toMatchObject({ kind: "network", operation: "get", pixelId: 5, notSent: true, attempts: 1 });
    expect(["ENOTFOUND", "EAI_AGAIN"]).toContain(err.code);
    expect(err.message).toContain("connecting through proxy http://no-such-proxy.invalid:3128 (HTTPS_PROXY)");
  });

  describe("a proxy that wants credentials", () => {
    let guarded: ForwardProxy;
    beforeEach(async () => {
      guarded = await startForwardProxy({ auth: "alice:s3cret-pw@1", hosts: { [HOST]: "127.0.0.1" } });
    });
    afterEach(() => guarded.stop());

    test("credentials in the proxy URL: it works", async () => {
      process.env.HTTPS_PROXY = guarded.url("alice", "s3cret-pw@1");
      const created = await clientOf(baseUrl()).create(postbackBody());
      expect(created.network_pixel_id).toBeGreaterThan(0);
      expect(guarded.tunnels).toEqual([
        {
          authority: `${HOST}:${front.port}`,
          status: 200,
          authorization: `Basic ${Buffer.from("alice:s3cret-pw@1").toString("base64")}`,
        },
      ]);
    });

    test.each([
      ["wrong credentials", () => guarded.url("alice", "wrong-password")],
      ["no credentials", () => guarded.url()],
    ])("%s: a 407 naming the proxy, never the credentials; not retried, nothing sent", async (_name, url) => {
      process.env.HTTPS_PROXY = url();
      const lines: ClientLogEvent[] = [];
      const err = await failure(clientOf(baseUrl(), { lines }).create(postbackBody()));
      expect(err).toMatchObject({
        kind: "proxy",
        status: 407,
        operation: "create",
        notSent: true,
        retryable: false,
        attempts: 1,
      });
      expect(err.message).toBe(
        `Everflow create of postback failed: proxy http://127.0.0.1:${guarded.port} (HTTPS_PROXY) answered ` +
          `HTTP 407 to the tunnel (CONNECT) to ${baseUrl()}: the proxy wants credentials; check the user and ` +
          "password in HTTPS_PROXY; nothing was sent",
      );
      const everything = JSON.stringify([err.message, err.stack, { ...err }, lines]);
      for (const secret of ["alice", "wrong-password", "s3cret", API_KEY]) {
        expect(everything).not.toContain(secret);
      }
      expect(guarded.tunnels.map((t) => t.status)).toEqual([407]);
      expect(lines.filter((l) => l.event === "reconcile")).toEqual([]);
    });
  });

  test("a proxy that cannot reach Everflow (502 to CONNECT): retried, then named; a create is not ambiguous", async () => {
    await proxy.stop();
    proxy = await startForwardProxy({ hosts: { [HOST]: "127.0.0.1" }, refuseTunnels: { status: 502 } });
    process.env.HTTPS_PROXY = proxy.url();
    const lines: ClientLogEvent[] = [];
    const err = await failure(clientOf(baseUrl(), { lines }).create(postbackBody()));
    expect(err).toMatchObject({ kind: "proxy", status: 502, notSent: true, retryable: true, attempts: 3 });
    expect(err.message).toBe(
      `Everflow create of postback failed: proxy ${proxy.url()} (HTTPS_PROXY) answered HTTP 502 to the tunnel ` +
        `(CONNECT) to ${baseUrl()}; nothing was sent (gave up after 3 attempts)`,
    );
    expect(lines.filter((l) => l.event === "retry").map((l) => l.reason)).toEqual([
      "proxy HTTP 502",
      "proxy HTTP 502",
    ]);
    expect(lines.filter((l) => l.event === "reconcile")).toEqual([]);
    expect(front.requests).toEqual([]);
  });

  test("a proxy whose first tunnel fails with 503: the create is retried and made once", async () => {
    await proxy.stop();
    proxy = await startForwardProxy({
      hosts: { [HOST]: "127.0.0.1" },
      refuseTunnels: { status: 503, count: 1 },
    });
    process.env.HTTPS_PROXY = proxy.url();
    const created = await clientOf(baseUrl()).create(postbackBody());
    expect(created.network_pixel_id).toBeGreaterThan(0);
    expect(proxy.tunnels.map((t) => t.status)).toEqual([503, 200]);
    expect(env.count(ROUTE.create)).toBe(1);
    expect(env.count(ROUTE.list)).toBe(0);
  });

  test("a proxy that never answers CONNECT: a connect timeout, naming the proxy, nothing sent", async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      process.env.HTTPS_PROXY = `http://127.0.0.1:${port}`;
      const err = await failure(
        clientOf(baseUrl(), { timeouts: { connectMs: 200 }, maxAttempts: 2 }).create(postbackBody()),
      );
      expect(err).toMatchObject({
        kind: "timeout",
        code: "UND_ERR_HEADERS_TIMEOUT",
        notSent: true,
        attempts: 2,
      });
      expect(err.message).toContain(`connecting through proxy http://127.0.0.1:${port} (HTTPS_PROXY)`);
      expect(env.emu.log.entries()).toEqual([]);
    } finally {
      silent.close();
    }
  });

  test("a certificate rejected through the proxy: a TLS error naming both, nothing sent", async () => {
    await front.stop();
    front = await startTlsFront({ pair: pki.selfSigned([HOST]), target: env.emu.url.replace(/\/v1$/, "") });
    process.env.HTTPS_PROXY = proxy.url();
    const err = await failure(clientOf(baseUrl()).create(postbackBody()));
    expect(err).toMatchObject({
      kind: "tls",
      code: "DEPTH_ZERO_SELF_SIGNED_CERT",
      notSent: true,
      attempts: 1,
    });
    expect(err.message).toContain(
      `TLS certificate of ${baseUrl()}, through proxy ${proxy.url()} (HTTPS_PROXY), rejected`,
    );
    expect(proxy.opened).toBe(1);
    expect(front.requests).toEqual([]);
  });

  test("a proxy URL that is not one: the client refuses it at construction, without its credentials", () => {
    process.env.HTTPS_PROXY = "ftp://bob:hunter22@proxy.corp";
    expect(() => new EverflowClient({ apiKey: API_KEY, baseUrl: "https://api.example.com/v1" })).toThrow(
      "EverflowClient: HTTPS_PROXY is not an http(s) proxy URL (expected http://host:port): ftp://proxy.corp",
    );
  });
});
