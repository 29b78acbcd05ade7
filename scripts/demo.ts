/**
 * `npm run demo`: pulumi-everflow end to end, on this machine, in under a minute, with nothing to set up.
 *
 * It starts the Everflow emulator, runs a stack of an inline project (`everflow-demo`) whose program
 * declares three postbacks, with the real Pulumi engine on a throw-away local backend, and
 * narrates five steps: create, an out-of-band change in "the Everflow UI",
 * the drift that `preview --refresh` shows, the `up --refresh` that repairs it, and the destroy that
 * deactivates the postbacks. Pulumi's own output is shown with `--verbose`.
 *
 * Exit code 0 when every step did what it says, 1 otherwise. The emulator, the temporary directories and
 * the work directory under .demo/ are removed either way.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  EngineEvent,
  LocalWorkspace,
  OpType,
  ProjectSettings,
  Stack,
  StepEventMetadata,
} from "@pulumi/pulumi/automation";
import { isSecretValue, SECRET } from "../cli/drift-report";
import { engineEnv, pulumiCommand as enginePulumiCommand, resolvePulumiCli } from "../cli/engine";
import { startEmulator } from "../emulator";
import type { EmulatorHandle, Pixel } from "../emulator";
import { Postback } from "../sdk";
import type { PostbackArgs } from "../sdk";

const API_KEY = "demo-everflow-api-key";
const DEMO_PROJECT: ProjectSettings = {
  name: "everflow-demo",
  runtime: "nodejs",
  description:
    "pulumi-everflow demo - three Everflow affiliate postbacks created, drifted, repaired and destroyed.",
};
const STACK = "demo";
const POSTBACK_TYPE = "pulumi-nodejs:dynamic/affiliate:Postback";
/** The postback that "someone" edits in the Everflow UI, and how. */
const DRIFT = { postback: "offer-postback", wireField: "delay_ms", liveValue: 999 };

/** The demo stack's program: three postbacks, one of each common kind. */
const POSTBACKS: Record<string, PostbackArgs> = {
  "global-conversion": {
    deliveryMethod: "postback",
    pixelLevel: "global",
    pixelType: "conversion",
    postbackUrl: "https://track.example.com/everflow/conversion?tid={transaction_id}&amount={revenue}",
  },
  "offer-postback": {
    deliveryMethod: "postback",
    pixelLevel: "specific",
    networkOfferId: 42,
    pixelType: "post_conversion",
    postbackUrl: "https://track.example.com/everflow/event?tid={transaction_id}&event={event_name}",
    delayMs: 60_000,
  },
  "html-pixel": {
    deliveryMethod: "html",
    pixelLevel: "global",
    pixelType: "conversion",
    htmlCode:
      '<img src="https://px.example.com/conversion?tid={transaction_id}" width="1" height="1" alt="" />',
  },
};

/** Declares the postbacks; the stack's one output is their Everflow ids by name. */
function demoProgram(): { postbackIds: Record<string, unknown> } {
  const postbackIds: Record<string, unknown> = {};
  for (const [name, args] of Object.entries(POSTBACKS)) postbackIds[name] = new Postback(name, args).pixelId;
  return { postbackIds };
}

const verbose = process.argv.includes("--verbose");
const repoRoot = findRepoRoot(__dirname);

const say = (line = "") => process.stdout.write(`${line}\n`);

/** Raised for a step that ran but did not do what the demo says it does. */
class DemoError extends Error {}

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "pulumi-everflow") {
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`no pulumi-everflow package.json above ${from}`);
  }
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

/**
 * The engine's steps on postbacks, of the given kinds, in the order the program declares the postbacks
 * (the engine runs them in parallel).
 */
function postbackSteps(events: EngineEvent[], order: string[], ...ops: OpType[]): StepEventMetadata[] {
  const rank = (m: StepEventMetadata) => order.indexOf(nameOf(m.urn));
  return events
    .map((e) => e.resourcePreEvent?.metadata)
    .filter((m): m is StepEventMetadata => m !== undefined && m.type === POSTBACK_TYPE && ops.includes(m.op))
    .sort((a, b) => rank(a) - rank(b));
}

/**
 * The fields an update step changes, with their values before and after. The dynamic provider host
 * reports no changed keys, so they are computed from the step's old inputs (after a refresh: what
 * Everflow holds) and new inputs (what the program declares).
 */
function changedFields(step: StepEventMetadata): Array<{ field: string; before: unknown; after: unknown }> {
  const before = step.old?.inputs ?? {};
  const after = step.new?.inputs ?? {};
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (f) => f !== "__provider",
  );
  return fields
    .filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]))
    .map((field) => ({ field, before: before[field], after: after[field] }));
}

/** A value as the demo prints it; one the engine keeps secret reads "[secret]", as in every tool. */
const show = (value: unknown) =>
  isSecretValue(value) ? SECRET : typeof value === "string" ? JSON.stringify(value) : String(value);

/** What each route of the Everflow API does, for readers who do not know it. */
const ROUTE_PURPOSE: Record<string, string> = {
  "GET /v1/affiliates/pixels": "list",
  "GET /v1/affiliates/pixels/:id": "read one",
  "POST /v1/affiliates/pixels": "create",
  "PUT /v1/affiliates/pixels/:id": "update",
  "POST /v1/affiliates/pixelstable": "search",
};

/** The requests the emulator served since its log was reset, e.g. "3 x POST /v1/affiliates/pixels (create)". */
function apiCalls(emulator: EmulatorHandle): string {
  const counts = Object.entries(emulator.log.counts()).filter(([, n]) => n > 0);
  if (counts.length === 0) return "  API calls: none";
  const purpose = (route: string) => (ROUTE_PURPOSE[route] ? ` (${ROUTE_PURPOSE[route]})` : "");
  return `  API calls: ${counts.map(([route, n]) => `${n} x ${route}${purpose(route)}`).join(", ")}`;
}

/**
 * Why a step failed, in a few lines: the errors the engine reported per resource when there are any (the
 * error of a failed command holds Pulumi's whole output), else the error's own message.
 */
function failureReport(error: unknown, events: EngineEvent[]): string[] {
  const diagnostics = events
    .map((e) => e.diagnosticEvent)
    .filter(
      (d) => d !== undefined && d.severity === "error" && d.urn && !d.urn.endsWith("::pulumi:pulumi:Stack"),
    )
    .map((d) => `${nameOf(d?.urn ?? "")}: ${d?.message.trim()}`);
  if (diagnostics.length > 0) return [...new Set(diagnostics)];
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.trim().split("\n");
  return lines.length > 20 ? [...lines.slice(0, 20), "..."] : lines;
}

/** Runs the demo; returns the exit code. */
async function main(): Promise<number> {
  say("pulumi-everflow demo: Everflow postbacks managed by Pulumi, against a local Everflow emulator");
  say();

  // As `pulumi-everflow drift` finds it: PULUMI_CLI, PATH, the cache, or a build by scripts/ensure-pulumi.
  const { cliPath } = resolvePulumiCli(process.env);
  const emulator = await startEmulator({ accounts: [{ apiKey: API_KEY, networkId: 1, affiliateId: 7 }] });
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-everflow-demo-"));
  const workDir = path.join(repoRoot, ".demo", path.basename(tempDir));
  const cleanup = async () => {
    await emulator.stop();
    fs.rmSync(tempDir, { recursive: true, force: true });
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  // Pulumi's own output is streamed with --verbose only; its engine events make the narration.
  const onOutput = (text: string) => {
    if (verbose) process.stdout.write(text);
  };
  let events: EngineEvent[] = [];
  const onEvent = (event: EngineEvent) => events.push(event);

  let stepNumber = 0;
  const step = async (title: string, run: () => Promise<void>) => {
    stepNumber += 1;
    say(`${stepNumber}. ${title}`);
    events = [];
    emulator.log.reset();
    await run();
    say(apiCalls(emulator));
    say();
  };

  try {
    // The stack's work directory: a project like a user's, with pulumi-everflow "installed" (linked to
    // this repository) so that the engine's dynamic provider process can load the provider from it.
    fs.mkdirSync(path.join(workDir, "node_modules"), { recursive: true });
    fs.symlinkSync(repoRoot, path.join(workDir, "node_modules", "pulumi-everflow"), "dir");
    const stateDir = path.join(tempDir, "state");
    const homeDir = path.join(tempDir, "pulumi-home");
    fs.mkdirSync(stateDir);
    fs.mkdirSync(homeDir);
    const envVars = {
      ...engineEnv(process.env, cliPath),
      PULUMI_BACKEND_URL: `file://${stateDir}`,
      PULUMI_CONFIG_PASSPHRASE: "pulumi-everflow-demo",
      PULUMI_HOME: homeDir,
    };
    const pulumiCommand = await enginePulumiCommand(cliPath);
    // The project settings are written into the work directory (the program is inline, so there is no
    // project directory a plain `pulumi up` could run).
    const project = DEMO_PROJECT;
    const stack: Stack = await LocalWorkspace.createOrSelectStack(
      { stackName: STACK, projectName: project.name, program: async () => demoProgram() },
      { workDir, pulumiCommand, envVars, projectSettings: project },
    );
    await stack.setAllConfig({
      "everflow:apiKey": { value: API_KEY, secret: true },
      "everflow:baseUrl": { value: emulator.url },
    });
    const names = Object.keys(POSTBACKS);
    const width = Math.max(...names.map((n) => n.length));
    const pad = (name: string) => name.padEnd(width);

    say(`  emulator  ${emulator.url} (affiliate 7, API key "${API_KEY}")`);
    say(
      `  engine    pulumi ${pulumiCommand.version?.toString() ?? "(unknown version)"}, state in ${stateDir}`,
    );
    say(`  program   project ${project.name}, stack ${STACK}: ${names.join(", ")}`);
    say();

    let ids: Record<string, number> = {};
    const live = (name: string): Pixel => {
      const pixel = emulator.store.get(ids[name] ?? -1);
      if (!pixel) throw new DemoError(`the emulator holds no postback ${name}`);
      return pixel;
    };

    await step("pulumi up: create the declared postbacks", async () => {
      const up = await stack.up({ onOutput, onEvent });
      ids = (up.outputs.postbackIds?.value ?? {}) as Record<string, number>;
      for (const s of postbackSteps(events, names, "create")) {
        const name = nameOf(s.urn);
        say(`  + create  ${pad(name)}  id ${ids[name]}`);
      }
      if (up.summary.resourceChanges?.create !== names.length + 1) {
        throw new DemoError(
          `expected ${names.length} postbacks created, got ${JSON.stringify(up.summary.resourceChanges)}`,
        );
      }
    });

    const declaredValue = live(DRIFT.postback)[DRIFT.wireField];
    await step(`Someone edits ${DRIFT.postback} in the Everflow UI (Pulumi is not involved)`, async () => {
      emulator.store.update(ids[DRIFT.postback] ?? -1, { [DRIFT.wireField]: DRIFT.liveValue });
      say(
        `  ${DRIFT.postback} (id ${ids[DRIFT.postback]}): ${DRIFT.wireField} ${declaredValue} -> ${DRIFT.liveValue}`,
      );
    });

    let driftLines = 0;
    await step("pulumi preview --refresh: compare the declaration with what Everflow holds", async () => {
      await stack.preview({ refresh: true, onOutput, onEvent });
      for (const s of postbackSteps(events, names, "update", "replace")) {
        for (const c of changedFields(s)) {
          say(`  ~ drift   ${nameOf(s.urn)}: ${c.field} declared ${show(c.after)}, live ${show(c.before)}`);
          driftLines += 1;
        }
      }
      const same = postbackSteps(events, names, "same").map((s) => nameOf(s.urn));
      if (same.length > 0) say(`  = same    ${same.join(", ")}`);
      if (driftLines === 0) throw new DemoError(`the preview showed no drift on ${DRIFT.postback}`);
      say("  (a preview changes nothing: Everflow still has the edited value)");
    });

    await step("pulumi up --refresh: put the declared values back", async () => {
      await stack.up({ refresh: true, onOutput, onEvent });
      for (const s of postbackSteps(events, names, "update", "replace")) {
        for (const c of changedFields(s)) {
          say(`  ~ update  ${nameOf(s.urn)}: ${c.field} ${show(c.before)} -> ${show(c.after)}`);
        }
      }
      const now = live(DRIFT.postback)[DRIFT.wireField];
      say(`  Everflow now: ${DRIFT.postback} ${DRIFT.wireField} ${now}`);
      if (now !== declaredValue) throw new DemoError(`${DRIFT.postback} still has ${DRIFT.wireField} ${now}`);
    });

    await step("pulumi destroy: remove the postbacks from the stack", async () => {
      await stack.destroy({ onOutput, onEvent });
      for (const s of postbackSteps(events, names, "delete")) {
        const name = nameOf(s.urn);
        say(`  - delete  ${pad(name)}  id ${ids[name]}, status in Everflow now: ${live(name).pixel_status}`);
      }
      say(
        "  (Everflow has no delete for affiliate postbacks: destroy deactivates them, they stay in the account)",
      );
      const active = names.filter((name) => live(name).pixel_status !== "inactive");
      if (active.length > 0) throw new DemoError(`still active: ${active.join(", ")}`);
    });

    say(`Done: all ${stepNumber} steps did what they said.`);
    return 0;
  } catch (error) {
    say(`  FAILED: ${failureReport(error, events).join("\n    ")}`);
    if (!verbose) say("  (npm run demo -- --verbose shows Pulumi's own output)");
    say(stepNumber === 0 ? "The demo could not start." : `The demo stopped at step ${stepNumber}.`);
    return 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanup();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Reached when the demo could not start (no Pulumi CLI, no emulator): the step failures are reported above.
    const detail =
      error instanceof Error ? (verbose ? (error.stack ?? error.message) : error.message) : String(error);
    process.stderr.write(`demo: ${detail}\n`);
    process.exitCode = 1;
  },
);
