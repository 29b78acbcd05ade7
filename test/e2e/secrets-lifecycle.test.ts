// Every secret of a stack, through a full lifecycle with failures, must reach no output or log of ours
// in clear: the engine's stdout/stderr and events, each pulumi-everflow command's output, the emulator's
// request log, and the state file (where secrets are ciphertext). The failures are the ones where a
// secret is most likely to slip out: Everflow rejecting a write with a message that quotes what we
// sent, in every form a server may quote it.

import * as pulumi from "@pulumi/pulumi";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { Postback } from "../../sdk";
import { API_KEY, createEverflowStack, type EverflowTestStack } from "../support/everflow";
import { runCli, stackEnv } from "./cli/helpers";

const URL_1 = "https://partner.example/cb?api_key=pk_live_LCfirst9f1&tid={transaction_id}";
const URL_2 = "https://partner.example/cb?api_key=pk_live_LCsecond3a7&tid={transaction_id}";
const URL_NEW = "https://partner.example/new?api_key=pk_live_LCnew0d4&tid={transaction_id}";
const URL_DRIFT = "https://partner.example/cb?api_key=pk_live_LCdriftc55&tid={transaction_id}";
const HTML = '<img src="https://px.example/p?key=html_LCsecret77e&t={transaction_id}" />';
const TOKEN_1 = "EAAB-lc-token-first-51d0c2e8";
const TOKEN_2 = "EAAB-lc-token-second-9e77aa01";

/** What must never be seen: each secret whole, and the part of it that is the credential. */
const SECRETS = [
  API_KEY,
  URL_1,
  "pk_live_LCfirst9f1",
  URL_2,
  "pk_live_LCsecond3a7",
  URL_NEW,
  "pk_live_LCnew0d4",
  URL_DRIFT,
  "pk_live_LCdriftc55",
  HTML,
  "html_LCsecret77e",
  TOKEN_1,
  TOKEN_2,
  // The first 20 characters of a token, as a server quoting it cut short would.
  TOKEN_2.slice(0, 20),
];

/** A message quoting the request in every form: as sent, JSON-escaped, percent-encoded, HTML-escaped, cut. */
const QUOTING = (field: string) =>
  `Invalid parameters: ${field} {${field}} ({${field}|json}; {${field}|url}; {${field}|html}; {${field}|cut:20})`;

/**
 * Left out of the search, and only these: the debug-level trace that @pulumi/pulumi's runtime in the
 * program process sends for every registered resource ("RegisterResource RPC finished: ...; resp:
 * <the engine's response>", runtime/resource.js at 3.248), which holds the resource's outputs with
 * secrets decrypted. It is Pulumi's own logging, not ours, and shown only with --debug.
 */
function isSdkRpcTrace(event: EngineEvent): boolean {
  const d = event.diagnosticEvent;
  return (
    (d?.severity as string | undefined) === "debug" &&
    d!.message.startsWith("RegisterResource RPC finished: ")
  );
}

describe("secrets through a full lifecycle, failures included", () => {
  let sdkTraces = 0;
  let t: EverflowTestStack;
  const seen: Array<{ where: string; text: string }> = [];
  const record = (where: string, text: unknown) => seen.push({ where, text: String(text ?? "") });
  const engineIo = (where: string) => ({
    onOutput: (line: string) => record(`${where} stdout`, line),
    onError: (line: string) => record(`${where} stderr`, line),
    onEvent: (event: EngineEvent) => {
      if (isSdkRpcTrace(event)) sdkTraces += 1;
      else record(`${where} event`, JSON.stringify(event));
    },
  });
  /** Runs an engine operation, recording its output and, when it fails, its error. */
  async function engine<T>(where: string, run: () => Promise<T>): Promise<T | Error> {
    try {
      return await runEngine(where, run);
    } finally {
      // The state file after every operation: secrets only as ciphertext.
      record(`${where} state file`, t.rawState());
    }
  }
  async function runEngine<T>(where: string, run: () => Promise<T>): Promise<T | Error> {
    try {
      const result = await run();
      const r = result as { stdout?: string; stderr?: string };
      record(`${where} stdout`, r.stdout);
      record(`${where} stderr`, r.stderr);
      return result;
    } catch (error) {
      const e = error as Error & { stdout?: string; stderr?: string };
      record(`${where} error`, e.message);
      record(`${where} stdout`, e.stdout);
      record(`${where} stderr`, e.stderr);
      return e;
    }
  }
  async function cli(where: string, argv: string[], env: NodeJS.ProcessEnv) {
    const r = await runCli(argv, env, t.workDir);
    record(`${where} stdout`, r.stdout);
    record(`${where} stderr`, r.stderr);
    return r;
  }

  let url = URL_1;
  let token = TOKEN_1;
  let withNew = false;

  beforeAll(async () => {
    t = await createEverflowStack("secrets-lifecycle", async () => {
      new Postback("partner", {
        deliveryMethod: "postback",
        pixelLevel: "global",
        pixelType: "conversion",
        postbackUrl: pulumi.secret(url),
      });
      new Postback("meta", {
        deliveryMethod: "facebook",
        pixelLevel: "global",
        pixelType: "conversion",
        facebookPixel: { pixelId: "8812", eventName: "Purchase", accessToken: pulumi.secret(token) },
      });
      new Postback("tag", {
        deliveryMethod: "html",
        pixelLevel: "global",
        pixelType: "post_conversion",
        htmlCode: pulumi.secret(HTML),
      });
      if (withNew) {
        new Postback("newcomer", {
          deliveryMethod: "postback",
          pixelLevel: "global",
          pixelType: "conversion",
          postbackUrl: pulumi.secret(URL_NEW),
        });
      }
    });
  });
  afterAll(async () => t?.stop());

  it("runs the lifecycle, and no secret appears anywhere", async () => {
    const POST = "POST /v1/affiliates/pixels";
    const PUT = "PUT /v1/affiliates/pixels/:id";
    const env = stackEnv(t);
    const drift = ["drift", "--cwd", t.workDir, "--stack", "test"];

    const up = await engine("up", () => t.stack.up(engineIo("up")));
    expect(up).not.toBeInstanceOf(Error);
    expect((await cli("drift (none)", drift, env)).code).toBe(0);

    // Someone edits the URL in Everflow: drift reports the field, its values hidden.
    const partner = t.emulator.store.all().find((p) => p.postback_url === URL_1)!;
    t.emulator.store.update(partner.network_pixel_id, { postback_url: URL_DRIFT });
    const text = await cli("drift text", drift, env);
    expect(text.code).toBe(2);
    expect(text.stdout).toContain("    postbackUrl: declared [secret], live [secret]");
    const json = await cli("drift json", [...drift, "--json"], env);
    expect(JSON.parse(json.stdout).drift[0].fields).toEqual([
      { field: "postbackUrl", declared: "[secret]", live: "[secret]" },
    ]);
    await engine("preview --refresh", () => t.stack.preview({ refresh: true, ...engineIo("preview") }));

    // Everflow rejects every write, quoting what was sent: an update of the URL, an update of the
    // token, and a create.
    url = URL_2;
    token = TOKEN_2;
    withNew = true;
    t.emulator.faults.failNext(POST, 1, 400, QUOTING("postback_url"));
    t.emulator.faults.failNext(
      PUT,
      2,
      400,
      `${QUOTING("postback_url")} ${QUOTING("facebook_pixel.access_token")}`,
    );
    // continueOnError: every write is tried (and quoted) whichever fails first.
    const failed = await engine("failed up", () =>
      t.stack.up({ refresh: true, continueOnError: true, ...engineIo("failed up") }),
    );
    expect(failed).toBeInstanceOf(Error);
    const failure = seen
      .filter((s) => s.where.startsWith("failed up"))
      .map((s) => s.text)
      .join("\n");
    // The quoting did happen, and the engine saw the field names instead.
    expect(failure).toContain(
      "Invalid parameters: postback_url <postback_url> (<postback_url>; <postback_url>;",
    );
    expect(failure).toContain("Invalid parameters: facebook_pixel.access_token [REDACTED] ([REDACTED];");
    expect(failure).toContain("<facebook_pixel.access_token>...");
    expect(failure).toMatch(/Everflow create of postback failed: HTTP 400/);

    t.emulator.faults.clear();
    const fixed = await engine("up again", () => t.stack.up({ refresh: true, ...engineIo("up again") }));
    expect(fixed).not.toBeInstanceOf(Error);
    expect(t.emulator.store.all().map((p) => p.postback_url)).toContain(URL_2);
    expect(t.rawState()).toContain('"ciphertext"');

    await engine("refresh", () => t.stack.refresh(engineIo("refresh")));
    await cli("recover", ["recover", "--cwd", t.workDir, "--stack", "test", "--dry-run"], env);
    const adopted = await cli("adopt", ["adopt"], {
      ...env,
      EVERFLOW_API_KEY: API_KEY,
      EVERFLOW_BASE_URL: t.emulator.url,
    });
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toContain('postbackUrl: config.requireSecret("postbackUrl');
    await engine("destroy", () => t.stack.destroy(engineIo("destroy")));

    record("emulator log", JSON.stringify(t.emulator.log.entries()));

    const leaks = SECRETS.flatMap((secret) =>
      seen.filter((s) => s.text.includes(secret)).map((s) => `${s.where}: ${secret}`),
    );
    expect(leaks).toEqual([]);
    expect(sdkTraces).toBeGreaterThan(0); // the exclusion above is real, and narrow
    // Enough was looked at for the search to mean something.
    expect(new Set(seen.map((s) => s.where.split(" ")[0])).size).toBeGreaterThanOrEqual(9);
  });
});
