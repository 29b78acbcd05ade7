// Behind a corporate proxy, `pulumi-everflow adopt` reaches Everflow the way the provider does: the
// client honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY. The compiled binary runs in a child process, with
// a real forward proxy on loopback in front of a TLS server in front of the emulator. The API's name is
// one only the proxy resolves, so the listing can only have gone through the proxy (loopback addresses
// are never proxied, by design); the child trusts the test CA through NODE_EXTRA_CA_CERTS.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "../../../emulator";
import { testPki, type TestPki } from "../../support/certificates";
import { startForwardProxy, type ForwardProxy } from "../../support/forward-proxy";
import { startTlsFront, type TlsFront } from "../../support/tls-front";
import { LIST, spawnCli } from "./helpers";

const KEY = "ef-adopt-proxy-key-19e4";
const HOST = "everflow.test";
const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"];

describe("adopt through a forward proxy (HTTPS_PROXY)", () => {
  let pki: TestPki;
  let emulator: EmulatorHandle;
  let front: TlsFront;
  let proxy: ForwardProxy;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    pki = testPki("Everflow Proxy Test CA");
    emulator = await startEmulator({
      accounts: [{ apiKey: KEY, networkId: 1, affiliateId: 7 }],
      rateLimit: { rate: 1000, burst: 1000 },
    });
    emulator.store.seed(KEY, { postback_url: "https://t.example/a?t={transaction_id}" });
    emulator.store.seed(KEY, { postback_url: "https://t.example/b?t={transaction_id}" });
    front = await startTlsFront({
      pair: pki.leaf([HOST]),
      target: emulator.url.replace(/\/v1$/, ""),
    });
    proxy = await startForwardProxy({ hosts: { [HOST]: "127.0.0.1" } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "adopt-proxy-"));
    const ca = path.join(dir, "ca.pem");
    fs.writeFileSync(ca, pki.ca.cert);
    env = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith("EVERFLOW_")) delete env[key];
    for (const name of PROXY_VARIABLES) delete env[name];
    Object.assign(env, {
      EVERFLOW_API_KEY: KEY,
      EVERFLOW_BASE_URL: front.url(HOST),
      EVERFLOW_MAX_ATTEMPTS: "1",
      NODE_EXTRA_CA_CERTS: ca,
    });
  });
  afterAll(async () => {
    await proxy?.stop();
    await front?.stop();
    await emulator?.stop();
    pki?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("lists the account through one CONNECT tunnel and writes the program", async () => {
    const out = path.join(dir, "Pulumi.yaml");
    const r = await spawnCli(["adopt", "--out", out], { ...env, HTTPS_PROXY: proxy.url() });
    expect(r.stderr).toBe(`adopt: wrote 2 postbacks of account "default" to ${out}\n`);
    expect(r.code).toBe(0);
    expect(proxy.tunnels).toEqual([{ authority: `${HOST}:${front.port}`, status: 200 }]);
    expect(front.requests.map((q) => `${q.method} ${q.url.replace(/\?.*/, "")}`)).toEqual([
      "GET /v1/affiliates/pixels",
    ]);
    expect(emulator.log.count(LIST)).toBe(1);
    const ids = emulator.store.all().map((p) => p.network_pixel_id);
    const text = fs.readFileSync(out, "utf8");
    for (const id of ids) expect(text).toContain(`  postback-${id}:\n    type: everflow:index:Postback\n`);
  });

  it("without the proxy the name resolves nowhere: exit 1, nothing listed", async () => {
    const tunnels = proxy.tunnels.length;
    emulator.log.reset();
    const r = await spawnCli(["adopt"], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^pulumi-everflow adopt: cannot list the postbacks of account "default" at https:\/\/everflow\.test:\d+\/v1: .*ENOTFOUND/,
    );
    expect(proxy.tunnels).toHaveLength(tunnels);
    expect(emulator.log.count("*")).toBe(0);
  });

  it("NO_PROXY naming the API's host sends it direct, past the proxy", async () => {
    const tunnels = proxy.tunnels.length;
    const r = await spawnCli(["adopt"], { ...env, HTTPS_PROXY: proxy.url(), NO_PROXY: HOST });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ENOTFOUND");
    expect(proxy.tunnels).toHaveLength(tunnels);
  });
});
