/**
 * `npm run demo`: pulumi-everflow end to end, on this machine, in about a minute, with nothing to set up,
 * run the way a user runs it.
 *
 * It starts the Everflow emulator, packs this package with `npm pack` (from the `npm run build` before
 * it), copies the project in demo/ (Pulumi.yaml and an index.ts that imports `pulumi-everflow` and
 * declares three postbacks) to a temporary directory, and installs the tarball and @pulumi/pulumi there
 * with npm from the local cache. Then it runs the plain `pulumi` CLI (from scripts/ensure-pulumi, with
 * its Node language host beside it) as child processes: `login` to a throw-away file backend, `stack
 * init`, `config set` (the API key as a secret, the emulator's URL), and narrates five steps: `up`
 * creates the postbacks, someone changes one in "the Everflow UI" (the emulator's store),
 * `preview --refresh --expect-no-changes` shows the drift, `up --refresh` repairs it, and `destroy`
 * deactivates the postbacks. Pulumi's own output, as a user sees it, is shown with `--verbose`.
 *
 * Whether a step did what it says is decided from the CLI's exit codes and the emulator's store and
 * request log. The narration (which postback was created, which field drifted) comes from the engine's
 * events, which each engine command writes to a file with `--event-log`, the file the Automation API
 * reads too (the CLI accepts the flag when PULUMI_DEBUG_COMMANDS is set); values the engine keeps
 * secret show as [secret].
 *
 * Exit code 0 when every step did what it says, 1 otherwise. The emulator and the temporary directory
 * (project, installed packages, state, PULUMI_HOME) are removed either way.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineEvent, OpType, StepEventMetadata } from "@pulumi/pulumi/automation";
import { isSecretValue, SECRET } from "../cli/drift-report";
import { packageRoot, resolvePulumiCli } from "../cli/engine";
import { startEmulator } from "../emulator";
import type { EmulatorHandle, Pixel } from "../emulator";
import {
  installArgs,
  packTarball,
  plainCliEnv,
  pulumiSdkVersion,
  run,
  stackSetupCommands,
  type Run,
} from "./packed-project";

const API_KEY = "demo-everflow-api-key";
const STACK = "demo";
const POSTBACK_TYPE = "pulumi-nodejs:dynamic/affiliate:Postback";
/** The postbacks demo/index.ts declares, in its order; its stack output `postbackIds` maps them to ids. */
const NAMES = ["global-conversion", "offer-postback", "html-pixel"];
/** The postback that "someone" edits in the Everflow UI, and how. */
const DRIFT = { postback: "offer-postback", wireField: "delay_ms", liveValue: 999 };
/**
 * The exit code of `pulumi preview --expect-no-changes` when the preview proposes changes: ExitNoChanges
 * in the CLI's exit code taxonomy (sdk/go/common/util/cmdutil/exit.go), which engine v3.274.1 has.
 */
const EXIT_CHANGES_PROPOSED = 7;

const verbose = process.argv.includes("--verbose");
const repoRoot = packageRoot() ?? path.resolve(__dirname, "..", "..");

const say = (line = "") => process.stdout.write(`${line}\n`);

/** Raised for a step that ran but did not do what the demo says it does. */
class DemoError extends Error {
  constructor(
    message: string,
    /** Why, in a few lines: the engine's errors or the end of the command's output. */
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

/**
 * The engine's steps on postbacks, of the given kinds, in the order the program declares the postbacks
 * (the engine runs them in parallel).
 */
function postbackSteps(events: EngineEvent[], ...ops: OpType[]): StepEventMetadata[] {
  const rank = (m: StepEventMetadata) => NAMES.indexOf(nameOf(m.urn));
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
const POST = "POST /v1/affiliates/pixels";
const PUT = "PUT /v1/affiliates/pixels/:id";

/** The requests the emulator served since its log was reset, e.g. "3 x POST /v1/affiliates/pixels (create)". */
function apiCalls(emulator: EmulatorHandle): string {
  const counts = Object.entries(emulator.log.counts()).filter(([, n]) => n > 0);
  if (counts.length === 0) return "  API calls: none";
  const purpose = (route: string) => (ROUTE_PURPOSE[route] ? ` (${ROUTE_PURPOSE[route]})` : "");
  return `  API calls: ${counts.map(([route, n]) => `${n} x ${route}${purpose(route)}`).join(", ")}`;
}

/** Raises unless the emulator served exactly these writes since its log was reset. */
function expectWrites(emulator: EmulatorHandle, posts: number, puts: number): void {
  const got = { posts: emulator.log.count(POST), puts: emulator.log.count(PUT) };
  if (got.posts !== posts || got.puts !== puts) {
    throw new DemoError(
      `expected ${posts} POST and ${puts} PUT to Everflow, got ${got.posts} POST and ${got.puts} PUT`,
    );
  }
}

/**
 * Why a command failed, in a few lines: the errors the engine reported per resource when there are any,
 * else the end of what the command wrote.
 */
function failureReport(result: Run, events: EngineEvent[]): string[] {
  const diagnostics = events
    .map((e) => e.diagnosticEvent)
    .filter(
      (d) => d !== undefined && d.severity === "error" && d.urn && !d.urn.endsWith("::pulumi:pulumi:Stack"),
    )
    .map((d) => `${nameOf(d?.urn ?? "")}: ${d?.message.trim()}`);
  if (diagnostics.length > 0) return [...new Set(diagnostics)];
  const lines = `${result.stdout}\n${result.stderr}`.split("\n").filter((l) => l.trim() !== "");
  return lines.length > 20 ? ["...", ...lines.slice(-20)] : lines;
}

/** The engine events a command wrote with --event-log, one JSON object a line. */
function readEvents(file: string): EngineEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as EngineEvent);
}

/** Runs the demo; returns the exit code. */
async function main(): Promise<number> {
  say("pulumi-everflow demo: Everflow postbacks managed by Pulumi, against a local Everflow emulator");
  say();

  // As `pulumi-everflow drift` finds it: PULUMI_CLI, PATH, the cache, or a build by scripts/ensure-pulumi.
  const { cliPath } = resolvePulumiCli(process.env);
  const emulator = await startEmulator({ accounts: [{ apiKey: API_KEY, networkId: 1, affiliateId: 7 }] });
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-everflow-demo-"));
  const cleanup = async () => {
    await emulator.stop();
    fs.rmSync(tempDir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const projectDir = path.join(tempDir, "everflow-demo");
  const stateDir = path.join(tempDir, "state");
  const env = {
    ...plainCliEnv(process.env, cliPath, path.join(tempDir, "pulumi-home"), "pulumi-everflow-demo"),
    // Lets the engine commands take --event-log, as the Automation API does for its own runs.
    PULUMI_DEBUG_COMMANDS: "true",
  };
  // Pulumi's and npm's own output is shown with --verbose only; the engine's events make the narration.
  const onOutput = verbose ? (text: string) => process.stdout.write(text) : undefined;

  let events: EngineEvent[] = [];
  let commandNumber = 0;
  /** Runs a command in the project, as a user would type it; raises unless it exits with `expected`. */
  const command = async (program: string, args: string[], expected = 0): Promise<Run> => {
    say(`  $ ${[program, ...args].join(" ")}`);
    const executable = program === "pulumi" ? cliPath : program;
    const result = await run(executable, args, { cwd: projectDir, env, onOutput });
    if (result.code !== expected) {
      throw new DemoError(
        `\`${program} ${args.join(" ")}\` exited with ${result.code}, expected ${expected}`,
        failureReport(result, events),
      );
    }
    return result;
  };
  /**
   * Runs an engine command (preview, up, destroy) with `--event-log`, so that `events` holds what the
   * engine did; the line shown is the command a user types.
   */
  const pulumi = async (args: string[], expected = 0): Promise<Run> => {
    commandNumber += 1;
    const eventLog = path.join(tempDir, `events-${commandNumber}.jsonl`);
    say(`  $ pulumi ${args.join(" ")}`);
    const result = await run(cliPath, [...args, "--event-log", eventLog], { cwd: projectDir, env, onOutput });
    events = readEvents(eventLog);
    if (result.code !== expected) {
      throw new DemoError(
        `\`pulumi ${args.join(" ")}\` exited with ${result.code}, expected ${expected}`,
        failureReport(result, events),
      );
    }
    return result;
  };

  let stepNumber = 0;
  const step = async (title: string, body: () => Promise<void>) => {
    stepNumber += 1;
    say(`${stepNumber}. ${title}`);
    events = [];
    emulator.log.reset();
    await body();
    say(apiCalls(emulator));
    say();
  };

  try {
    const version = (await run(cliPath, ["version"], { cwd: tempDir, env })).stdout.trim();
    say(`  emulator  ${emulator.url} (affiliate 7, API key "${API_KEY}")`);
    say(`  engine    pulumi ${version || "(unknown version)"} at ${cliPath}`);
    // The checkout's @pulumi/pulumi, which its tests use on every Node.js, rather than the README's
    // 3.276.0: that release needs Node.js 22, and the demo runs on whatever Node.js runs it (the
    // lockfile's 3.248.0 is the newest release that supports Node.js 20).
    const sdkVersion = pulumiSdkVersion(repoRoot);
    say(
      `  sdk       @pulumi/pulumi ${sdkVersion} (this checkout's, as its tests use it, on Node.js ${process.versions.node})`,
    );
    say(`  project   demo/ copied to ${projectDir}, stack ${STACK}, state in ${stateDir}`);
    say();

    say("Set up the project as a user does: install the package, log in, create the stack, set config");
    const tarball = packTarball(repoRoot, tempDir);
    say(`  (npm pack of this checkout: ${path.basename(tarball)})`);
    fs.cpSync(path.join(repoRoot, "demo"), projectDir, {
      recursive: true,
      filter: (src) => !/(^|[/\\])(node_modules|Pulumi\.[^/\\]+\.yaml)$/.test(src),
    });
    await command("npm", installArgs(tarball, sdkVersion));
    const config = [
      { key: "everflow:apiKey", value: API_KEY, secret: true },
      { key: "everflow:baseUrl", value: emulator.url },
    ];
    fs.mkdirSync(stateDir);
    for (const args of stackSetupCommands(stateDir, STACK, config)) await command("pulumi", args);
    say();

    let ids: Record<string, number> = {};
    const live = (name: string): Pixel => {
      const pixel = emulator.store.get(ids[name] ?? -1);
      if (!pixel) throw new DemoError(`the emulator holds no postback ${name}`);
      return pixel;
    };
    const width = Math.max(...NAMES.map((n) => n.length));
    const pad = (name: string) => name.padEnd(width);

    await step("pulumi up: create the declared postbacks", async () => {
      await pulumi(["up", "--yes"]);
      const output = await command("pulumi", ["stack", "output", "postbackIds", "--json"]);
      ids = JSON.parse(output.stdout) as Record<string, number>;
      for (const s of postbackSteps(events, "create")) {
        const name = nameOf(s.urn);
        say(`  + create  ${pad(name)}  id ${ids[name]}`);
      }
      expectWrites(emulator, NAMES.length, 0);
      if (JSON.stringify(Object.keys(ids).sort()) !== JSON.stringify([...NAMES].sort())) {
        throw new DemoError(`the stack output postbackIds names ${Object.keys(ids).join(", ")}`);
      }
      const inactive = NAMES.filter((name) => live(name).pixel_status !== "active");
      if (inactive.length > 0) throw new DemoError(`not active in Everflow: ${inactive.join(", ")}`);
    });

    const declaredValue = live(DRIFT.postback)[DRIFT.wireField];
    await step(`Someone edits ${DRIFT.postback} in the Everflow UI (Pulumi is not involved)`, async () => {
      emulator.store.update(ids[DRIFT.postback] ?? -1, { [DRIFT.wireField]: DRIFT.liveValue });
      say(
        `  ${DRIFT.postback} (id ${ids[DRIFT.postback]}): ${DRIFT.wireField} ${declaredValue} -> ${DRIFT.liveValue}`,
      );
    });

    await step("pulumi preview --refresh: compare the declaration with what Everflow holds", async () => {
      await pulumi(["preview", "--refresh", "--expect-no-changes"], EXIT_CHANGES_PROPOSED);
      for (const s of postbackSteps(events, "update", "replace")) {
        for (const c of changedFields(s)) {
          say(`  ~ drift   ${nameOf(s.urn)}: ${c.field} declared ${show(c.after)}, live ${show(c.before)}`);
        }
      }
      const same = postbackSteps(events, "same").map((s) => nameOf(s.urn));
      if (same.length > 0) say(`  = same    ${same.join(", ")}`);
      say(
        `  (exit ${EXIT_CHANGES_PROPOSED}: --expect-no-changes found changes, as a drift check in CI would)`,
      );
      expectWrites(emulator, 0, 0);
      const now = live(DRIFT.postback)[DRIFT.wireField];
      if (now !== DRIFT.liveValue) throw new DemoError(`the preview changed ${DRIFT.wireField} to ${now}`);
      say("  (a preview changes nothing: Everflow still has the edited value)");
    });

    await step("pulumi up --refresh: put the declared values back", async () => {
      await pulumi(["up", "--refresh", "--yes"]);
      for (const s of postbackSteps(events, "update", "replace")) {
        for (const c of changedFields(s)) {
          say(`  ~ update  ${nameOf(s.urn)}: ${c.field} ${show(c.before)} -> ${show(c.after)}`);
        }
      }
      const now = live(DRIFT.postback)[DRIFT.wireField];
      say(`  Everflow now: ${DRIFT.postback} ${DRIFT.wireField} ${now}`);
      expectWrites(emulator, 0, 1);
      if (now !== declaredValue) throw new DemoError(`${DRIFT.postback} still has ${DRIFT.wireField} ${now}`);
    });

    await step("pulumi destroy: remove the postbacks from the stack", async () => {
      await pulumi(["destroy", "--yes"]);
      for (const s of postbackSteps(events, "delete")) {
        const name = nameOf(s.urn);
        say(`  - delete  ${pad(name)}  id ${ids[name]}, status in Everflow now: ${live(name).pixel_status}`);
      }
      say(
        "  (Everflow has no delete for affiliate postbacks: destroy deactivates them, they stay in the account)",
      );
      expectWrites(emulator, 0, NAMES.length);
      const active = NAMES.filter((name) => live(name).pixel_status !== "inactive");
      if (active.length > 0) throw new DemoError(`still active: ${active.join(", ")}`);
    });

    say(`Done: all ${stepNumber} steps did what they said.`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const details = error instanceof DemoError ? error.details : [];
    say(`  FAILED: ${[message, ...details].join("\n    ")}`);
    if (!verbose) say("  (npm run demo -- --verbose shows Pulumi's and npm's own output)");
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
