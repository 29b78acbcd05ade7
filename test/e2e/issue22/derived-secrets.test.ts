import * as fs from "node:fs";
import * as path from "node:path";
import { API_KEY } from "../../support/everflow";
import { createCliStack, type CliRun, type CliStack } from "../../support/cli-stack";
import { leaksIn, type Seen } from "../../support/leaks";
import { spawnCli } from "../cli/helpers";

// Issue 22, item 2 (hashicorp/terraform-plugin-framework#1006): anything derived from a secret is secret.
// A postback URL marked secret that Everflow stores in another form (the emulator's escaping quirk)
// printed its API key in the "stored a different value" warning, kept it in clear in `lastApplied`,
// and showed it in `preview --json`. Here the program is a user's file run by the plain `pulumi` CLI,
// and every command's output, the engine's event log, `pulumi stack export` and every file of the
// project and its backend are searched for each secret in every encoding, through the paths that
// carry a value without failing: create, adopt, update of another field, update of the URL, a hand
// edit seen by refresh and by `pulumi-everflow drift`, `up --refresh`, and destroy. The paths that
// fail (API errors quoting the request, a value cut off, check failures) are in
// derived-secrets-failures.test.ts.

const URL_A = "https://p.example/cb?api_key=S3CR3T&tid={transaction_id}"; // the issue's
const URL_A2 = "https://p.example/cb?api_key=S3CR3T-2nd-b71&tid={transaction_id}&amount={sale_amount}";
const URL_HAND = "https://p.example/cb?api_key=HANDK3Y-e0f4&tid={transaction_id}";
const URL_OLD = "https://p.example/old?api_key=OLDK3Y-77d1&tid={transaction_id}";
const URL_ADOPT = "https://p.example/adopt?api_key=ADOPTK3Y-5c2e&tid={transaction_id}";
const HTML = '<img src="https://px.example/p?key=H7MLK3Y-9a1&t={transaction_id}&a=1" width="1" />';

/** Each secret, and the credential inside it alone (what a message cut short would still show). */
const SECRETS = [
  API_KEY,
  URL_A,
  "S3CR3T",
  URL_A2,
  "S3CR3T-2nd-b71",
  URL_HAND,
  "HANDK3Y-e0f4",
  URL_OLD,
  "OLDK3Y-77d1",
  URL_ADOPT,
  "ADOPTK3Y-5c2e",
  HTML,
  "H7MLK3Y-9a1",
];

const SECRET_FIELD = (field: string) => `${field} (secret, values not shown)`;

/** The program: the literal secret, a secret from config, one derived from another's output. */
function program(partnerUrl: string, delayMs: number, adoptId: number): string {
  return `
const partner = new Postback("partner", {
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: pulumi.secret(${JSON.stringify(partnerUrl)}),
  delayMs: ${delayMs},
});
new Postback("tag", {
  deliveryMethod: "html",
  pixelLevel: "global",
  pixelType: "conversion",
  htmlCode: config.requireSecret("html"),
});
// Derived from partner's postbackUrl output, which is secret because its input is.
new Postback("derived", {
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "post_conversion",
  postbackUrl: partner.postbackUrl.apply((u) => u.replace("/cb?", "/derived?")),
});
new Postback("adopted", {
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "cpc",
  postbackUrl: config.requireSecret("adoptUrl"),
}, { import: "${adoptId}" });
`;
}

const PUT = "PUT /v1/affiliates/pixels/:id";

interface StateResource {
  urn: string;
  id?: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/**
 * Left out of the search of the event logs, and only these: the debug-level trace that @pulumi/pulumi's
 * runtime in the program process sends for every registered resource ("RegisterResource RPC finished:
 * ...; resp: <the engine's response>", runtime/resource.js), which holds the resource's outputs with
 * secrets decrypted (each still inside the engine's secret marker). It is Pulumi's own logging, of
 * every provider's secrets alike, shown only with --debug; secrets-lifecycle.test.ts leaves it out too.
 */
function isSdkRpcTrace(event: { diagnosticEvent?: { severity?: string; message?: string } }): boolean {
  const d = event.diagnosticEvent;
  return d?.severity === "debug" && (d.message ?? "").startsWith("RegisterResource RPC finished: ");
}

/** The engine's encoding of a secret value in a stack export (the ciphertext without --show-secrets). */
const isSecret = (v: unknown): boolean =>
  typeof v === "object" && v !== null && "4dabf18193072939515e22adb298388d" in v && "ciphertext" in v;

describe("a secret postback URL and HTML code, and what derives from them, stay secret everywhere", () => {
  let s: CliStack;
  let adoptId = 0;
  const seen: Seen[] = [];
  let events = 0;
  const eventsDir = () => path.join(s.dir, ".events");

  /** Runs `pulumi <args>`, keeping what it printed for the search. */
  async function pulumi(where: string, args: string[], env?: Record<string, string>): Promise<CliRun> {
    const r = await s.pulumi(args, { env });
    seen.push({ where: `${where} stdout`, text: r.stdout }, { where: `${where} stderr`, text: r.stderr });
    return r;
  }
  /** An `up` (or any command that takes it) with the engine's event log kept for the search. */
  async function withEventLog(where: string, args: string[]): Promise<CliRun> {
    events += 1;
    // The engine takes --event-log (as the Automation API passes it) with PULUMI_DEBUG_COMMANDS set.
    return pulumi(where, [...args, "--event-log", path.join(eventsDir(), `${events}.json`)], {
      PULUMI_DEBUG_COMMANDS: "true",
    });
  }
  const ok = (r: CliRun): void => {
    if (r.code !== 0) throw new Error(`${r.command} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  };
  async function exported(where: string): Promise<StateResource[]> {
    const r = await pulumi(`${where}: stack export`, ["stack", "export"]);
    ok(r);
    return (JSON.parse(r.stdout).deployment.resources as StateResource[]).filter((x) =>
      x.type.endsWith(":Postback"),
    );
  }
  const byName = (resources: StateResource[], name: string) =>
    resources.find((r) => r.urn.endsWith(`::${name}`))!;
  /**
   * `preview --diff` (every value the engine shows) and `preview --json` (the plan as data); a plain
   * preview prints a subset of the first, and `up` prints it too.
   */
  async function previews(where: string, refresh = false): Promise<void> {
    const more = refresh ? ["--refresh"] : [];
    ok(await pulumi(`${where}: preview --diff`, ["preview", "--diff", ...more]));
    const json = await pulumi(`${where}: preview --json`, ["preview", "--json", ...more]);
    ok(json);
    expect(JSON.parse(json.stdout).steps.length).toBeGreaterThan(0);
  }
  async function drift(where: string) {
    const r = await spawnCli(["drift", "--cwd", s.dir, "--stack", "test"], s.env, s.dir);
    const json = await spawnCli(["drift", "--cwd", s.dir, "--stack", "test", "--json"], s.env, s.dir);
    seen.push(
      { where: `${where}: drift stdout`, text: r.stdout },
      { where: `${where}: drift stderr`, text: r.stderr },
      { where: `${where}: drift --json stdout`, text: json.stdout },
      { where: `${where}: drift --json stderr`, text: json.stderr },
    );
    return { text: r, json };
  }

  beforeAll(async () => {
    // Everflow HTML-escapes & < " in every answer: what it answers is never what was sent.
    s = await createCliStack("derived-secrets", { emulator: { quirks: { escape: "all" } } });
    fs.mkdirSync(eventsDir());
    adoptId = s.emulator.store.seed(API_KEY, {
      delivery_method: "postback",
      pixel_level: "global",
      pixel_status: "active",
      pixel_type: "cpc",
      postback_url: URL_OLD,
    }).network_pixel_id;
    await s.setConfig("html", HTML, true);
    await s.setConfig("adoptUrl", URL_ADOPT, true);
  });
  afterAll(async () => s?.stop());

  it("create and adopt: the warnings name the fields, and state keeps every derived value secret", async () => {
    s.program(program(URL_A, 0, adoptId));
    await previews("create");
    const up = await withEventLog("create: up", ["up", "--yes"]);
    ok(up);
    // The warning of the issue, without the value: one per written postback whose answer differs.
    const out = up.stdout + up.stderr;
    expect(out).toContain("Everflow stored a different value than was sent");
    expect(out).toContain(SECRET_FIELD("postbackUrl"));
    expect(out).toContain(SECRET_FIELD("htmlCode"));
    const state = await exported("create");
    expect(state.map((r) => r.urn.split("::").pop()).sort()).toEqual([
      "adopted",
      "derived",
      "partner",
      "tag",
    ]);
    expect(byName(state, "adopted").id).toBe(String(adoptId));
    expect(s.emulator.store.get(adoptId)?.postback_url).toBe(URL_ADOPT);
    for (const [name, field] of [
      ["partner", "postbackUrl"],
      ["tag", "htmlCode"],
      ["derived", "postbackUrl"],
      ["adopted", "postbackUrl"],
    ] as const) {
      const r = byName(state, name);
      expect({ name, input: isSecret(r.inputs?.[field]) }).toEqual({ name, input: true });
      expect({ name, output: isSecret(r.outputs?.[field]) }).toEqual({ name, output: true });
      expect({ name, lastApplied: isSecret(r.outputs?.lastApplied) }).toEqual({ name, lastApplied: true });
    }
  });

  it("an update of another field, then of the URL itself", async () => {
    s.program(program(URL_A, 1500, adoptId));
    await previews("another field");
    s.emulator.log.reset();
    ok(await withEventLog("another field: up", ["up", "--yes"]));
    expect(s.emulator.log.count(PUT)).toBe(1);

    s.program(program(URL_A2, 1500, adoptId));
    await previews("the URL");
    s.emulator.log.reset();
    const up = await withEventLog("the URL: up", ["up", "--yes"]);
    ok(up);
    // partner, and derived whose URL follows partner's.
    expect(s.emulator.log.count(PUT)).toBe(2);
    expect(up.stdout + up.stderr).toContain(SECRET_FIELD("postbackUrl"));
    expect(s.emulator.store.all().map((p) => p.postback_url)).toContain(URL_A2);
  });

  it("a hand edit of the URL: refresh, drift (text and --json), preview --refresh, up --refresh", async () => {
    const partner = s.emulator.store.all().find((p) => p.postback_url === URL_A2)!;
    const edit = await fetch(`${s.emulator.adminUrl}/pixels/${partner.network_pixel_id}`, {
      method: "PATCH",
      body: JSON.stringify({ postback_url: URL_HAND }),
    });
    expect(edit.status).toBe(200);
    ok(await withEventLog("hand edit: refresh", ["refresh", "--yes"]));
    expect(isSecret(byName(await exported("hand edit"), "partner").outputs?.postbackUrl)).toBe(true);

    const { text, json } = await drift("hand edit");
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/postbackUrl: declared \[secret\], live \[secret\]/);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).drift).toEqual([
      expect.objectContaining({ fields: [{ field: "postbackUrl", declared: "[secret]", live: "[secret]" }] }),
    ]);

    await previews("hand edit", true);
    const up = await withEventLog("hand edit: up --refresh", ["up", "--refresh", "--yes"]);
    ok(up);
    expect(s.emulator.store.get(partner.network_pixel_id)?.postback_url).toBe(URL_A2);
  });

  it("destroy, and no secret anywhere: outputs, event logs, stack export, project and backend files", async () => {
    const destroy = await withEventLog("destroy", ["destroy", "--yes"]);
    ok(destroy);
    expect(s.emulator.store.all().every((p) => p.pixel_status === "inactive")).toBe(true);

    // The user's program holds the literal (pulumi.secret("...")): it is theirs, not ours.
    const files = Object.entries(s.files(s.dir)).filter(([file]) => file !== "program.js");
    let sdkTraces = 0;
    for (const [file, text] of files) {
      if (!file.startsWith(".events")) {
        seen.push({ where: file, text });
        continue;
      }
      for (const line of text.split("\n").filter((l) => l.trim() !== "")) {
        if (isSdkRpcTrace(JSON.parse(line))) sdkTraces += 1;
        else seen.push({ where: file, text: line });
      }
    }
    expect(sdkTraces).toBeGreaterThan(0); // the exclusion is real, and narrow
    // Enough was looked at for the search to mean something.
    expect(files.filter(([file]) => file.startsWith(".events"))).toHaveLength(events);
    expect(files.some(([file]) => file.startsWith(".state/.pulumi/stacks/"))).toBe(true);
    expect(files.some(([file]) => file.startsWith(".state/.pulumi/history/"))).toBe(true);
    expect(seen.filter((x) => x.where.endsWith("preview --json stdout")).length).toBe(4);
    expect(leaksIn(seen, SECRETS)).toEqual([]);
  });
});
