import * as fs from "node:fs";
import * as path from "node:path";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { Postback, PostbackArgs } from "../../sdk";
import type { EmulatorOptions } from "../../emulator";
import { createEverflowStack, EverflowTestStack } from "../support/everflow";
import { runCli, stackEnv } from "./cli/helpers";
import { LEGACY_DECLARATIONS } from "../fixtures/legacy-state/declarations";

// Issue 10: the four cases where a server that stores or returns another form than it was sent made
// every `up` write, overwrote hand edits or damaged what it sent back. The emulator's quirk switches
// reproduce each server behaviour.

const PUT = "PUT /v1/affiliates/pixels/:id";

interface Declared {
  args: PostbackArgs;
  ignoreChanges?: string[];
}

function programOf(declared: Record<string, Declared>): PulumiFn {
  return async () => {
    for (const [name, d] of Object.entries(declared)) {
      new Postback(name, d.args, d.ignoreChanges ? { ignoreChanges: d.ignoreChanges } : {});
    }
  };
}

async function stackWith(
  name: string,
  declared: Record<string, Declared>,
  emulator: EmulatorOptions = {},
): Promise<EverflowTestStack> {
  return createEverflowStack(name, programOf(declared), { emulator });
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => "succeeded",
    (error: Error) => error.message,
  );

describe("case 1: the server stores delay_ms as 0 for delivery methods other than postback", () => {
  const declared: Record<string, Declared> = {
    html: {
      args: {
        deliveryMethod: "html",
        pixelLevel: "global",
        pixelType: "conversion",
        htmlCode: "<img src=x>",
        delayMs: 5000,
      },
    },
  };
  let t: EverflowTestStack;
  beforeAll(async () => {
    t = await stackWith("quirk-defaults", declared, {
      quirks: { methodDefaults: { html: { delay_ms: 0 } } },
    });
  });
  afterAll(async () => t?.stop());

  it("warns once on the postback, naming the field and both values, then makes no request", async () => {
    const warnings: { urn?: string; message: string }[] = [];
    const first = await t.stack.up({
      onEvent: (e) => {
        const d = e.diagnosticEvent;
        if (d?.severity === "warning") warnings.push({ urn: d.urn, message: d.message });
      },
    });
    expect(first.stdout + first.stderr).toMatch(/delayMs: sent 5000, Everflow answered 0/);
    // Attached to the resource (engine-log.ts), not to the stack.
    const answered = warnings.filter((w) => /Everflow answered/.test(w.message));
    expect(answered).toHaveLength(1);
    expect(answered[0]!.urn).toMatch(/::html$/);
    t.emulator.log.reset();
    const second = await t.stack.up();
    expect(t.totalCalls()).toBe(0);
    expect(second.stdout + second.stderr).not.toMatch(/Everflow answered/);
  });

  it("passes the drift check, and up --refresh writes nothing", async () => {
    await t.stack.preview({ refresh: true, expectNoChanges: true });
    t.emulator.log.reset();
    await t.stack.up({ refresh: true });
    expect(t.calls()[PUT]).toBeUndefined();
  });

  it("attaches the warning of an update to the postback as well", async () => {
    declared.html!.args = { ...declared.html!.args, delayMs: 6000 };
    const warnings: { urn?: string; message: string }[] = [];
    await t.stack.up({
      onEvent: (e) => {
        const d = e.diagnosticEvent;
        if (d?.severity === "warning") warnings.push({ urn: d.urn, message: d.message });
      },
    });
    expect(t.calls()[PUT]).toBe(1);
    const answered = warnings.filter((w) => /delayMs: sent 6000, Everflow answered 0/.test(w.message));
    expect(answered.map((w) => w.urn)).toEqual([expect.stringMatching(/::html$/)]);
  });
});

describe("case 2: the server cuts values off", () => {
  const declared: Record<string, Declared> = {};
  let t: EverflowTestStack;
  beforeAll(async () => {
    // A limit lower than the known ones: what check cannot know must fail the write, not pass silently.
    t = await stackWith("quirk-truncate", declared, { quirks: { truncate: { postback_url: 60 } } });
  });
  afterAll(async () => t?.stop());

  // Values over the known limits (htmlCode 65,535, postbackUrl 2,048 characters) fail at preview with the
  // property path and no API call: see test/support/bad-inputs.ts, run through the engine by bad-inputs.test.ts.

  it("fails a write whose URL came back cut off, and keeps failing until it is fixed", async () => {
    const url = "https://track.example.com/cb?tid={transaction_id}&sub1={sub1}&sub2={sub2}";
    declared.cut = {
      args: { deliveryMethod: "postback", pixelLevel: "global", pixelType: "conversion", postbackUrl: url },
    };
    const message = await failure(t.stack.up());
    expect(message).toMatch(/Everflow changed what the postback does: postbackUrl: .*cut off at 60 of 73/);
    // Recorded (no duplicate on the next up), and the next up tries again rather than accepting the cut.
    expect(t.trackedAndStored()).toEqual({ tracked: [1000], stored: [1000] });
    t.emulator.log.reset();
    expect(await failure(t.stack.up())).toMatch(/cut off at 60 of 73/);
    expect(t.calls()["POST /v1/affiliates/pixels"]).toBeUndefined();
    // Fixed by a value the server stores whole.
    declared.cut.args = {
      ...declared.cut.args,
      postbackUrl: "https://track.example.com/cb?t={transaction_id}",
    };
    await t.stack.up();
    t.emulator.log.reset();
    await t.stack.up();
    expect(t.totalCalls()).toBe(0);
  });
});

describe('case 3: the server HTML-escapes & < " in what it returns', () => {
  const url = "https://track.example.com/cb?tid={transaction_id}&amount={revenue}";
  const code = '<img src="https://px.example.com/c?t={transaction_id}&a=1" width="1" />';
  const declared: Record<string, Declared> = {
    url: {
      args: { deliveryMethod: "postback", pixelLevel: "global", pixelType: "conversion", postbackUrl: url },
    },
    code: {
      args: {
        deliveryMethod: "html",
        pixelLevel: "specific",
        networkOfferId: 9,
        pixelType: "cpc",
        htmlCode: code,
      },
    },
  };
  let t: EverflowTestStack;
  beforeAll(async () => {
    t = await stackWith("quirk-escape", declared, { quirks: { escapeOnRead: true } });
  });
  afterAll(async () => t?.stop());

  it("warns, then neither up nor the drift check sees a change", async () => {
    const first = await t.stack.up();
    expect(first.stdout + first.stderr).toMatch(
      /postbackUrl: sent ".*&amount=\{revenue\}" \(68 chars\), Everflow answered ".*&amp;amount=\{revenue\}"/,
    );
    t.emulator.log.reset();
    await t.stack.up();
    expect(t.totalCalls()).toBe(0);
    await t.stack.preview({ refresh: true, expectNoChanges: true });
  });

  it("pulumi-everflow drift agrees with the diff: the escaped form is no drift, a hand edit is", async () => {
    const driftCli = () => runCli(["drift", "--cwd", t.workDir, "--stack", "test"], stackEnv(t));
    const clean = await driftCli();
    expect(clean.stderr).toBe("");
    expect(clean.code).toBe(0);
    const [id] = t.trackedAndStored().tracked;
    const before = t.emulator.store.get(id!)!;
    t.emulator.store.update(id!, { delay_ms: 777 });
    const drifted = await driftCli();
    expect(drifted.code).toBe(2);
    expect(drifted.stdout).toMatch(/delayMs: declared 0, live 777/);
    expect(drifted.stdout).not.toMatch(/postbackUrl|htmlCode/);
    t.emulator.store.update(id!, { delay_ms: before.delay_ms });
  });

  it("destroy changes pixel_status only: the stored text is not damaged", async () => {
    await t.stack.destroy();
    const stored = t.emulator.store.all();
    expect(stored.map((p) => p.pixel_status)).toEqual(["inactive", "inactive"]);
    expect(stored.map((p) => p.postback_url || p.html_code).sort()).toEqual([url, code].sort());
  });
});

describe("case 4: a hand edit to an ignored field", () => {
  const declared: Record<string, Declared> = {
    ignored: {
      args: {
        deliveryMethod: "postback",
        pixelLevel: "global",
        pixelType: "conversion",
        postbackUrl: "https://declared.example.com/a?t={transaction_id}",
      },
      ignoreChanges: ["postbackUrl"],
    },
    watched: {
      args: {
        deliveryMethod: "postback",
        pixelLevel: "global",
        pixelType: "conversion",
        postbackUrl: "https://declared.example.com/b?t={transaction_id}",
      },
    },
  };
  let t: EverflowTestStack;
  const handUrl = "https://edited-in-the-ui.example.com/?t={transaction_id}";
  let ignoredId = 0;
  let watchedId = 0;
  beforeAll(async () => {
    t = await stackWith("hand-edits", declared);
    await t.stack.up();
  });
  afterAll(async () => t?.stop());

  it("survives a plain up that changes another field, and the next ups", async () => {
    const byUrl = (part: string) => t.emulator.store.all().find((p) => p.postback_url.includes(part))!;
    // Created in parallel: ids come in no fixed order, so each is found by its declared URL.
    [ignoredId, watchedId] = [byUrl("/a?").network_pixel_id, byUrl("/b?").network_pixel_id];
    t.emulator.store.update(ignoredId, { postback_url: handUrl });
    t.emulator.store.update(watchedId, { postback_url: handUrl });
    for (const d of Object.values(declared)) d.args = { ...d.args, delayMs: 1500 };
    await t.stack.up();
    // The program changed delayMs only: both hand edits survive the write, ignored or not.
    expect(t.emulator.store.get(ignoredId)).toMatchObject({ postback_url: handUrl, delay_ms: 1500 });
    expect(t.emulator.store.get(watchedId)).toMatchObject({ postback_url: handUrl, delay_ms: 1500 });
    t.emulator.log.reset();
    await t.stack.up();
    expect(t.totalCalls()).toBe(0);
    expect(t.emulator.store.get(ignoredId)?.postback_url).toBe(handUrl);
  });

  it("up --refresh restores a declared value changed by hand, and leaves an ignored one alone", async () => {
    const edited = "https://second-edit.example.com/?t={transaction_id}";
    t.emulator.store.update(ignoredId, { postback_url: edited });
    t.emulator.store.update(watchedId, { postback_url: edited });
    await t.stack.up({ refresh: true });
    expect(t.emulator.store.get(ignoredId)?.postback_url).toBe(edited);
    expect(t.emulator.store.get(watchedId)?.postback_url).toBe(
      "https://declared.example.com/b?t={transaction_id}",
    );
  });
});

describe("state written by the release before issue 10", () => {
  let t: EverflowTestStack;
  beforeAll(async () => {
    const declared = Object.fromEntries(
      Object.entries(LEGACY_DECLARATIONS).map(([name, args]) => [name, { args }]),
    );
    t = await stackWith("legacy-state", declared);
    const dir = path.join(__dirname, "..", "fixtures", "legacy-state");
    const pixels = JSON.parse(fs.readFileSync(path.join(dir, "pixels.json"), "utf8")) as Array<
      Record<string, unknown>
    >;
    // Seeded in id order, a fresh emulator gives them the ids the state holds.
    for (const p of pixels) expect(t.emulator.store.seed(7, p).network_pixel_id).toBe(p.network_pixel_id);
    const state = JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8"));
    // The stack's own secrets provider (the fixture's salt belongs to the stack that wrote it).
    const own = await t.stack.exportStack();
    state.deployment.secrets_providers = own.deployment.secrets_providers;
    await t.stack.importStack(state);
  });
  afterAll(async () => t?.stop());

  it("makes no API call on the first up for unchanged postbacks", async () => {
    t.emulator.log.reset();
    await t.stack.up();
    expect(t.totalCalls()).toBe(0);
  });
});
