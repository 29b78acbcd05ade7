import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";

export const repoRoot = path.resolve(__dirname, "..", "..");

let cached: { cliPath: string; command: Promise<PulumiCommand> } | undefined;

/** The real Pulumi CLI, resolved (or built) by scripts/ensure-pulumi, once per test process. */
export function pulumiEngine(): { cliPath: string; command: Promise<PulumiCommand> } {
  if (!cached) {
    const cliPath = execFileSync(path.join(repoRoot, "scripts", "ensure-pulumi"), {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
    if (!fs.existsSync(cliPath)) throw new Error(`scripts/ensure-pulumi printed a missing path: ${cliPath}`);
    cached = { cliPath, command: PulumiCommand.get({ root: path.dirname(path.dirname(cliPath)) }) };
  }
  return cached;
}

/** Environment that keeps the engine offline and on a local file backend. */
export function offlineEngineEnv(stateDir: string, homeDir: string): Record<string, string> {
  const { cliPath } = pulumiEngine();
  return {
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: "pulumi-everflow-tests",
    PULUMI_HOME: homeDir,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    // The dynamic provider shim sits beside the CLI; the engine looks for plugins on PATH too.
    PATH: `${path.dirname(cliPath)}${path.delimiter}${process.env.PATH ?? ""}`,
  };
}
