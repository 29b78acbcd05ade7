import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../../cli/main";
import { offlineEngineEnv, repoRoot } from "../../support/engine";
import type { TestStack } from "../../support/stack";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `pulumi-everflow` in-process, as the binary would, capturing its output. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, cwd = repoRoot): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env,
    cwd,
  });
  return { code, stdout, stderr };
}

/** Runs the compiled binary (`npm run build` first) in a child process. */
export function spawnCli(argv: string[], env: NodeJS.ProcessEnv, cwd = repoRoot): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "dist", "cli", "main.js"), ...argv], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * The environment a user of the stack would have: the process environment plus the stack's local
 * backend, passphrase and plugin home (where test/support/stack.ts put them), engine kept offline.
 * Nothing Everflow-specific: the stack's config holds the key and base URL.
 */
export function stackEnv(t: TestStack): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...offlineEngineEnv(path.join(t.workDir, ".state"), path.join(t.workDir, ".pulumi-home")),
  };
  for (const key of Object.keys(env)) if (key.startsWith("EVERFLOW_")) delete env[key];
  return env;
}

export const POST = "POST /v1/affiliates/pixels";
export const PUT = "PUT /v1/affiliates/pixels/:id";
export const GET_ONE = "GET /v1/affiliates/pixels/:id";
export const LIST = "GET /v1/affiliates/pixels";

/** The pending creates the stack's state file holds (0 while the file is being written). */
export function pendingCreates(t: TestStack): number {
  try {
    const ops = (JSON.parse(t.rawState()).checkpoint.latest?.pending_operations ?? []) as Array<{
      type: string;
    }>;
    return ops.filter((op) => op.type === "creating").length;
  } catch {
    return 0;
  }
}

/**
 * The state a `pulumi up` killed mid-create leaves: the named postbacks exist in Everflow, but the
 * state holds each only as a pending create (its inputs, no id, no outputs). Written into the file
 * backend's checkpoint directly: `pulumi stack import` drops pending operations. Quicker and more
 * exact than killing a run at the right moment (test/slow does that).
 */
export function interruptCreates(t: TestStack, names: readonly string[]): void {
  const file = path.join(t.stateDir, ".pulumi", "stacks", "everflow-test", "test.json");
  const state = JSON.parse(fs.readFileSync(file, "utf8"));
  const latest = state.checkpoint.latest as {
    resources: Array<Record<string, unknown>>;
    pending_operations?: unknown[];
  };
  const interrupted = latest.resources.filter((r) => names.some((n) => String(r.urn).endsWith(`::${n}`)));
  if (interrupted.length !== names.length) throw new Error(`not all of ${names.join(", ")} are in the state`);
  latest.resources = latest.resources.filter((r) => !interrupted.includes(r));
  latest.pending_operations = [
    ...(latest.pending_operations ?? []),
    ...interrupted.map(({ id: _id, outputs: _outputs, ...resource }) => ({ resource, type: "creating" })),
  ];
  fs.writeFileSync(file, JSON.stringify(state, null, 4));
}
