// A Pulumi project of another language than TypeScript, run as its users run it: copied into a fresh
// directory, with the native plugin installed from its tarball into a fresh PULUMI_HOME (once per
// project), Python programs in the shared venv of pulumi and the SDK from sdk/python, and the plain
// `pulumi` CLI against an emulator, on a file backend of its own.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type EmulatorAccount, type EmulatorHandle } from "../../../emulator";
import {
  plainCliEnv,
  run as runCommand,
  stackSetupCommands,
  type ConfigSetting,
  type Run,
} from "../../../scripts/packed-project";
import { installPlugin } from "../../support/native-plugin";
import { sharedPythonVenv, venvEnv } from "../../support/python-venv";
import { expectExit, POST, PUT, STEP_TIMEOUT_MS } from "../packed-example";

export { expectExit, POST, PUT, STEP_TIMEOUT_MS };
export const GET_ONE = "GET /v1/affiliates/pixels/:id";
export const STACK = "dev";

/** The default account's key: long and unique, so that a grep for it finds only leaks. */
export const DEFAULT_KEY = "ef-native-default-key-4f1c2b9e";
export const DEFAULT_ACCOUNT: EmulatorAccount = { apiKey: DEFAULT_KEY, networkId: 1, affiliateId: 7 };
/** A second affiliate's key, for explicit providers. */
export const PARTNER_KEY = "ef-native-partner-key-8a3d6e01";
export const PARTNER_ACCOUNT: EmulatorAccount = { apiKey: PARTNER_KEY, networkId: 1, affiliateId: 8 };

export interface NativeStackOptions {
  /** For the temporary directories' names. */
  name: string;
  /** The project directory to copy (an example), or its files by relative path. */
  project: string | Record<string, string>;
  /** Python programs run in the shared venv. */
  python?: boolean;
  accounts?: EmulatorAccount[];
  /** Install the plugin into the fresh PULUMI_HOME (default true). */
  installPlugin?: boolean;
  /** Stack config besides everflow:apiKey, everflow:baseUrl and the fast client limits. */
  config?: (emulatorUrl: string) => ConfigSetting[];
}

export interface NativeStack {
  /** The project's directory. */
  dir: string;
  /** The file backend's directory. */
  stateDir: string;
  home: string;
  env: Record<string, string>;
  emulator: EmulatorHandle;
  /** A `pulumi` command in the project, non-interactive; its output is kept for {@link allOutput}. */
  pulumi(...args: string[]): Promise<Run>;
  /** Any command in the project, its output kept too. */
  run(command: string, args: string[]): Promise<Run>;
  /** stdout and stderr of every command run so far. */
  allOutput(): string;
  /** The POSTs and PUTs the emulator served since its log was last reset. */
  writes(): { POST: number; PUT: number };
  /** Every request the emulator served since its log was last reset. */
  requests(): number;
  /** Every file of the backend directory, as text: where a leaked secret would be. */
  backendText(): string;
  /** The stack's checkpoint as `pulumi stack export` prints it (secrets as ciphertext). */
  exportedResources(): Promise<ExportedResource[]>;
  stop(): Promise<void>;
}

export interface ExportedResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  protect?: boolean;
}

/** The marker of a secret value in state, with its ciphertext. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const isCiphertext = (value: unknown): boolean =>
  typeof value === "object" &&
  value !== null &&
  SECRET_SIG in value &&
  typeof (value as { ciphertext?: unknown }).ciphertext === "string";

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/**
 * A fresh project from `options.project`: emulator started, plugin installed, stack created and
 * configured (everflow:apiKey as a secret, everflow:baseUrl pointed at the emulator).
 */
export async function nativeStack(options: NativeStackOptions): Promise<NativeStack> {
  const cliPath = process.env.PULUMI_EVERFLOW_TEST_CLI;
  if (!cliPath) throw new Error("run with jest.packed.config.js (npm run test:packed)");
  const emulator = await startEmulator({
    accounts: options.accounts ?? [DEFAULT_ACCOUNT],
    rateLimit: { rate: 200, burst: 200 },
  });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `pulumi-everflow-native-${options.name}-`));
  const dir = path.join(
    root,
    typeof options.project === "string" ? path.basename(options.project) : "project",
  );
  const stateDir = path.join(root, "state");
  const home = path.join(root, "pulumi-home");
  fs.mkdirSync(stateDir);
  if (typeof options.project === "string") {
    fs.cpSync(options.project, dir, {
      recursive: true,
      filter: (src) => !/(^|[/\\])(Pulumi\.[^/\\]+\.yaml|venv|__pycache__|node_modules)$/.test(src),
    });
  } else {
    for (const [file, text] of Object.entries(options.project)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
  }
  let env: Record<string, string> = {
    ...plainCliEnv(process.env, cliPath, home, "pulumi-everflow-native"),
    NO_COLOR: "1",
  };
  // The keys come from the stack's config only, as the examples say.
  for (const key of Object.keys(env)) if (key.startsWith("EVERFLOW_")) delete env[key];
  if (options.python) env = venvEnv(env, await sharedPythonVenv());

  const outputs: string[] = [];
  const run = async (command: string, args: string[]) => {
    const r = await runCommand(command, args, { cwd: dir, env, timeoutMs: STEP_TIMEOUT_MS });
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const pulumi = (...args: string[]) => run("pulumi", [...args, "--non-interactive"]);

  const stack: NativeStack = {
    dir,
    stateDir,
    home,
    env,
    emulator,
    pulumi,
    run,
    allOutput: () => outputs.join("\n"),
    writes: () => ({ POST: emulator.log.count(POST), PUT: emulator.log.count(PUT) }),
    requests: () => emulator.log.count("*"),
    backendText: () =>
      filesUnder(stateDir)
        .map((f) => fs.readFileSync(f, "utf8"))
        .join("\n"),
    exportedResources: async () => {
      const exported = await pulumi("stack", "export");
      expectExit(exported, 0);
      return (
        (JSON.parse(exported.stdout) as { deployment: { resources?: ExportedResource[] } }).deployment
          .resources ?? []
      );
    },
    stop: async () => {
      await emulator.stop();
      if (!process.env.PULUMI_EVERFLOW_KEEP_WORK) fs.rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    if (options.installPlugin !== false) expectExit(await installPlugin(env), 0);
    const config: ConfigSetting[] = [
      { key: "everflow:apiKey", value: DEFAULT_KEY, secret: true },
      { key: "everflow:baseUrl", value: emulator.url },
      // Faster than Everflow's 5/s so that the suite stays quick; the limiter has tests of its own.
      { key: "everflow:requestsPerSecond", value: "200" },
      { key: "everflow:burst", value: "200" },
      ...(options.config?.(emulator.url) ?? []),
    ];
    for (const args of stackSetupCommands(stateDir, STACK, config)) expectExit(await pulumi(...args), 0);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

/** The steps of a `pulumi preview --json`, with the properties each would change. */
export interface PreviewStep {
  op: string;
  urn: string;
  diffs?: string[];
  detailedDiff?: Record<string, unknown>;
}

export function previewSteps(preview: Run): PreviewStep[] {
  return (JSON.parse(preview.stdout) as { steps: PreviewStep[] }).steps;
}

/** A resource's name: the last part of its URN. */
export const nameOf = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);
