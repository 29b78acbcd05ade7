import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "../../../emulator";
import { offlineEngineEnv, pulumiEngine, repoRoot } from "../../support/engine";
import { API_KEY } from "../../support/everflow";
import type { TestStack } from "../../support/stack";

/**
 * A Pulumi project in a language other than TypeScript (YAML by default, or Python) whose postbacks are
 * the native plugin's (`everflow:index:Postback`), on a local file backend, against an emulator started
 * in this process. The plugin is installed from the tarball `npm run build` writes into the stack's own
 * PULUMI_HOME, as a user installs it; the language hosts sit beside the engine (scripts/ensure-pulumi).
 * The layout is test/support/stack.ts's (`.state`, `.pulumi-home` under the work directory, project
 * "everflow-test", stack "test"), so the helpers of this directory work on it too.
 */

export const PLUGIN_TARBALL = path.join(
  repoRoot,
  "dist",
  "plugin",
  "pulumi-resource-everflow-v0.1.0-linux-amd64.tar.gz",
);
export const PROJECT = "everflow-test";

export interface NativeTestStack extends TestStack {
  emulator: EmulatorHandle;
  /** Rewrites Pulumi.yaml with these sections (`config:`, `resources:`) after `name` and `runtime`. */
  writeProgram(program: string): void;
  stop(): Promise<void>;
}

export async function createNativeStack(
  name: string,
  /** The program's sections after `name` and `runtime`, given the emulator's base URL. */
  program: (baseUrl: string) => string,
  options: {
    emulator?: EmulatorOptions;
    /** Default yaml; python needs `env` with a virtualenv (test/support/python-venv.ts). */
    runtime?: "yaml" | "python";
    /** More engine environment (PATH, VIRTUAL_ENV). */
    env?: Record<string, string>;
  } = {},
): Promise<NativeTestStack> {
  const emulator = await startEmulator({
    accounts: [{ apiKey: API_KEY, networkId: 1, affiliateId: 7 }],
    rateLimit: { rate: 200, burst: 200 },
    ...options.emulator,
  });
  const workDir = path.join(repoRoot, "test", ".work", `${name}-${randomBytes(4).toString("hex")}`);
  const stateDir = path.join(workDir, ".state");
  const homeDir = path.join(workDir, ".pulumi-home");
  fs.mkdirSync(stateDir, { recursive: true });
  fs.mkdirSync(homeDir);
  const env = { ...offlineEngineEnv(stateDir, homeDir), ...options.env };
  const { cliPath } = pulumiEngine();
  execFileSync(cliPath, ["plugin", "install", "resource", "everflow", "0.1.0", "--file", PLUGIN_TARBALL], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const writeProgram = (text: string) =>
    fs.writeFileSync(
      path.join(workDir, "Pulumi.yaml"),
      `name: ${PROJECT}\nruntime: ${options.runtime ?? "yaml"}\n${text}`,
    );
  writeProgram(program(emulator.url));

  const stack: Stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "test", workDir },
    { pulumiCommand: await pulumiEngine().command, envVars: env },
  );
  await stack.setAllConfig({
    "everflow:apiKey": { value: API_KEY, secret: true },
    "everflow:baseUrl": { value: emulator.url },
    "everflow:requestsPerSecond": { value: "200" },
    "everflow:burst": { value: "200" },
  });
  return {
    stack,
    workDir,
    stateDir,
    homeDir,
    env,
    emulator,
    writeProgram,
    rawState: () => fs.readFileSync(path.join(stateDir, ".pulumi", "stacks", PROJECT, "test.json"), "utf8"),
    cleanup: () => fs.rmSync(workDir, { recursive: true, force: true }),
    stop: async () => {
      await emulator.stop();
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}
