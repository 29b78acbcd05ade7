import * as fs from "node:fs";
import * as path from "node:path";
import { createCliStack, type CliRun, type CliStack } from "../../support/cli-stack";
import { leaksIn, type Seen } from "../../support/leaks";

// Issue 22, item 2, the paths that fail: a secret must not come out through a failure either. Check
// failures (a secret of the wrong type, one that breaks a rule of its own or of another field), API
// errors whose message quotes the request in every form a server may quote it (as sent, JSON-escaped,
// percent-encoded, HTML-escaped, cut short), on create, update and the deactivation of destroy, and a
// value Everflow cut off (on update, and on a create, which records the postback in the state). The
// program is a user's file run by the plain `pulumi` CLI; everything it printed, its event logs and the
// project's and backend's files are searched (derived-secrets.test.ts: the paths that succeed).

const URL_P1 = "https://p.example/cb?api_key=FAILK3Y-a11&tid={transaction_id}";
const URL_P2 = "https://p.example/cb?api_key=FAILK3Y-b22&tid={transaction_id}&sub1={sub1}";
const URL_NEW = "https://p.example/new?api_key=NEWK3Y-c33&tid={transaction_id}";
const HTML_1 = '<img src="https://px.example/p?key=HTMLF41L-d44&t={transaction_id}" />';
const HTML_2 = '<img src="https://px.example/p?key=HTMLF41L-e55&t={transaction_id}&x=1" />';
const URL_LONG = "https://p.example/cb?api_key=LONGK3Y-f66&tid={transaction_id}&sub1={sub1}&sub2={sub2}";
const URL_CUT = "https://p.example/cut?api_key=CUTK3Y-g77&tid={transaction_id}&sub1={sub1}";
const CHECK_OBJECT = "CHKOBJ-31f0";
const CHECK_SPACE = "https://p.example/cb?api_key=CHKSP4CE-8b0 &tid={transaction_id}";
const CHECK_RULE = "https://p.example/cb?api_key=CHKRUL3-9c1&tid={transaction_id}";

const SECRETS = [
  URL_P1,
  "FAILK3Y-a11",
  URL_P2,
  "FAILK3Y-b22",
  URL_NEW,
  "NEWK3Y-c33",
  HTML_1,
  "HTMLF41L-d44",
  HTML_2,
  "HTMLF41L-e55",
  URL_LONG,
  "LONGK3Y-f66",
  URL_CUT,
  "CUTK3Y-g77",
  CHECK_OBJECT,
  CHECK_SPACE,
  "CHKSP4CE-8b0",
  CHECK_RULE,
  "CHKRUL3-9c1",
];

/** A message quoting the request in every form (the emulator fills the placeholders from the body). */
const QUOTING = (field: string) =>
  `bad ${field} {${field}} ({${field}|json}; {${field}|url}; {${field}|html}; {${field}|cut:40})`;

const POST = "POST /v1/affiliates/pixels";
const PUT = "PUT /v1/affiliates/pixels/:id";

interface Declared {
  partner: string;
  html: string;
  fresh?: string;
  cut?: string;
  /** Declarations that fail the check, by resource name: the JS expression of their arguments. */
  bad?: Record<string, string>;
}

function program(d: Declared): string {
  const postback = (name: string, url: string) => `
new Postback(${JSON.stringify(name)}, {
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: pulumi.secret(${JSON.stringify(url)}),
});`;
  return [
    postback("partner", d.partner),
    `new Postback("tag", { deliveryMethod: "html", pixelLevel: "global", pixelType: "conversion",
      htmlCode: pulumi.secret(${JSON.stringify(d.html)}) });`,
    d.fresh ? postback("fresh", d.fresh) : "",
    d.cut ? postback("cut", d.cut) : "",
    ...Object.entries(d.bad ?? {}).map(([name, args]) => `new Postback(${JSON.stringify(name)}, ${args});`),
  ].join("\n");
}

const isSecret = (v: unknown): boolean =>
  typeof v === "object" && v !== null && "4dabf18193072939515e22adb298388d" in v && "ciphertext" in v;

/** Pulumi's own debug trace of each registration (see derived-secrets.test.ts): not searched. */
function isSdkRpcTrace(event: { diagnosticEvent?: { severity?: string; message?: string } }): boolean {
  const d = event.diagnosticEvent;
  return d?.severity === "debug" && (d.message ?? "").startsWith("RegisterResource RPC finished: ");
}

describe("a secret never comes out through a failure", () => {
  let s: CliStack;
  const seen: Seen[] = [];
  let events = 0;
  const eventsDir = () => path.join(s.dir, ".events");
  const declared: Declared = { partner: URL_P1, html: HTML_1 };

  async function pulumi(where: string, args: string[]): Promise<CliRun> {
    events += 1;
    // The engine takes --event-log (as the Automation API passes it) with PULUMI_DEBUG_COMMANDS set.
    const r = await s.pulumi([...args, "--event-log", path.join(eventsDir(), `${events}.json`)], {
      env: { PULUMI_DEBUG_COMMANDS: "true" },
    });
    seen.push({ where: `${where} stdout`, text: r.stdout }, { where: `${where} stderr`, text: r.stderr });
    return r;
  }
  const ok = (r: CliRun): void => {
    if (r.code !== 0) throw new Error(`${r.command} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  };
  const failed = (r: CliRun): string => {
    if (r.code === 0) throw new Error(`${r.command} succeeded:\n${r.stdout}`);
    return r.stdout + r.stderr;
  };
  async function state() {
    const r = await s.pulumi(["stack", "export"]);
    seen.push({ where: "stack export", text: r.stdout });
    ok(r);
    return JSON.parse(r.stdout).deployment.resources as Array<{
      urn: string;
      id?: string;
      outputs?: Record<string, unknown>;
    }>;
  }
  const up = (where: string, ...more: string[]) => {
    s.program(program(declared));
    return pulumi(where, ["up", "--yes", ...more]);
  };

  beforeAll(async () => {
    s = await createCliStack("derived-secrets-failures");
    fs.mkdirSync(eventsDir());
    ok(await up("first up"));
  });
  afterAll(async () => s?.stop());

  it("check failures name the property, never the secret value, before any API call", async () => {
    const bad: Array<[string, string, string[]]> = [
      // The wrong type: a value the check would quote if it were not secret.
      [
        "typed",
        `{ deliveryMethod: "postback", pixelLevel: "global", pixelType: "conversion",
          postbackUrl: pulumi.secret({ key: ${JSON.stringify(CHECK_OBJECT)} }) }`,
        ["preview", "--diff"],
      ],
      [
        "spaced",
        `{ deliveryMethod: "postback", pixelLevel: "global", pixelType: "conversion",
          postbackUrl: pulumi.secret(${JSON.stringify(CHECK_SPACE)}) }`,
        ["preview", "--json"],
      ],
      // Breaks a rule about another field: a URL on an HTML pixel.
      [
        "ruled",
        `{ deliveryMethod: "html", pixelLevel: "global", pixelType: "conversion", htmlCode: "<img>",
          postbackUrl: pulumi.secret(${JSON.stringify(CHECK_RULE)}) }`,
        ["up", "--yes"],
      ],
    ];
    s.emulator.log.reset();
    try {
      // The engine stops at the first failed check: one declaration a run, each in another command.
      for (const [name, args, command] of bad) {
        declared.bad = { [name]: args };
        s.program(program(declared));
        const out = failed(await pulumi(`check ${name}: ${command.join(" ")}`, command));
        expect(out).toMatch(new RegExp(`resource '${name}': property postbackUrl value \\{\\[secret\\]\\}`));
      }
    } finally {
      delete declared.bad;
    }
    expect(s.emulator.log.count(POST) + s.emulator.log.count(PUT)).toBe(0);
  });

  it("API errors that quote the request, on create and update, show the field names", async () => {
    declared.partner = URL_P2;
    declared.html = HTML_2;
    declared.fresh = URL_NEW;
    s.emulator.faults.failNext(POST, 1, 400, QUOTING("postback_url"));
    s.emulator.faults.failNext(PUT, 2, 400, `${QUOTING("postback_url")} ${QUOTING("html_code")}`);
    // --continue-on-error: every write is tried (and quoted) whichever fails first.
    const out = failed(await up("API errors: up", "--continue-on-error"));
    expect(out).toMatch(/Everflow create of postback failed: HTTP 400/);
    expect(out).toMatch(/Everflow update of postback \d+ failed: HTTP 400/);
    // The quoting did happen: each form of the value (as sent, JSON-escaped, percent-encoded,
    // HTML-escaped, cut short) gave way to the field's name.
    const marks = (field: string) =>
      new RegExp(`bad ${field} <${field}> \\((<${field}>; ){3}<${field}>\\.\\.\\.\\)`);
    expect(out).toMatch(marks("postback_url"));
    expect(out).toMatch(marks("html_code"));
    s.emulator.faults.clear();
    ok(await up("API errors: up again"));
    expect(s.emulator.store.all().map((p) => p.postback_url)).toEqual(
      expect.arrayContaining([URL_P2, URL_NEW]),
    );
  });

  it("a value cut off: the update fails, the create is recorded, both without the value", async () => {
    s.emulator.settings.setQuirks({ truncate: { postback_url: 50 } });
    declared.partner = URL_LONG;
    declared.cut = URL_CUT;
    s.emulator.log.reset();
    const out = failed(await up("cut off: up", "--continue-on-error"));
    const cutOff = (url: string) =>
      `postbackUrl (secret, values not shown) (cut off at 50 of ${url.length} characters)`;
    expect(out).toContain(cutOff(URL_LONG));
    expect(out).toMatch(/postback \d+ was created \(and is recorded in the state\), but: Everflow changed/);
    expect(out).toContain(cutOff(URL_CUT));
    expect(s.emulator.log.count(POST)).toBe(1);
    // Recorded, its cut-off value secret in state like any output of a secret input.
    const cut = (await state()).find((r) => r.urn.endsWith("::cut"))!;
    expect(cut.id).toMatch(/^\d+$/);
    expect(isSecret(cut.outputs?.postbackUrl)).toBe(true);

    s.emulator.settings.setQuirks({});
    s.emulator.log.reset();
    ok(await up("cut off: up again"));
    expect(s.emulator.log.count(POST)).toBe(0); // no duplicate
    expect(s.emulator.store.get(Number(cut.id))?.postback_url).toBe(URL_CUT);
  });

  it("destroy whose deactivation is refused, quoting the request; then destroy", async () => {
    s.emulator.faults.failNext(PUT, 1, 400, `${QUOTING("postback_url")} ${QUOTING("html_code")}`);
    const out = failed(await pulumi("destroy refused", ["destroy", "--yes"]));
    expect(out).toMatch(/Everflow deactivate of postback \d+ failed: HTTP 400/);
    s.emulator.faults.clear();
    ok(await pulumi("destroy", ["destroy", "--yes"]));
    expect(s.emulator.store.all().every((p) => p.pixel_status === "inactive")).toBe(true);
  });

  it("leaves no secret in any output, event log, stack export, or project and backend file", async () => {
    // The user's program holds its literals (pulumi.secret("...")): it is theirs, not ours.
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
    expect(files.filter(([file]) => file.startsWith(".events"))).toHaveLength(events);
    expect(leaksIn(seen, SECRETS)).toEqual([]);
  });
});
