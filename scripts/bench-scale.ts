/**
 * What a user waits for at scale: the same N postbacks through the plain `pulumi` CLI, in projects
 * written in plain JavaScript (no compile time in any timing), one after the other:
 *   - floor: a do-nothing dynamic provider (create returns a counter, diff compares the same fields):
 *     what the engine itself costs;
 *   - paced floor: the floor whose create, update and delete each wait for a token at the emulator's
 *     limit: what the engine leaves to a provider limited only by the account's rate (create, update
 *     and destroy only);
 *   - everflow: pulumi-everflow, installed from its packed tarball as a user installs it, against a
 *     fresh emulator at Everflow's real limit (5 requests/s, burst 20);
 *   - native: the same postbacks through the native plugin pulumi-resource-everflow
 *     (everflow:index:Postback), installed from its plugin tarball with `pulumi plugin install` into the
 *     benchmark's own PULUMI_HOME as a user of any language installs it, against its own fresh emulator.
 *     Its program is plain JavaScript declaring the type token (no SDK), not Pulumi YAML: the floor and
 *     the dynamic face run on the Node language host and @pulumi/pulumi's runtime, so a program on the
 *     same host, registering the same N resources, differs from them in the provider only. A YAML
 *     program would change the language host as well (pulumi-language-yaml evaluating a template of N
 *     entries), and its ratio to the floor would mix the host's cost with the plugin's.
 * Phases: create, no-op up, refresh, preview --refresh with one postback changed out of band, update of
 * every postback (one field changed in the program), destroy; and, on Node < 24, one more refresh of
 * everflow and of native with V8's optimizing compiler off for WebAssembly, for what undici's
 * WebAssembly HTTP parser costs in RSS. Every `up`, `refresh` and `destroy` runs with --yes
 * --skip-preview. A phase that changes nothing (no-op up, refresh, preview --refresh) and takes under
 * 30 s runs 3 times; its figure is the median. "vs larger" is the time over the larger of the engine
 * floor and the rate-limit floor, (accepted requests - burst) / rate. It prints a table per face, and
 * ends with the targets of the scale issue for each face (the same targets, against the same floors),
 * each marked met or MISSED; it exits 0 either way (a benchmark, not a test), unless a command of a
 * phase failed, in any project (no figure then: CI's smoke run must fail).
 *
 *   npm run bench:scale                          N = 200
 *   npm run bench:scale -- --n 50 --runs 3       medians of 3 runs
 *   npm run bench:scale -- --stacks 3 --n 100    3 stacks of 100 on one account: up together, destroy
 *                                                together; everflow, then native on a fresh account
 *
 * Needs `pulumi` (scripts/ensure-pulumi) and the Node language host `pulumi-language-nodejs`, beside it
 * or on PATH, and the plugin tarball that `npm run build` writes.
 */
import { spawn, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { startEmulator, type EmulatorHandle } from "../emulator";
import { PLUGIN, tarballPath } from "./build-plugin";
import { packageJsonVersion } from "./gen-schema";

const repoRoot = path.resolve(__dirname, "..", "..");
const KEY = "bench-scale-api-key";
const LIMIT = { rate: 5, burst: 20 };
const PASSPHRASE = "bench-scale";
const PHASES = ["create", "no-op up", "refresh", "preview --refresh", "update all", "destroy"] as const;
type Phase = (typeof PHASES)[number];
/** The phases whose time the rate limit sets: the paced floor runs these. */
const PACED_PHASES = ["create", "update all", "destroy"] as const satisfies readonly Phase[];
type PacedPhase = (typeof PACED_PHASES)[number];

// ---------------------------------------------------------------------------------------------------
// The programs

const FLOOR_PROGRAM = floorProgram(false);

/**
 * The engine floor, and the same floor paced at the emulator's limit: each create, update and delete
 * takes a token of an in-process bucket of LIMIT (full at the first take, as the account's is at a
 * phase's start) and makes no request. The paced floor is what the engine lets a provider that
 * spends nothing but the rate limit achieve. Unpaced, the text is the floor's as it always was: the
 * floor serializes its provider into every resource, so any change to it moves the floor's figures.
 */
function floorProgram(paced: boolean): string {
  const take = paced ? "await bucket.take(); " : "";
  return `// The engine floor: a dynamic provider that does nothing, with the fields of a Postback.${
    paced
      ? `\n// Paced: every create, update and delete waits for a token of a ${LIMIT.rate}/s, burst ${LIMIT.burst} bucket.`
      : ""
  }
const pulumi = require("@pulumi/pulumi");
const FIELDS = ["deliveryMethod", "pixelLevel", "pixelStatus", "pixelType", "postbackUrl", "delayMs"];
let counter = 0;
${
  paced
    ? `const bucket = {
  tokens: ${LIMIT.burst}, at: 0,
  async take() {
    const now = Date.now();
    this.tokens = Math.min(${LIMIT.burst}, this.tokens + (this.at === 0 ? 0 : ((now - this.at) * ${LIMIT.rate}) / 1000));
    this.at = now;
    this.tokens -= 1;
    if (this.tokens < 0) await new Promise((resolve) => setTimeout(resolve, (-this.tokens * 1000) / ${LIMIT.rate}));
  },
};
`
    : ""
}const provider = {
  async check(olds, news) { return { inputs: news }; },
  async diff(id, olds, news) { return { changes: FIELDS.some((f) => olds[f] !== news[f]) }; },
  async create(inputs) { ${take}counter += 1; return { id: process.pid + "-" + counter, outs: inputs }; },
  async read(id, props) { return { id, props }; },
  async update(id, olds, news) { ${take}return { outs: news }; },
  async delete() {${paced ? ` ${take.trim()} ` : ""}},
};
class Floor extends pulumi.dynamic.Resource {
  constructor(name, args) { super(provider, name, args, {}, "bench", "Floor"); }
}
const n = Number(process.env.BENCH_N), prefix = process.env.BENCH_PREFIX, variant = process.env.BENCH_VARIANT;
for (let i = 0; i < n; i++) {
  new Floor("pb-" + i, { deliveryMethod: "postback", pixelLevel: "global", pixelStatus: "active",
    pixelType: "conversion", postbackUrl: "https://track.example.com/" + prefix + "/" + i + "?tid={transaction_id}&v=" + variant, delayMs: 0 });
}
`;
}

const EVERFLOW_PROGRAM = `// N postbacks through pulumi-everflow, as a user's program declares them.
const { Postback } = require("pulumi-everflow");
const n = Number(process.env.BENCH_N), prefix = process.env.BENCH_PREFIX, variant = process.env.BENCH_VARIANT;
for (let i = 0; i < n; i++) {
  new Postback("pb-" + i, { deliveryMethod: "postback", pixelLevel: "global", pixelType: "conversion",
    postbackUrl: "https://track.example.com/" + prefix + "/" + i + "?tid={transaction_id}&v=" + variant });
}
`;

/** The type token of each face's postbacks in the state (`pulumi stack export`). */
const DYNAMIC_TYPE = "pulumi-nodejs:dynamic/affiliate:Postback";
const NATIVE_TYPE = "everflow:index:Postback";
/** What the report calls each face. */
const EVERFLOW_TITLE = "pulumi-everflow";
const NATIVE_TITLE = `the native plugin (${PLUGIN}, ${NATIVE_TYPE})`;

/**
 * The native face's program (see the header for why plain JavaScript): the type token and the plugin's
 * version, as a program in any language declares them; the inputs and names are the dynamic face's.
 */
function nativeProgram(version: string): string {
  return `// N postbacks through the native plugin ${PLUGIN}, declared by type token (no SDK).
const pulumi = require("@pulumi/pulumi");
const n = Number(process.env.BENCH_N), prefix = process.env.BENCH_PREFIX, variant = process.env.BENCH_VARIANT;
for (let i = 0; i < n; i++) {
  new pulumi.CustomResource("${NATIVE_TYPE}", "pb-" + i, { deliveryMethod: "postback", pixelLevel: "global",
    pixelType: "conversion", postbackUrl: "https://track.example.com/" + prefix + "/" + i + "?tid={transaction_id}&v=" + variant },
    { version: "${version}" });
}
`;
}

/**
 * How each face's provider process shows in /proc/<pid>/cmdline: the engine's dynamic provider host
 * (floor and everflow) runs `node .../dynamic-provider/...`; the plugin's launcher execs
 * `node .../pulumi-resource-everflow.js`.
 */
const DYNAMIC_PROVIDER_PROCESS = "dynamic-provider";
const NATIVE_PROVIDER_PROCESS = `${PLUGIN}.js`;

/**
 * Where the provider's memory goes: undici parses HTTP with llhttp compiled to WebAssembly, and V8
 * tiers hot WebAssembly up with its optimizing compiler, whose work shows in the peak RSS. Preloaded
 * into the processes of one extra refresh, this leaves V8 its baseline compiler only. V8 takes the flag
 * at run time up to Node 22; Node 24 freezes V8's flags once started, so the probe runs on Node < 24.
 */
const WASM_PROBE = `// bench-scale: V8's baseline compiler only, for WebAssembly, in this process.
require("v8").setFlagsFromString("--liftoff-only");
`;
const WASM_PROBE_RUNS = Number(process.versions.node.split(".")[0]) < 24;

// ---------------------------------------------------------------------------------------------------
// Setup: the CLI, the tarball, the projects

interface Cli {
  pulumi: string;
  env: NodeJS.ProcessEnv;
}

function findCli(root: string): Cli {
  const pulumi = execFileSync(path.join(repoRoot, "scripts", "ensure-pulumi"), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  const PATH = `${path.dirname(pulumi)}${path.delimiter}${process.env.PATH ?? ""}`;
  const host = PATH.split(path.delimiter).find((dir) =>
    fs.existsSync(path.join(dir, "pulumi-language-nodejs")),
  );
  if (!host) {
    throw new Error(
      `pulumi-language-nodejs is neither beside ${pulumi} nor on PATH: the plain CLI cannot run a Node.js ` +
        "program without it (scripts/ensure-pulumi builds it)",
    );
  }
  const home = path.join(root, "pulumi-home");
  fs.mkdirSync(home, { recursive: true });
  return {
    pulumi,
    env: {
      ...process.env,
      PATH,
      PULUMI_HOME: home,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    },
  };
}

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A project of the benchmark: its directory, and how its provider process shows in /proc. */
interface Project {
  dir: string;
  /** DYNAMIC_PROVIDER_PROCESS or NATIVE_PROVIDER_PROCESS. */
  providerProcess: string;
}

/** A project directory with its program, dependencies and file backend. */
function makeProject(root: string, name: string, program: string, deps: string[]): string {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, ".state"), { recursive: true });
  fs.writeFileSync(path.join(dir, "index.js"), program);
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, private: true, main: "index.js" }));
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: ${name}\nruntime: nodejs\nbackend:\n  url: file://${path.join(dir, ".state")}\n`,
  );
  npm(["install", "--no-audit", "--no-fund", "--prefer-offline", ...deps], dir);
  return dir;
}

/**
 * The native plugin as a user of any language installs it: its release tarball, through
 * `pulumi plugin install`, into the benchmark's PULUMI_HOME. Returns the version installed.
 */
function installPlugin(cli: Cli): string {
  const version = packageJsonVersion();
  const tarball = tarballPath(version);
  if (!fs.existsSync(tarball)) throw new Error(`${tarball} is missing: \`npm run build\` writes it`);
  execFileSync(
    cli.pulumi,
    ["plugin", "install", "resource", "everflow", version, "--file", tarball, "--non-interactive"],
    { env: cli.env, stdio: ["ignore", "pipe", "pipe"] },
  );
  return version;
}

// ---------------------------------------------------------------------------------------------------
// Running the CLI, and watching the provider process

interface RunResult {
  code: number;
  seconds: number;
  stdout: string;
  stderr: string;
}

function run(cli: Cli, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cli.pulumi, [...args, "--non-interactive"], { cwd, env: { ...cli.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) =>
      resolve({ code: code ?? -1, seconds: (performance.now() - started) / 1000, stdout, stderr }),
    );
  });
}

/** Milliseconds since the epoch at which the machine booted: process start times count from it. */
function bootMs(): number {
  const uptimeS = Number(fs.readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  return Date.now() - uptimeS * 1000;
}
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on every Linux this runs on). */
const CLOCK_TICKS_PER_S = 100;

/** When process `pid` started (ms since the epoch), from field 22 of /proc/<pid>/stat. */
function processStartMs(pid: string, booted: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which may hold spaces, start after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return booted + (Number(fields[19]) / CLOCK_TICKS_PER_S) * 1000;
}

interface ProviderWatch {
  /** Peak VmHWM of the provider processes, MB. */
  peakMb: number;
  /** When the first of them started (ms since the epoch), if one was seen. */
  firstStartedMs: number | undefined;
}

/**
 * Peak resident memory (VmHWM) and start time of the provider processes started in `dir` whose command
 * line holds `processMark` (DYNAMIC_PROVIDER_PROCESS or NATIVE_PROVIDER_PROCESS), polled from /proc
 * (the engine starts plugins in the program's directory; other projects' providers are not counted).
 */
function watchProviders(dir: string, processMark: string): () => ProviderWatch {
  const booted = bootMs();
  let peakKb = 0;
  let firstStartedMs: number | undefined;
  const started = new Set<string>();
  const poll = (): void => {
    let pids: string[] = [];
    try {
      pids = fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p));
    } catch {
      return;
    }
    for (const pid of pids) {
      try {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (!cmdline.includes(processMark)) continue;
        if (fs.readlinkSync(`/proc/${pid}/cwd`) !== dir) continue;
        if (!started.has(pid)) {
          started.add(pid);
          const at = processStartMs(pid, booted);
          firstStartedMs = Math.min(firstStartedMs ?? at, at);
        }
        const hwm = /VmHWM:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // The process ended between the listing and the read.
      }
    }
  };
  const timer = setInterval(poll, 100);
  return () => {
    clearInterval(timer);
    poll();
    return { peakMb: peakKb / 1024, firstStartedMs };
  };
}

// ---------------------------------------------------------------------------------------------------
// One project through every phase

interface PhaseFigure {
  /** The median of `samples`. */
  seconds: number;
  samples: number[];
  code: number;
  /** Accepted (non-429) requests by route, and the 429s. */
  routes: Record<string, number>;
  accepted: number;
  throttled: number;
  /** What the engine reported, where it says (preview: the planned changes). */
  note: string;
  rssMb: number;
  /**
   * Where the time of a phase with requests went: from the command's start to the first accepted
   * request, and from the last accepted request to the command's end (the rest is the requests).
   */
  window?: { beforeFirstS: number; afterLastS: number };
  /** When the engine started the provider process, in seconds from the command's start. */
  providerStartedS?: number;
}

interface ProjectRun<P extends Phase = Phase> {
  phases: Record<P, PhaseFigure>;
  stateBytesPerPostback: number;
  /** The refresh run once more with V8's optimizing compiler off for WebAssembly (see WASM_PROBE). */
  refreshWasmProbe?: { rssMb: number; code: number };
}

/** The emulator log of one command, which ran from `startedMs` to `endedMs` (the emulator's clock). */
function countRequests(
  emu: EmulatorHandle | undefined,
  startedMs: number,
  endedMs: number,
): Pick<PhaseFigure, "routes" | "accepted" | "throttled" | "window"> {
  const routes: Record<string, number> = {};
  let accepted = 0;
  let throttled = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const e of emu?.log.entries() ?? []) {
    if (e.status === 429) {
      throttled++;
      continue;
    }
    accepted++;
    routes[e.route] = (routes[e.route] ?? 0) + 1;
    first = Math.min(first, e.time);
    last = Math.max(last, e.time);
  }
  const window =
    accepted > 0
      ? { beforeFirstS: (first - startedMs) / 1000, afterLastS: (endedMs - last) / 1000 }
      : undefined;
  return { routes, accepted, throttled, ...(window ? { window } : {}) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freshEmulator(): Promise<EmulatorHandle> {
  return startEmulator({ accounts: [{ apiKey: KEY, networkId: 1, affiliateId: 7 }], rateLimit: LIMIT });
}

async function initStack(
  cli: Cli,
  dir: string,
  stack: string,
  emu: EmulatorHandle | undefined,
): Promise<void> {
  const must = async (args: string[]) => {
    const r = await run(cli, args, dir);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  };
  await must(["stack", "init", stack]);
  if (emu) {
    await must(["config", "set", "--stack", stack, "--secret", "everflow:apiKey", KEY]);
    await must(["config", "set", "--stack", stack, "everflow:baseUrl", emu.url]);
  }
}

/** Phases that change nothing, so that running them again measures the same thing. */
const REPEATABLE = new Set<Phase>(["no-op up", "refresh", "preview --refresh"]);
/** Samples of a repeatable phase, when it is short enough for noise to matter. */
const REPEATS = 3;
const REPEAT_UNDER_S = 30;

/** One run of one phase's command, with the account's bucket full first, as the rate-limit floor assumes. */
async function runPhase(
  cli: Cli,
  { dir, providerProcess }: Project,
  stack: string,
  emu: EmulatorHandle | undefined,
  phase: Phase,
  command: { args: string[]; variant: string },
  env: (variant: string) => NodeJS.ProcessEnv,
): Promise<PhaseFigure> {
  if (emu) {
    await sleep((LIMIT.burst / LIMIT.rate) * 1000);
    emu.log.reset();
  }
  const stopWatch = watchProviders(dir, providerProcess);
  // The emulator's log times are Date.now() (its default clock).
  const startedMs = Date.now();
  const r = await run(cli, [...command.args, "--stack", stack], dir, env(command.variant));
  const endedMs = Date.now();
  const { peakMb: rssMb, firstStartedMs } = stopWatch();
  let note = "";
  if (phase === "preview --refresh") {
    try {
      const summary = (JSON.parse(r.stdout) as { changeSummary?: Record<string, number> }).changeSummary;
      note = `planned ${JSON.stringify(summary ?? {})}`;
    } catch {
      note = "no JSON from preview";
    }
  }
  if (r.code !== 0) {
    const tail = (r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ");
    note = `${note} FAILED: ${tail}`.trim();
  }
  return {
    seconds: r.seconds,
    samples: [r.seconds],
    code: r.code,
    ...countRequests(emu, startedMs, endedMs),
    note,
    rssMb,
    ...(firstStartedMs === undefined ? {} : { providerStartedS: (firstStartedMs - startedMs) / 1000 }),
  };
}

/**
 * One stack of `project` through `which` phases, in their order, then removed. With `wasmProbe` (the
 * path of WASM_PROBE), the refresh runs once more with it preloaded, for its provider's peak RSS only.
 */
async function runProject<P extends Phase>(
  cli: Cli,
  project: Project,
  n: number,
  stack: string,
  emu: EmulatorHandle | undefined,
  which: readonly P[],
  wasmProbe?: string,
): Promise<ProjectRun<P>> {
  const { dir } = project;
  await initStack(cli, dir, stack, emu);
  const env = (variant: string) => ({ BENCH_N: String(n), BENCH_PREFIX: stack, BENCH_VARIANT: variant });
  const commands: Record<Phase, { args: string[]; variant: string }> = {
    create: { args: ["up", "--yes", "--skip-preview"], variant: "a" },
    "no-op up": { args: ["up", "--yes", "--skip-preview"], variant: "a" },
    refresh: { args: ["refresh", "--yes", "--skip-preview"], variant: "a" },
    "preview --refresh": { args: ["preview", "--refresh", "--json"], variant: "a" },
    "update all": { args: ["up", "--yes", "--skip-preview"], variant: "b" },
    destroy: { args: ["destroy", "--yes", "--skip-preview"], variant: "b" },
  };
  const phases = {} as Record<P, PhaseFigure>;
  let stateBytesPerPostback = 0;
  let refreshWasmProbe: ProjectRun["refreshWasmProbe"];
  for (const phase of which) {
    if (emu && phase === "preview --refresh") {
      const victim = emu.store.all().find((p) => p.pixel_status === "active");
      if (victim)
        emu.store.update(victim.network_pixel_id, { postback_url: "https://changed.example.com/x" });
    }
    // A phase that leaves nothing changed, and took under REPEAT_UNDER_S, runs again until it has
    // REPEATS samples: its figure is the median sample (the slowest's requests and RSS, to hide nothing).
    const samples: PhaseFigure[] = [];
    do {
      samples.push(await runPhase(cli, project, stack, emu, phase, commands[phase], env));
    } while (
      REPEATABLE.has(phase) &&
      samples.length < REPEATS &&
      samples[0]!.seconds < REPEAT_UNDER_S &&
      samples.every((f) => f.code === 0)
    );
    const bySeconds = [...samples].sort((a, b) => a.seconds - b.seconds);
    const mid = bySeconds[Math.floor((bySeconds.length - 1) / 2)]!;
    const most = samples.reduce((a, b) => (b.accepted + b.throttled > a.accepted + a.throttled ? b : a));
    phases[phase] = {
      ...most,
      seconds: mid.seconds,
      samples: samples.map((f) => f.seconds),
      code: samples.find((f) => f.code !== 0)?.code ?? 0,
      rssMb: Math.max(...samples.map((f) => f.rssMb)),
      // Where the median sample's time went.
      ...(mid.window ? { window: mid.window } : {}),
      ...(mid.providerStartedS === undefined ? {} : { providerStartedS: mid.providerStartedS }),
    };
    process.stderr.write(
      `${path.basename(dir)} ${stack}: ${phase} ${samples.map((f) => fmt(f.seconds)).join(", ")} s, ` +
        `exit ${phases[phase].code}\n`,
    );
    if (phase === "create") {
      const exported = await run(cli, ["stack", "export", "--stack", stack], dir);
      stateBytesPerPostback = Buffer.byteLength(exported.stdout) / n;
    }
    if (phase === "refresh" && wasmProbe) {
      const preload = `${process.env.NODE_OPTIONS ?? ""} --require ${wasmProbe}`.trim();
      const probed = await runPhase(cli, project, stack, emu, phase, commands[phase], (variant) => ({
        ...env(variant),
        NODE_OPTIONS: preload,
      }));
      refreshWasmProbe = { rssMb: probed.rssMb, code: probed.code };
    }
  }
  await run(cli, ["stack", "rm", "--yes", "--stack", stack], dir);
  return { phases, stateBytesPerPostback, ...(refreshWasmProbe ? { refreshWasmProbe } : {}) };
}

// ---------------------------------------------------------------------------------------------------
// Reporting

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const rateFloor = (accepted: number): number => Math.max(0, accepted - LIMIT.burst) / LIMIT.rate;
const fmt = (x: number, digits = 1): string => x.toFixed(digits);
const shortRoute = (route: string): string =>
  route
    .replace("/v1/affiliates/pixels", "")
    .replace(/^(\w+) $/, "$1 list")
    .replace(/^(\w+) \/:id$/, "$1 id");

/** The figures of `phase` in the paced floor's runs: none for a phase it does not run. */
function pacedFigures(pacedRuns: ProjectRun<PacedPhase>[], phase: Phase): PhaseFigure[] {
  const paced = PACED_PHASES.find((p) => p === phase);
  return paced === undefined ? [] : pacedRuns.map((r) => r.phases[paced]);
}

/** A face of pulumi-everflow under measurement, beside the floors. */
interface Face {
  /** Its name in the report's columns and lines. */
  name: "everflow" | "native";
  /** What the heading of its table calls it. */
  title: string;
  runs: ProjectRun[];
}

const rss = (runs: ProjectRun[], phase: Phase) => median(runs.map((r) => r.phases[phase].rssMb));
/** The highest provider RSS of any phase, median over runs. */
const peakRss = (runs: ProjectRun[]) =>
  median(runs.map((r) => Math.max(...PHASES.map((p) => r.phases[p].rssMb))));

function report(
  n: number,
  floorRuns: ProjectRun[],
  pacedRuns: ProjectRun<PacedPhase>[],
  faces: Face[],
): void {
  for (const face of faces) printPhaseTable(n, floorRuns, pacedRuns, face);
  const stateF = median(floorRuns.map((r) => r.stateBytesPerPostback));
  const stateOf = ({ name, runs }: Face) => {
    const state = median(runs.map((r) => r.stateBytesPerPostback));
    return `${name} ${Math.round(state)} B (${fmt(state / stateF, 2)}x)`;
  };
  console.log(
    `state per postback (stack export bytes / N): floor ${Math.round(stateF)} B, ${faces.map(stateOf).join(", ")}`,
  );
  const mb = (x: number) => `${fmt(x, 0)} MB`;
  console.log(
    `provider process peak RSS (VmHWM): create: floor ${mb(rss(floorRuns, "create"))}, ` +
      `${faces.map((f) => `${f.name} ${mb(rss(f.runs, "create"))}`).join(", ")}; any phase: floor ` +
      `${mb(peakRss(floorRuns))}, ${faces.map((f) => `${f.name} ${mb(peakRss(f.runs))}`).join(", ")}`,
  );
  if (!WASM_PROBE_RUNS) {
    console.log(
      `provider peak RSS with V8's optimizing compiler off for WebAssembly: not measured (Node ${process.versions.node} ` +
        "takes no V8 flag at run time)",
    );
  }
  for (const { name, runs } of faces) {
    const probes = runs.flatMap((r) => (r.refreshWasmProbe ? [r.refreshWasmProbe] : []));
    if (probes.length === 0) continue;
    console.log(
      `provider peak RSS in refresh, ${name}: ${mb(rss(runs, "refresh"))}; the same refresh ` +
        `with V8's optimizing compiler off for WebAssembly (undici's HTTP parser, llhttp, is WebAssembly): ` +
        `${mb(median(probes.map((p) => p.rssMb)))}${probes.some((p) => p.code !== 0) ? " (that refresh FAILED)" : ""}; ` +
        `floor's refresh: ${mb(rss(floorRuns, "refresh"))}`,
    );
  }
  for (const { name, runs } of faces) {
    const windows = PHASES.flatMap((phase) => {
      const w = runs.map((r) => r.phases[phase].window).filter((x) => x !== undefined);
      if (w.length === 0) return [];
      const before = median(w.map((x) => x.beforeFirstS));
      const after = median(w.map((x) => x.afterLastS));
      return [`${phase} ${fmt(before)} / ${fmt(after)}`];
    });
    if (windows.length > 0) {
      console.log(`${name}, s before the first request / after the last: ${windows.join("; ")}`);
    }
  }
  // What the engine and the program cost before any provider can send anything.
  const started = PHASES.map((phase) => {
    const at = (runs: ProjectRun[]) => {
      const xs = runs.map((r) => r.phases[phase].providerStartedS).filter((x) => x !== undefined);
      return xs.length > 0 ? fmt(median(xs)) : "-";
    };
    return `${phase} ${[floorRuns, ...faces.map((f) => f.runs)].map(at).join("/")}`;
  });
  console.log(
    `s after the command started when the engine started the provider process, ` +
      `${["floor", ...faces.map((f) => f.name)].join("/")}: ${started.join("; ")}`,
  );
  const all = (runs: ProjectRun[], phase: Phase) => runs.flatMap((r) => r.phases[phase].samples);
  if (faces.some((f) => PHASES.some((p) => all(f.runs, p).length > 1))) {
    console.log("samples (s), the figure above being their median:");
    for (const phase of PHASES) {
      const show = (runs: ProjectRun[]) =>
        all(runs, phase)
          .map((x) => fmt(x))
          .join(", ");
      console.log(
        `  ${phase.padEnd(18)} floor ${show(floorRuns)}; ` +
          faces.map((f) => `${f.name} ${show(f.runs)}`).join("; "),
      );
    }
  }
  for (const face of faces) printTargets(n, floorRuns, face);
  printPacedReference(n, pacedRuns, faces);
}

/** One face's phases against the floors: its seconds, ratios, RSS, requests and exit codes. */
function printPhaseTable(
  n: number,
  floorRuns: ProjectRun[],
  pacedRuns: ProjectRun<PacedPhase>[],
  { name, title, runs }: Face,
): void {
  console.log(
    `\n${title} vs the engine floor, N = ${n}, ${runs.length} run(s) (medians); ` +
      `emulator at ${LIMIT.rate}/s burst ${LIMIT.burst}`,
  );
  const header = [
    "phase".padEnd(18),
    "floor s".padStart(8),
    `${name} s`.padStart(10),
    "ratio".padStart(6),
    "rate floor s".padStart(12),
    "vs rate floor".padStart(13),
    "vs larger".padStart(9),
    "paced s".padStart(8),
    "vs paced".padStart(8),
    `RSS MB f/${name[0]}`.padStart(10),
    "429s".padStart(5),
    "exit".padStart(5),
    "  requests by route / notes",
  ];
  console.log(header.join(" "));
  for (const phase of PHASES) {
    const f = median(floorRuns.map((r) => r.phases[phase].seconds));
    const e = median(runs.map((r) => r.phases[phase].seconds));
    const pacedPhase = pacedFigures(pacedRuns, phase);
    const p = pacedPhase.length > 0 ? median(pacedPhase.map((x) => x.seconds)) : undefined;
    const last = runs[runs.length - 1]!.phases[phase];
    const accepted = median(runs.map((r) => r.phases[phase].accepted));
    const rf = rateFloor(accepted);
    const codes = [
      ...new Set(
        [...floorRuns, ...runs]
          .map((r) => r.phases[phase])
          .concat(pacedPhase)
          .map((x) => x.code),
      ),
    ].join(",");
    const routes = Object.entries(last.routes)
      .map(([route, count]) => `${shortRoute(route)} ${count}`)
      .join(", ");
    console.log(
      [
        phase.padEnd(18),
        fmt(f).padStart(8),
        fmt(e).padStart(10),
        `${fmt(e / f, 2)}x`.padStart(6),
        fmt(rf).padStart(12),
        (rf > 0 ? `${fmt(e / rf, 2)}x` : "-").padStart(13),
        `${fmt(e / Math.max(f, rf), 2)}x`.padStart(9),
        (p === undefined ? "-" : fmt(p)).padStart(8),
        (p === undefined ? "-" : `${fmt(e / p, 2)}x`).padStart(8),
        `${fmt(rss(floorRuns, phase), 0)}/${fmt(rss(runs, phase), 0)}`.padStart(10),
        String(median(runs.map((r) => r.phases[phase].throttled))).padStart(5),
        codes.padStart(5),
        `  ${accepted} requests${routes ? `: ${routes}` : ""}${last.note ? `; ${last.note}` : ""}`,
      ].join(" "),
    );
  }
}

/**
 * Not a target: where the engine itself puts a provider that spends nothing but the account's rate.
 * The rate-limit floor counts the requests only; the paced floor adds what the engine, the program and
 * the provider host cost around them, which no provider can remove.
 */
function printPacedReference(n: number, pacedRuns: ProjectRun<PacedPhase>[], faces: Face[]): void {
  console.log(
    `for reference, not a target: the engine floor paced at ${LIMIT.rate}/s burst ${LIMIT.burst} (each ` +
      "create, update and delete takes a token; no requests), what the engine allows a provider limited " +
      "only by the account's rate:",
  );
  for (const phase of PACED_PHASES) {
    const p = median(pacedRuns.map((r) => r.phases[phase].seconds));
    const rf = rateFloor(n);
    const ofFace = ({ name, runs }: Face) => {
      const e = median(runs.map((r) => r.phases[phase].seconds));
      return `${name} ${fmt(e)} s, ${fmt(e / p, 2)}x of the paced floor`;
    };
    console.log(
      `  ${phase.padEnd(10)} paced floor ${fmt(p)} s, ${rf > 0 ? `${fmt(p / rf, 2)}x` : "-"} of the rate floor ` +
        `of its N takes (${fmt(rf)} s); ${faces.map(ofFace).join("; ")}`,
    );
  }
}

const LIST_ROUTE = "GET /v1/affiliates/pixels";

/**
 * The targets of the scale issue for one face, each with its measured figure and whether it is met.
 * Both faces answer to the same targets against the same floors.
 */
function printTargets(n: number, floorRuns: ProjectRun[], { name, runs: faceRuns }: Face): void {
  const sec = (runs: ProjectRun[], phase: Phase) => median(runs.map((r) => r.phases[phase].seconds));
  const most = (phase: Phase, pick: (f: PhaseFigure) => number) =>
    Math.max(...faceRuns.map((r) => pick(r.phases[phase])));
  const rows: [string, boolean, string][] = [];
  const create = sec(faceRuns, "create");
  const createLarger = Math.max(sec(floorRuns, "create"), rateFloor(most("create", (f) => f.accepted)));
  rows.push([
    "create within 1.05x of the larger floor",
    create <= 1.05 * createLarger,
    `${fmt(create / createLarger, 2)}x`,
  ]);
  const noop = sec(faceRuns, "no-op up") / sec(floorRuns, "no-op up");
  const noopRequests = most("no-op up", (f) => f.accepted + f.throttled);
  rows.push([
    "no-op up within 1.10x of the floor, 0 requests",
    noop <= 1.1 && noopRequests === 0,
    `${fmt(noop, 2)}x, ${noopRequests} requests`,
  ]);
  for (const phase of ["refresh", "preview --refresh"] as const) {
    const ratio = sec(faceRuns, phase) / sec(floorRuns, phase);
    const lists = most(phase, (f) => f.routes[LIST_ROUTE] ?? 0);
    const others = most(phase, (f) => f.accepted + f.throttled - (f.routes[LIST_ROUTE] ?? 0));
    rows.push([
      `${phase} within 1.10x of the floor, 1 list request`,
      ratio <= 1.1 && lists === 1 && others === 0,
      `${fmt(ratio, 2)}x, ${lists} list + ${others} other requests`,
    ]);
  }
  for (const phase of ["update all", "destroy"] as const) {
    const requests = most(phase, (f) => f.accepted);
    // The rate floor of N + 1 requests; at small N the engine floor is the larger (as for create).
    const ratio = sec(faceRuns, phase) / Math.max(rateFloor(n + 1), sec(floorRuns, phase));
    rows.push([
      `${phase}: N + 1 requests, within 1.05x of the larger of their rate floor and the engine floor`,
      requests === n + 1 && ratio <= 1.05,
      `${requests} requests, ${fmt(ratio, 2)}x`,
    ]);
  }
  const state =
    median(faceRuns.map((r) => r.stateBytesPerPostback)) /
    median(floorRuns.map((r) => r.stateBytesPerPostback));
  rows.push(["state per postback within 1.05x of the floor's", state <= 1.05, `${fmt(state, 2)}x`]);
  const rssOver = peakRss(faceRuns) - peakRss(floorRuns);
  rows.push([
    `provider peak RSS within 20 MB of the floor's (the target is set at N = 1000; this is N = ${n})`,
    rssOver <= 20,
    `${rssOver < 0 ? "" : "+"}${fmt(rssOver, 0)} MB`,
  ]);
  console.log(`targets, ${name}:`);
  for (const [what, met, figure] of rows) console.log(`  ${met ? "met   " : "MISSED"} ${what}: ${figure}`);
}

// ---------------------------------------------------------------------------------------------------
// K stacks on one account

/** A face run as K stacks: its project, its title, and the type token of its postbacks in state. */
interface StacksFace {
  dir: string;
  title: string;
  type: string;
}

async function runStacks(cli: Cli, { dir, title, type }: StacksFace, n: number, k: number): Promise<void> {
  const emu = await freshEmulator();
  const stacks = Array.from({ length: k }, (_, i) => `s${i + 1}`);
  for (const stack of stacks) await initStack(cli, dir, stack, emu);
  const env = (stack: string) => ({ BENCH_N: String(n), BENCH_PREFIX: stack, BENCH_VARIANT: "a" });
  console.log(
    `\n${k} stacks of ${n} postbacks on one emulator account (${LIMIT.rate}/s burst ${LIMIT.burst}), ` +
      `${title}, all at once`,
  );
  for (const [label, args] of [
    ["up", ["up", "--yes", "--skip-preview"]],
    ["destroy", ["destroy", "--yes", "--skip-preview"]],
  ] as const) {
    await sleep((LIMIT.burst / LIMIT.rate) * 1000);
    emu.log.reset();
    const started = performance.now();
    const startedMs = Date.now();
    const results = await Promise.all(
      stacks.map((stack) => run(cli, [...args, "--stack", stack], dir, env(stack))),
    );
    const total = (performance.now() - started) / 1000;
    const { accepted, throttled, routes } = countRequests(emu, startedMs, Date.now());
    const times = results.map((r) => r.seconds);
    const failed = results.filter((r) => r.code !== 0).length;
    const stored = emu.store.all();
    const urls = stored.map((p) => p.postback_url);
    const duplicates = urls.length - new Set(urls).size;
    const active = stored.filter((p) => p.pixel_status === "active").length;
    let tracked = 0;
    for (const stack of stacks) {
      const exported = await run(cli, ["stack", "export", "--stack", stack], dir);
      const resources = (JSON.parse(exported.stdout) as { deployment?: { resources?: { type: string }[] } })
        .deployment?.resources;
      tracked += (resources ?? []).filter((r) => r.type === type).length;
    }
    const rf = rateFloor(accepted);
    console.log(`${label}:`);
    results.forEach((r, i) =>
      console.log(
        `  ${stacks[i]}: ${fmt(r.seconds)} s, exit ${r.code}` +
          (r.code !== 0 ? `: ${(r.stderr || r.stdout).trim().split("\n").slice(-2).join(" | ")}` : ""),
      ),
    );
    console.log(
      `  failed stacks ${failed}; duplicates ${duplicates}; postbacks stored ${stored.length}, active ${active}, ` +
        `tracked in state ${tracked}; ` +
        `fairness (slowest / fastest) ${fmt(Math.max(...times) / Math.min(...times), 2)}x`,
    );
    console.log(
      `  total ${fmt(total)} s for ${accepted} accepted requests (${Object.entries(routes)
        .map(([route, c]) => `${shortRoute(route)} ${c}`)
        .join(
          ", ",
        )}) and ${throttled} x 429; rate-limit floor ${fmt(rf)} s; total / floor ${fmt(total / rf, 2)}x`,
    );
    const fairness = Math.max(...times) / Math.min(...times);
    const checks: [string, boolean][] = [
      [`0 failed stacks (${failed}) and 0 duplicates (${duplicates})`, failed === 0 && duplicates === 0],
      [`fairness within 1.5x (${fmt(fairness, 2)}x)`, fairness <= 1.5],
      [`total within 1.15x of the account's rate floor (${fmt(total / rf, 2)}x)`, total <= 1.15 * rf],
    ];
    for (const [what, met] of checks) console.log(`  ${met ? "met   " : "MISSED"} ${what}`);
  }
  await emu.stop();
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: "string", default: "200" },
      runs: { type: "string", default: "1" },
      stacks: { type: "string" },
      keep: { type: "boolean", default: false },
    },
  });
  const n = Number(values.n);
  const runs = Number(values.runs);
  const k = values.stacks === undefined ? undefined : Number(values.stacks);
  for (const [name, v] of [
    ["--n", n],
    ["--runs", runs],
    ["--stacks", k ?? 1],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  }
  const began = performance.now();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-scale-"));
  try {
    const cli = findCli(root);
    const pulumiVersion = (
      JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as {
        version: string;
      }
    ).version;
    const tarball = path.join(
      root,
      npm(["pack", "--pack-destination", root, repoRoot], root).trim().split("\n").pop()!,
    );
    const pluginVersion = installPlugin(cli);
    console.log(
      `pulumi: ${cli.pulumi}; package: ${path.basename(tarball)}; plugin: ${path.basename(tarballPath(pluginVersion))}; ` +
        `@pulumi/pulumi ${pulumiVersion}`,
    );
    console.log(
      `machine: ${os.cpus().length} CPUs, load average ${os
        .loadavg()
        .map((l) => fmt(l, 2))
        .join(" ")}`,
    );
    const everflowDir = makeProject(root, "bench-everflow", EVERFLOW_PROGRAM, [
      tarball,
      `@pulumi/pulumi@${pulumiVersion}`,
    ]);
    const nativeDir = makeProject(root, "bench-native", nativeProgram(pluginVersion), [
      `@pulumi/pulumi@${pulumiVersion}`,
    ]);
    if (k !== undefined) {
      await runStacks(cli, { dir: everflowDir, title: EVERFLOW_TITLE, type: DYNAMIC_TYPE }, n, k);
      await runStacks(cli, { dir: nativeDir, title: NATIVE_TITLE, type: NATIVE_TYPE }, n, k);
    } else {
      const wasmProbe = WASM_PROBE_RUNS ? path.join(root, "wasm-probe.js") : undefined;
      if (wasmProbe) fs.writeFileSync(wasmProbe, WASM_PROBE);
      const floorDir = makeProject(root, "bench-floor", FLOOR_PROGRAM, [`@pulumi/pulumi@${pulumiVersion}`]);
      const pacedDir = makeProject(root, "bench-paced", floorProgram(true), [
        `@pulumi/pulumi@${pulumiVersion}`,
      ]);
      const dynamic = (dir: string): Project => ({ dir, providerProcess: DYNAMIC_PROVIDER_PROCESS });
      const floorRuns: ProjectRun[] = [];
      const pacedRuns: ProjectRun<PacedPhase>[] = [];
      const everflowRuns: ProjectRun[] = [];
      const nativeRuns: ProjectRun[] = [];
      // Each face against its own fresh emulator, so that neither sees the other's postbacks or tokens.
      const withEmulator = async (measure: (emu: EmulatorHandle) => Promise<ProjectRun>) => {
        const emu = await freshEmulator();
        try {
          return await measure(emu);
        } finally {
          await emu.stop();
        }
      };
      for (let i = 1; i <= runs; i++) {
        floorRuns.push(await runProject(cli, dynamic(floorDir), n, `floor${i}`, undefined, PHASES));
        pacedRuns.push(await runProject(cli, dynamic(pacedDir), n, `paced${i}`, undefined, PACED_PHASES));
        everflowRuns.push(
          await withEmulator((emu) =>
            runProject(cli, dynamic(everflowDir), n, `everflow${i}`, emu, PHASES, wasmProbe),
          ),
        );
        // Last, so that the floors and the dynamic face run as they did before the native face came.
        const native = { dir: nativeDir, providerProcess: NATIVE_PROVIDER_PROCESS };
        nativeRuns.push(
          await withEmulator((emu) => runProject(cli, native, n, `native${i}`, emu, PHASES, wasmProbe)),
        );
        process.stderr.write(`run ${i}/${runs} done\n`);
      }
      report(n, floorRuns, pacedRuns, [
        { name: "everflow", title: EVERFLOW_TITLE, runs: everflowRuns },
        { name: "native", title: NATIVE_TITLE, runs: nativeRuns },
      ]);
      // The targets are for reading, but a command that failed leaves no figure to read: CI's smoke
      // run of the benchmark must fail then.
      const failed = [
        ...floorRuns.map((r) => ["floor", r] as const),
        ...pacedRuns.map((r) => ["paced floor", r] as const),
        ...everflowRuns.map((r) => ["everflow", r] as const),
        ...nativeRuns.map((r) => ["native", r] as const),
      ].flatMap(([project, r]) =>
        Object.entries<PhaseFigure>(r.phases)
          .filter(([, figure]) => figure.code !== 0)
          .map(([phase]) => `${project} ${phase}`),
      );
      for (const [face, faceRuns] of [
        ["everflow", everflowRuns],
        ["native", nativeRuns],
      ] as const) {
        for (const r of faceRuns) {
          if (r.refreshWasmProbe && r.refreshWasmProbe.code !== 0)
            failed.push(`${face} refresh (WebAssembly probe)`);
        }
      }
      if (failed.length > 0) {
        console.log(`FAILED commands (exit code not 0): ${failed.join(", ")}`);
        process.exitCode = 1;
      }
    }
    console.log(
      `benchmark took ${fmt((performance.now() - began) / 1000, 0)} s; load average now ${os
        .loadavg()
        .map((l) => fmt(l, 2))
        .join(" ")}`,
    );
  } finally {
    if (values.keep) console.log(`kept ${root}`);
    else fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
