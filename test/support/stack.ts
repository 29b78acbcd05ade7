import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { LocalWorkspace, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { offlineEngineEnv, pulumiEngine, repoRoot } from "./engine";
import "./grpc-connections";

export interface TestStack {
  stack: Stack;
  workDir: string;
  /** The file backend's directory and the engine's PULUMI_HOME. */
  stateDir: string;
  homeDir: string;
  /** The environment the engine runs with for this stack. */
  env: Record<string, string>;
  /** The stack's state file as the file backend wrote it: secrets are ciphertext here. */
  rawState(): string;
  /** Removes the work directory (state, plugin home) of the stack. */
  cleanup(): void;
}

/**
 * An inline-program stack on a local file backend in its own directory under test/.work. The directory
 * holds `node_modules/pulumi-everflow` linked to this repository, as a user's project would after
 * `npm install pulumi-everflow`: the dynamic provider process starts there and loads the provider
 * implementation from the package, and the plugin shim resolves @pulumi/pulumi from there.
 */
export async function createTestStack(
  name: string,
  program: PulumiFn,
  envVars: Record<string, string> = {},
): Promise<TestStack> {
  const workDir = path.join(repoRoot, "test", ".work", `${name}-${randomBytes(4).toString("hex")}`);
  const stateDir = path.join(workDir, ".state");
  const homeDir = path.join(workDir, ".pulumi-home");
  fs.mkdirSync(path.join(workDir, "node_modules"), { recursive: true });
  fs.mkdirSync(stateDir);
  fs.mkdirSync(homeDir);
  fs.symlinkSync(repoRoot, path.join(workDir, "node_modules", "pulumi-everflow"), "dir");

  const projectName = "everflow-test";
  const env = { ...offlineEngineEnv(stateDir, homeDir), ...envVars };
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "test", projectName, program },
    {
      workDir,
      pulumiCommand: await pulumiEngine().command,
      envVars: env,
      projectSettings: { name: projectName, runtime: "nodejs", backend: { url: `file://${stateDir}` } },
    },
  );
  return {
    stack,
    workDir,
    stateDir,
    homeDir,
    env,
    rawState: () =>
      fs.readFileSync(path.join(stateDir, ".pulumi", "stacks", projectName, "test.json"), "utf8"),
    cleanup: () => fs.rmSync(workDir, { recursive: true, force: true }),
  };
}
