import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { plainCliEnv, versionIn, type Run } from "../../scripts/packed-project";
import { repoRoot } from "../support/engine";
import { quickStartBlocks, type QuickStartBlock } from "../support/markdown";
import { show, STEP_TIMEOUT_MS } from "./packed-example";

/**
 * The README's Quick Start, run exactly as written: every ```sh block under "## Quick start", in order,
 * as a user pastes them into one shell, in a fresh directory with a fresh PULUMI_HOME and the plain
 * `pulumi` CLI. Only what the skipped first block sets up comes from the test instead: EVERFLOW_TGZ (the
 * suite's tarball) and `pulumi` first on PATH. The markers are described in CONTRIBUTING.md ("The Quick
 * Start test") and read by quickStartBlocks.
 *
 * The blocks run in one `bash`, as in one terminal: a block's background job (the emulator) keeps its
 * parent shell, and so keeps running (the emulator stops when its parent goes), and each block sees the
 * variables and the directory the blocks before it left. The test checks the emulator between blocks.
 */

const API_KEY = "test-api-key"; // the key the Quick Start gives the emulator and the stack
const blocks = quickStartBlocks(fs.readFileSync(path.join(repoRoot, "README.md"), "utf8"));

/**
 * What the test checks after the blocks that run a given command, each of which the Quick Start must
 * have exactly once (so that a step dropped from the README fails here).
 */
interface Step {
  /** Matched against a block's code, trimmed. */
  command: RegExp;
  check: (result: Run, pixels: () => Promise<Pixel[]>) => Promise<void>;
}

interface Pixel {
  network_pixel_id: number;
  pixel_status: string;
  delay_ms: number;
  network_offer_id: number;
}

let work: string;
let shellState: string;
let env: Record<string, string>;
let terminal: Terminal | undefined;

/**
 * The user's terminal: one bash that runs block after block, each sourced from a file with its output
 * in files of its own. A block does not stop at a failed command (a terminal does not); its exit status
 * is that of its first failed command, else 0. After each block the shell saves its variables
 * (`set -a` exports every variable a block sets) for the checks.
 */
class Terminal {
  private readonly shell: ChildProcessWithoutNullStreams;
  private output = "";
  private blocks = 0;
  private done?: (status: number) => void;

  constructor(cwd: string, shellEnv: Record<string, string>) {
    this.shell = spawn("bash", ["--noprofile", "--norc"], { cwd, env: shellEnv });
    this.shell.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      this.output += chunk;
      const m = /^__block_done__ (\d+)$/m.exec(this.output);
      if (m && this.done) {
        this.output = "";
        this.done(Number(m[1]));
      }
    });
    this.shell.stderr.resume();
    // A shell that ends mid-block (a block ran `exit`) would leave the block waiting: end it with the code.
    this.shell.on("exit", (code) => this.done?.(code ?? 1));
    this.shell.stdin.write("set -a\nset -o pipefail\n");
  }

  run(code: string): Promise<Run> {
    this.blocks += 1;
    const file = (name: string) => path.join(shellState, `${this.blocks}.${name}`);
    fs.writeFileSync(file("sh"), code);
    const status = new Promise<number>((resolve) => (this.done = resolve));
    this.shell.stdin.write(
      [
        "__status=0",
        `trap '__rc=$?; [ "$__status" -ne 0 ] || __status=$__rc' ERR`,
        `. ${JSON.stringify(file("sh"))} > ${JSON.stringify(file("out"))} 2> ${JSON.stringify(file("err"))} < /dev/null`,
        "trap - ERR",
        `export -p > ${JSON.stringify(path.join(shellState, "env"))}`,
        'echo "__block_done__ $__status"',
        "",
      ].join("\n"),
    );
    return status.then((code) => ({
      code,
      stdout: fs.readFileSync(file("out"), "utf8"),
      stderr: fs.readFileSync(file("err"), "utf8"),
    }));
  }

  close(): void {
    this.shell.stdin.end();
  }
}

/** The variables the blocks have set so far (from the last block's `export -p`). */
function shellVariables(): Record<string, string> {
  const file = path.join(shellState, "env");
  if (!fs.existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const m of fs.readFileSync(file, "utf8").matchAll(/^declare -x (\w+)="((?:[^"\\]|\\.)*)"$/gm)) {
    out[m[1]!] = m[2]!.replace(/\\(.)/g, "$1");
  }
  return out;
}

/** The emulator the Quick Start started, read through the API with the Quick Start's key. */
async function livePixels(): Promise<Pixel[]> {
  const url = shellVariables().EVERFLOW_URL;
  if (!url) throw new Error("the Quick Start has not set EVERFLOW_URL");
  const response = await fetch(`${url}/affiliates/pixels`, { headers: { "X-Eflow-API-Key": API_KEY } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { pixels: Pixel[] }).pixels;
}

const STEPS: Step[] = [
  {
    command: /npm install .*"\$EVERFLOW_TGZ"/,
    check: async () => {
      const installed = path.join(work, "everflow-quickstart", "node_modules", "pulumi-everflow");
      expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
      expect(versionIn(path.join(installed, "package.json"))).toBe(
        versionIn(path.join(repoRoot, "package.json")),
      );
    },
  },
  {
    command: /everflow-emulator --port/,
    check: async (_, pixels) => {
      expect(shellVariables().EVERFLOW_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect(await pixels()).toEqual([]);
    },
  },
  {
    command: /^pulumi up --yes$/m,
    check: async (_, pixels) => {
      const live = await pixels();
      expect(live).toHaveLength(2);
      for (const p of live) expect(p.pixel_status).toBe("active");
      expect(live.find((p) => p.network_offer_id === 42)?.delay_ms).toBe(60000);
    },
  },
  {
    command: /_emulator\/pixels\//,
    check: async (_, pixels) => {
      expect((await pixels()).find((p) => p.network_offer_id === 42)?.delay_ms).toBe(5000);
    },
  },
  {
    command: /^pulumi preview --refresh --expect-no-changes$/,
    check: async (result, pixels) => {
      expect(result.stdout + result.stderr).toContain("no changes were expected");
      // A preview writes nothing: Everflow keeps the hand edit.
      expect((await pixels()).find((p) => p.network_offer_id === 42)?.delay_ms).toBe(5000);
    },
  },
  {
    command: /^npx pulumi-everflow drift$/,
    check: async (result) => {
      expect(result.stdout).toMatch(/delayMs: declared 60000, live 5000/);
    },
  },
  {
    command: /^pulumi up --refresh --yes$/m,
    check: async (_, pixels) => {
      const live = await pixels();
      expect(live.find((p) => p.network_offer_id === 42)?.delay_ms).toBe(60000);
      expect(live).toHaveLength(2);
    },
  },
  {
    command: /^pulumi destroy --yes$/m,
    check: async (_, pixels) => {
      const live = await pixels();
      expect(live).toHaveLength(2);
      for (const p of live) expect(p.pixel_status).toBe("inactive");
    },
  },
  {
    command: /^kill "\$EMULATOR_PID"$/m,
    check: async () => {
      expect(await stopped(shellVariables().EVERFLOW_URL!)).toBe(true);
    },
  },
];

/** Whether nothing answers at `url` any more, within 10 s (the emulator stops on SIGTERM). */
async function stopped(url: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    try {
      await fetch(url);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

const matches = (step: Step, block: QuickStartBlock) => step.command.test(block.code.trim());

/** Runs one block as the next paste into the same terminal. */
function runBlock(block: QuickStartBlock): Promise<Run> {
  terminal ??= new Terminal(work, env);
  return terminal.run(block.code);
}

/** Node.js 22 or later: the Quick Start installs @pulumi/pulumi 3.276.0, which needs it. */
function node22(): string {
  if (Number(process.versions.node.split(".")[0]) >= 22) return process.execPath;
  return execFileSync(path.join(repoRoot, "scripts", "ensure-node"), ["22"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

describe("the README's Quick Start, run as written", () => {
  beforeAll(() => {
    const tarball = process.env.PULUMI_EVERFLOW_TARBALL;
    const cliPath = process.env.PULUMI_EVERFLOW_TEST_CLI;
    if (!tarball || !cliPath) throw new Error("run with jest.packed.config.js (npm run test:packed)");
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-everflow-quick-start-"));
    work = path.join(root, "work");
    shellState = path.join(root, "shell");
    fs.mkdirSync(work);
    fs.mkdirSync(shellState);
    // The user's environment, less anything that would point the CLI or the provider elsewhere; the
    // Quick Start sets the passphrase and the backend itself.
    const base = plainCliEnv(process.env, cliPath, path.join(root, "pulumi-home"), "");
    delete base.PULUMI_CONFIG_PASSPHRASE;
    for (const key of Object.keys(base)) if (key.startsWith("EVERFLOW_")) delete base[key];
    env = {
      ...base,
      PATH: [path.dirname(node22()), base.PATH].join(path.delimiter),
      // What the skipped first block sets up.
      EVERFLOW_TGZ: tarball,
    };
  }, STEP_TIMEOUT_MS);

  afterAll(() => {
    terminal?.close();
    const pid = Number(shellVariables().EMULATOR_PID);
    if (pid > 0) {
      try {
        process.kill(pid);
      } catch {
        // already stopped, as the Quick Start's last block does
      }
    }
    if (work && !process.env.PULUMI_EVERFLOW_KEEP_WORK) {
      fs.rmSync(path.dirname(work), { recursive: true, force: true });
    }
  });

  it("has each step once, and only the first block skipped", () => {
    expect(blocks.map((b) => b.skip)).toEqual(blocks.map((_, i) => i === 0));
    const first = blocks[0]!.code;
    expect(first).toMatch(/^export EVERFLOW_TGZ=/m);
    expect(first).toMatch(/scripts\/ensure-pulumi/);
    for (const step of STEPS) {
      expect({ step: String(step.command), blocks: blocks.filter((b) => matches(step, b)).length }).toEqual({
        step: String(step.command),
        blocks: 1,
      });
    }
    expect(blocks.filter((b) => b.exit !== 0).map((b) => [b.code.trim(), b.exit])).toEqual([
      ["pulumi preview --refresh --expect-no-changes", 7],
      ["npx pulumi-everflow drift", 2],
    ]);
  });

  let failed: number | undefined;
  it.each(blocks.flatMap((b, i) => (b.skip ? [] : [[i + 1, b.line, b] as const])))(
    "block %i (README.md line %i)",
    async (n, __, block) => {
      if (failed !== undefined) throw new Error(`not run: block ${failed} failed`);
      failed = n;
      const result = await runBlock(block);
      if (result.code !== block.exit) {
        throw new Error(`expected exit ${block.exit} from:\n${block.code}\ngot ${show(result)}`);
      }
      for (const step of STEPS.filter((s) => matches(s, block))) await step.check(result, livePixels);
      failed = undefined;
    },
    STEP_TIMEOUT_MS,
  );
});
