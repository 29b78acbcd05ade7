// Failures before the request is written (TCP connect, TLS handshake) sent nothing: a create that fails
// so is not ambiguous (no reconciliation, no listing), and a certificate error is neither retried nor
// hidden: it fails at once, naming the TLS problem and the base URL. Real TLS servers on loopback.

import { DEFAULT_TIMEOUTS, EverflowApiError, type ClientLogEvent } from "../../../provider/client";
import { poolFor } from "../../../provider/client/pool";
import { testPki, type TestPki } from "../../support/certificates";
import { captureNodeWarnings, type WarningCapture } from "../../support/node-warnings";
import { startTlsFront, type TlsFront } from "../../support/tls-front";
import { API_KEY, postbackBody, ROUTE, setup, type Env } from "./helpers";

let pki: TestPki;
let other: TestPki;
let env: Env;
let front: TlsFront | undefined;

beforeAll(() => {
  pki = testPki("Everflow Test CA");
  other = testPki("Untrusted CA");
});
afterAll(() => {
  pki.dispose();
  other.dispose();
});
let warnings: WarningCapture;
beforeEach(async () => {
  warnings = captureNodeWarnings();
  env = await setup();
});
afterEach(async () => {
  await front?.stop();
  front = undefined;
  await env.close();
  expect(await warnings.stop()).toEqual([]);
});

/** A client of `baseUrl` whose pool trusts the test CA (as NODE_EXTRA_CA_CERTS would), settling slowly. */
function clientOf(baseUrl: string, lines: ClientLogEvent[] = []) {
  poolFor(baseUrl, DEFAULT_TIMEOUTS, { ca: pki.ca.cert });
  return env.makeClient({
    baseUrl,
    reconcile: { settleMs: 3_000 },
    logger: (line) => lines.push(line),
  });
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as EverflowApiError,
  );

describe("a certificate the client rejects", () => {
  const cases: [string, () => { pair: { key: string; cert: string }; chain?: string }, RegExp][] = [
    ["self-signed", () => ({ pair: pki.selfSigned(["127.0.0.1"]) }), /^DEPTH_ZERO_SELF_SIGNED_CERT$/],
    [
      "signed by an unknown CA",
      () => ({ pair: other.leaf(["127.0.0.1"]) }),
      /^UNABLE_TO_VERIFY_LEAF_SIGNATURE$/,
    ],
    [
      "with an untrusted root in the chain",
      () => ({ pair: other.leaf(["127.0.0.1"]), chain: other.ca.cert }),
      /^SELF_SIGNED_CERT_IN_CHAIN$/,
    ],
    ["expired", () => ({ pair: pki.leaf(["127.0.0.1"], { days: -1 }) }), /^CERT_HAS_EXPIRED$/],
    ["for another host", () => ({ pair: pki.leaf(["api.eflow.team"]) }), /^ERR_TLS_CERT_ALTNAME_INVALID$/],
  ];

  test.each(cases)("%s: a create fails at once, unsent, not ambiguous", async (_name, serve, code) => {
    front = await startTlsFront({ ...serve(), target: env.emu.url.replace(/\/v1$/, "") });
    const lines: ClientLogEvent[] = [];
    const client = clientOf(front.url(), lines);

    const err = await failure(client.create(postbackBody()));
    expect(err).toBeInstanceOf(EverflowApiError);
    expect(err).toMatchObject({
      kind: "tls",
      operation: "create",
      notSent: true,
      retryable: false,
      attempts: 1,
    });
    expect(err.code).toMatch(code);
    expect(err.message).toContain(`TLS certificate of ${front.url()} rejected (${err.code}: `);
    expect(err.message).toContain("nothing was sent");
    expect(err.message).not.toContain(API_KEY);
    // One connection (no retry), no handshake completed, no reconciliation listing, and nothing got
    // through to the API.
    expect(front.connections).toBe(1);
    expect(front.handshakes).toBe(0);
    expect(front.requests).toEqual([]);
    expect(lines.filter((l) => l.event === "request-start").map((l) => l.method)).toEqual(["POST"]);
    expect(lines.filter((l) => l.event === "reconcile" || l.event === "retry")).toEqual([]);
    expect(env.emu.log.entries()).toEqual([]);
  });

  test("reads and updates fail the same way, once each", async () => {
    front = await startTlsFront({ pair: pki.selfSigned(["127.0.0.1"]) });
    const client = clientOf(front.url());
    const errors = [
      await failure(client.get(12)),
      await failure(client.list()),
      await failure(client.update(12, postbackBody())),
      await failure(client.deactivate(12)),
    ];
    expect(errors.map((e) => [e.kind, e.operation, e.attempts])).toEqual([
      ["tls", "get", 1],
      ["tls", "list", 1],
      ["tls", "update", 1],
      ["tls", "deactivate", 1],
    ]);
    // Node 24 appends a hint of its own to the certificate error's text.
    const escaped = front.url().replace(/[.]/g, "\\.");
    expect(errors[0]?.message).toMatch(
      new RegExp(
        `^Everflow get of postback 12 failed: TLS certificate of ${escaped} rejected ` +
          "\\(DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate[^)]*\\): nothing was sent, and a certificate " +
          "error is not retried \\(a TLS-inspecting proxy's CA can be trusted with NODE_EXTRA_CA_CERTS\\)$",
      ),
    );
    expect(front.connections).toBe(4);
    expect(front.handshakes).toBe(0);
    expect(front.requests).toEqual([]);
  });
});

test("a server that does not speak TLS: a handshake failure, named, not retried", async () => {
  const baseUrl = env.emu.url.replace(/^http:/, "https:");
  const client = clientOf(baseUrl);
  const err = await failure(client.create(postbackBody()));
  expect(err).toMatchObject({ kind: "tls", notSent: true, retryable: false, attempts: 1 });
  expect(err.message).toMatch(
    new RegExp(
      `^Everflow create of postback failed: TLS handshake with ${baseUrl} failed \\((ERR_SSL_|EPROTO)`,
    ),
  );
  // The emulator read a ClientHello, not a request.
  expect(env.emu.log.entries()).toEqual([]);
});

test("connections dropped during the handshake: the create is retried, without reconciliation", async () => {
  front = await startTlsFront({
    pair: pki.leaf(["127.0.0.1"]),
    target: env.emu.url.replace(/\/v1$/, ""),
    dropConnections: 2,
  });
  const lines: ClientLogEvent[] = [];
  const client = clientOf(front.url(), lines);
  const created = await client.create(postbackBody());
  expect(created.network_pixel_id).toBeGreaterThan(0);
  expect(front.connections).toBe(3);
  expect(lines.filter((l) => l.event === "retry").map((l) => l.reason)).toEqual(["ECONNRESET", "ECONNRESET"]);
  expect(lines.filter((l) => l.event === "reconcile")).toEqual([]);
  expect(env.count(ROUTE.create)).toBe(1);
  expect(env.count(ROUTE.list)).toBe(0);
});

test("a trusted certificate: requests go through, on one kept-alive connection", async () => {
  front = await startTlsFront({ pair: pki.leaf(["127.0.0.1"]), target: env.emu.url.replace(/\/v1$/, "") });
  const client = clientOf(front.url());
  const created = await client.create(postbackBody());
  await expect(client.get(created.network_pixel_id)).resolves.toMatchObject({ pixel_status: "active" });
  expect(front.requests.map((r) => r.method)).toEqual(["POST", "GET"]);
  expect(front.handshakes).toBe(1);
});
