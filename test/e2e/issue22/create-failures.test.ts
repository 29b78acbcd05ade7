import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Postback, type PostbackArgs } from "../../../sdk";
import { testPki, type TestPki } from "../../support/certificates";
import { createCliStack, type CliRun, type CliStack } from "../../support/cli-stack";
import { API_KEY, createEverflowStack, type EverflowTestStack } from "../../support/everflow";
import { startTlsFront, type TlsFront } from "../../support/tls-front";

// Issue 22, item 9, through the engine. (a) A create refused at the TLS handshake sent nothing: it fails
// at once, naming the certificate problem and the base URL, with no retry and no reconciliation (no
// listing after it, no wait), and nothing is created twice once the certificate is trusted. (b) A
// create whose value Everflow cut off says the postback was created and is recorded in the state (not "adopted"),
// and the next `up` does not create it again; an adoption whose write was cut off says "adopted".

const POST = "POST /v1/affiliates/pixels";
const PUT = "PUT /v1/affiliates/pixels/:id";

describe("a certificate the provider rejects, on create", () => {
  let pki: TestPki;
  let s: CliStack;
  const fronts: TlsFront[] = [];
  const ok = (r: CliRun): CliRun => {
    if (r.code !== 0) throw new Error(`${r.command} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
    return r;
  };
  async function front(pair: { key: string; cert: string }): Promise<TlsFront> {
    const f = await startTlsFront({ pair, target: s.emulator.url.replace(/\/v1$/, "") });
    fronts.push(f);
    return f;
  }
  const tracked = async () =>
    (
      JSON.parse(ok(await s.pulumi(["stack", "export"])).stdout).deployment.resources as { type: string }[]
    ).filter((r) => r.type.endsWith(":Postback")).length;

  beforeAll(async () => {
    pki = testPki("Issue 22 CA");
    // The provider process trusts the test CA, as a user trusts a corporate one.
    const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "issue22-ca-")), "ca.pem");
    fs.writeFileSync(caFile, pki.ca.cert);
    s = await createCliStack("tls-create", { env: { NODE_EXTRA_CA_CERTS: caFile } });
    s.program(`new Postback("checkout", { deliveryMethod: "postback", pixelLevel: "global",
      pixelType: "conversion", postbackUrl: "https://track.example.com/tls?tid={transaction_id}" });`);
  });
  afterAll(async () => {
    for (const f of fronts) await f.stop();
    await s?.stop();
    pki?.dispose();
  });

  // Every kind of rejected certificate takes the same path (test/unit/client/tls.test.ts has them all):
  // two through the engine.
  it.each([
    ["self-signed", () => pki.selfSigned(["127.0.0.1"]), "DEPTH_ZERO_SELF_SIGNED_CERT"],
    ["for another host", () => pki.leaf(["api.eflow.team"]), "ERR_TLS_CERT_ALTNAME_INVALID"],
  ])("%s: up fails at once, one handshake, nothing sent, nothing recorded", async (_name, pair, code) => {
    const f = await front(pair());
    await s.setConfig("everflow:baseUrl", f.url());
    s.emulator.log.reset();
    const up = await s.pulumi(["up", "--yes"]);
    expect(up.code).not.toBe(0);
    expect(up.stdout + up.stderr).toContain(
      `Everflow create of postback failed: TLS certificate of ${f.url()} rejected (${code}: `,
    );
    expect(up.stdout + up.stderr).toContain("nothing was sent");
    // Two connections, each refused at the handshake: the account's listing (a create looks for
    // postbacks already there first, and goes on without it) and the create. No retry, and no
    // reconciliation listing after the create.
    expect({ connections: f.connections, handshakes: f.handshakes, requests: f.requests.length }).toEqual({
      connections: 2,
      handshakes: 0,
      requests: 0,
    });
    expect(s.emulator.log.entries()).toEqual([]);
    expect(await tracked()).toBe(0);
  });

  it("with a certificate the provider trusts, the next up creates the postback once", async () => {
    const f = await front(pki.leaf(["127.0.0.1"]));
    await s.setConfig("everflow:baseUrl", f.url());
    s.emulator.log.reset();
    ok(await s.pulumi(["up", "--yes"]));
    expect(s.emulator.log.count(POST)).toBe(1);
    expect(s.emulator.store.all()).toHaveLength(1);
    expect(f.requests.map((r) => `${r.method} ${r.url.split("?")[0]}`)).toEqual([
      "GET /v1/affiliates/pixels",
      "POST /v1/affiliates/pixels",
    ]);
    expect(await tracked()).toBe(1);
  });
});

describe("a value Everflow cut off, on create and on adoption", () => {
  const url = "https://track.example.com/cb?tid={transaction_id}&sub1={sub1}&sub2={sub2}"; // 73
  const html = '<img src="https://px.example.com/c?t={transaction_id}&s={sub1}" width="1" height="1" />';
  const declared: Record<string, { args: PostbackArgs; import?: number }> = {};
  let t: EverflowTestStack;
  let adoptId = 0;
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => "succeeded",
      (error: Error) => error.message,
    );
  beforeAll(async () => {
    t = await createEverflowStack(
      "cut-create",
      async () => {
        for (const [name, d] of Object.entries(declared)) {
          new Postback(name, d.args, d.import === undefined ? {} : { import: String(d.import) });
        }
      },
      { emulator: { quirks: { truncate: { postback_url: 60, html_code: 70 } } } },
    );
    adoptId = t.emulator.store.seed(API_KEY, {
      delivery_method: "postback",
      pixel_level: "global",
      pixel_status: "active",
      pixel_type: "cpc",
      postback_url: "https://track.example.com/old?tid={transaction_id}",
    }).network_pixel_id;
  });
  afterAll(async () => t?.stop());

  it("says created (and recorded in the state), or adopted, naming the field cut off", async () => {
    declared.url = {
      args: { deliveryMethod: "postback", pixelLevel: "global", pixelType: "conversion", postbackUrl: url },
    };
    declared.html = {
      args: { deliveryMethod: "html", pixelLevel: "global", pixelType: "post_conversion", htmlCode: html },
    };
    declared.adopted = {
      args: { deliveryMethod: "postback", pixelLevel: "global", pixelType: "cpc", postbackUrl: url },
      import: adoptId,
    };
    const up = await t.stack.up({ continueOnError: true }).then(
      () => "succeeded",
      (error: Error & { stdout?: string; stderr?: string }) =>
        `${error.message}\n${error.stdout}\n${error.stderr}`,
    );
    expect(up).toMatch(
      /postback \d+ was created \(and is recorded in the state\), but: Everflow changed what the postback does: postbackUrl: sent .* \(cut off at 60 of 73 characters\)/,
    );
    expect(up).toMatch(
      new RegExp(
        `postback \\d+ was created \\(and is recorded in the state\\), but: Everflow changed what the postback ` +
          `does: htmlCode: sent .* \\(cut off at 70 of ${html.length} characters\\)`,
      ),
    );
    expect(up).toMatch(
      new RegExp(
        `postback ${adoptId} was adopted \\(and is recorded in the state\\) but not brought to its declaration: ` +
          `postback ${adoptId}: Everflow changed what the postback does: postbackUrl: sent .* \\(cut off at 60 of 73`,
      ),
    );
    // "adopted" is said of the adopted postback only.
    expect(new Set([...up.matchAll(/postback (\d+) was adopted/g)].map((m) => Number(m[1])))).toEqual(
      new Set([adoptId]),
    );
    expect(t.emulator.log.count(POST)).toBe(2);
    const { tracked, stored } = t.trackedAndStored();
    expect(tracked).toEqual(stored);
    expect(tracked).toHaveLength(3);
  });

  it("the next up writes again instead of creating; fixed values end it", async () => {
    t.emulator.log.reset();
    expect(await failure(t.stack.up({ continueOnError: true }))).toMatch(/cut off at 60 of 73/);
    expect(t.emulator.log.count(POST)).toBe(0);
    expect(t.emulator.log.count(PUT)).toBe(3);
    t.emulator.settings.setQuirks({});
    await t.stack.up();
    t.emulator.log.reset();
    await t.stack.up();
    expect(t.totalCalls()).toBe(0);
    expect(t.trackedAndStored().stored).toHaveLength(3);
  });
});
