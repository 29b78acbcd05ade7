import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { testPki, type TestPki } from "../../support/certificates";
import { createCliStack, type CliRun, type CliStack } from "../../support/cli-stack";
import { startForwardProxy, type ForwardProxy } from "../../support/forward-proxy";
import { startTlsFront, type TlsFront } from "../../support/tls-front";

// Issue 22, item 6 (nodejs/undici#1650): on a corporate network the only way out is the proxy in
// HTTPS_PROXY. Here Everflow is an https host name that only the forward proxy resolves (a TLS front,
// signed by a CA the provider process trusts through NODE_EXTRA_CA_CERTS, before the emulator), and the
// proxy wants credentials. Through the real engine and the plain CLI: up, refresh, update and destroy go
// through the proxy, every request of them; a proxy that is down or refuses the credentials fails
// naming it, writes nothing and creates nothing twice; the proxy's password shows nowhere. And a
// base URL in plain http to a host that is not loopback is refused in one line.

const HOST = "api.everflow.test";
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const USER = "corp";
const PASSWORD = "Pr0xy-pass-5e1";
const POST = "POST /v1/affiliates/pixels";
const PUT = "PUT /v1/affiliates/pixels/:id";

function program(count: number, delayMs: number): string {
  return Array.from(
    { length: count },
    (
      _,
      i,
    ) => `new Postback("p${i}", { deliveryMethod: "postback", pixelLevel: "global", pixelType: "conversion",
  postbackUrl: "https://track.example.com/proxy-${i}?tid={transaction_id}", delayMs: ${delayMs} });`,
  ).join("\n");
}

describe("Everflow behind a forward proxy that wants credentials", () => {
  let pki: TestPki;
  let front: TlsFront;
  let proxy: ForwardProxy;
  let s: CliStack;
  const printed: string[] = [];

  async function pulumi(args: string[], proxyUrl: string): Promise<CliRun> {
    const r = await s.pulumi(args, { env: { HTTPS_PROXY: proxyUrl } });
    printed.push(r.stdout, r.stderr);
    return r;
  }
  const ok = (r: CliRun): CliRun => {
    if (r.code !== 0) throw new Error(`${r.command} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
    return r;
  };
  const failed = (r: CliRun): string => {
    if (r.code === 0) throw new Error(`${r.command} succeeded:\n${r.stdout}`);
    return r.stdout + r.stderr;
  };
  const withCredentials = () => proxy.url(USER, PASSWORD);
  const baseUrl = () => `https://${HOST}:${front.port}/v1`;
  /** Tunnels the proxy opened to Everflow's host. */
  const tunnels = () =>
    proxy.tunnels.filter((t) => t.authority === `${HOST}:${front.port}` && t.status === 200);
  const tracked = async () =>
    (
      JSON.parse(ok(await s.pulumi(["stack", "export"])).stdout).deployment.resources as { type: string }[]
    ).filter((r) => r.type.endsWith(":Postback")).length;

  beforeAll(async () => {
    pki = testPki("Corporate CA");
    const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "issue22-proxy-ca-")), "ca.pem");
    fs.writeFileSync(caFile, pki.ca.cert);
    s = await createCliStack("corporate-proxy", { env: { NODE_EXTRA_CA_CERTS: caFile } });
    front = await startTlsFront({ pair: pki.leaf([HOST]), target: s.emulator.url.replace(/\/v1$/, "") });
    proxy = await startForwardProxy({ auth: `${USER}:${PASSWORD}`, hosts: { [HOST]: "127.0.0.1" } });
    await s.setConfig("everflow:baseUrl", baseUrl());
  });
  afterAll(async () => {
    await proxy?.stop();
    await front?.stop();
    await s?.stop();
    pki?.dispose();
  });

  it("up, refresh and an update go through the proxy", async () => {
    s.program(program(2, 0));
    ok(await pulumi(["up", "--yes"], withCredentials()));
    expect(s.emulator.log.count(POST)).toBe(2);
    ok(await pulumi(["refresh", "--yes"], withCredentials()));
    s.program(program(2, 1500));
    ok(await pulumi(["up", "--yes"], withCredentials()));
    expect(s.emulator.log.count(PUT)).toBe(2);
    expect(s.emulator.store.all().map((p) => p.delay_ms)).toEqual([1500, 1500]);
    expect(tunnels().length).toBeGreaterThan(0);
  });

  it("a proxy that is down: the error names it, nothing is sent, and the next up creates once", async () => {
    const closed = await startForwardProxy();
    const dead = closed.url();
    await closed.stop();
    s.program(program(3, 1500));
    s.emulator.log.reset();
    const out = failed(await pulumi(["up", "--yes"], closed.url(USER, PASSWORD)));
    // The create first lists the account (the stack's postbacks there tell which affiliate the key must
    // speak for): that is the request that fails.
    expect(out).toMatch(
      new RegExp(
        `Everflow (create of postback|list of postbacks) failed: network error \\(ECONNREFUSED\\) connecting ` +
          `through proxy ${escape(dead)} \\(HTTPS_PROXY\\)`,
      ),
    );
    expect(out).toContain("nothing was sent");
    expect(s.emulator.log.entries()).toEqual([]);
    expect(await tracked()).toBe(2);

    ok(await pulumi(["up", "--yes"], withCredentials()));
    expect(s.emulator.log.count(POST)).toBe(1);
    expect(s.emulator.store.all()).toHaveLength(3);
    expect(await tracked()).toBe(3);
  });

  it("a proxy that refuses the tunnel without credentials: named, with what to fix; nothing written", async () => {
    s.program(program(3, 2500));
    s.emulator.log.reset();
    const out = failed(await pulumi(["up", "--yes"], proxy.url()));
    expect(out).toMatch(
      new RegExp(
        `Everflow (update of postback \\d+|list of postbacks) failed: proxy ${escape(proxy.url())} \\(HTTPS_PROXY\\) ` +
          `answered HTTP 407 to the tunnel \\(CONNECT\\) to ${escape(baseUrl())}: the proxy wants ` +
          `credentials; check the user and password in HTTPS_PROXY; nothing was sent`,
      ),
    );
    expect(s.emulator.log.entries()).toEqual([]);
    expect(s.emulator.store.all().map((p) => p.delay_ms)).toEqual([1500, 1500, 1500]);
  });

  it("destroy goes through the proxy; every request of every run went through it; no password printed", async () => {
    ok(await pulumi(["destroy", "--yes"], withCredentials()));
    expect(s.emulator.store.all().map((p) => p.pixel_status)).toEqual(["inactive", "inactive", "inactive"]);
    // The host name resolves nowhere but in the proxy: whatever reached the API came through the TLS
    // front, and every connection to the front through one of the proxy's tunnels.
    expect(front.connections).toBe(tunnels().length);
    expect(front.requests.length).toBeGreaterThanOrEqual(2 + 2 + 1 + 3);
    expect(proxy.forwarded).toEqual([]);
    const basic = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");
    for (const secret of [PASSWORD, basic]) {
      expect(printed.filter((text) => text.includes(secret))).toEqual([]);
      expect(Object.entries(s.files()).filter(([, text]) => text.includes(secret))).toEqual([]);
    }
  });
});

describe("a base URL in plain http to a host that is not loopback", () => {
  let s: CliStack;
  // The check of each postback of the account fails with it, so the engine prints it after its own
  // words naming the resource and the property.
  const REFUSAL =
    'account "default": baseUrl http://example.com/v1 would send the API key unencrypted; use https:// ' +
    "(plain http is allowed only for loopback: localhost, 127.0.0.0/8, ::1)";
  beforeAll(async () => {
    s = await createCliStack("http-refused");
    await s.setConfig("everflow:baseUrl", "http://example.com/v1");
    s.program(`new Postback("p", { deliveryMethod: "postback", pixelLevel: "global", pixelType: "conversion",
      postbackUrl: "https://track.example.com/http?tid={transaction_id}" });`);
  });
  afterAll(async () => s?.stop());

  /** The refusal, once per resource, each on one line of its own, with no stack trace. */
  function expectOneLineRefusal(r: CliRun): void {
    expect(r.code).not.toBe(0);
    const out = r.stdout + r.stderr;
    const lines = out.split("\n").filter((l) => l.includes("baseUrl http://example.com/v1 would send"));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.trim()).toMatch(new RegExp(`${escape(REFUSAL)}$`));
    expect(out).not.toMatch(/^\s+at /m);
  }

  it("up is refused in one line, before any request", async () => {
    expectOneLineRefusal(await s.pulumi(["up", "--yes"]));
    expect(s.emulator.log.entries()).toEqual([]);
  });

  // Like a missing API key, a base URL the key must not travel to fails the check of every postback of
  // the account (Settings.account), so the preview refuses it before any request.
  it("preview is refused in one line as well", async () => {
    expectOneLineRefusal(await s.pulumi(["preview"]));
  });
});
