import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, Stack, type EngineEvent, type PulumiCommand } from "@pulumi/pulumi/automation";
import { CliError, messageOf, oneLine, type CliIo } from "./args";
import { engineEnv, pulumiCommand, resolvePulumiCli } from "./engine";

/** Opening a Pulumi project's stack for the commands, and reading the engine's failures. */

const PROJECT_FILES = ["Pulumi.yaml", "Pulumi.yml", "Pulumi.json"];

export interface OpenStack {
  stack: Stack;
  name: string;
}

/** The stack (`--stack`, else the project's current one) of the project in `cwd` (default: the working directory). */
export async function openStack(
  io: CliIo,
  cwd: string | undefined,
  requested: string | undefined,
): Promise<OpenStack> {
  const dir = path.resolve(io.cwd, cwd ?? ".");
  if (!isDirectory(dir)) throw new CliError(`${dir} is not a directory`);
  if (!PROJECT_FILES.some((f) => fs.existsSync(path.join(dir, f)))) {
    throw new CliError(
      `no Pulumi project in ${dir} (no Pulumi.yaml): pass --cwd with the project's directory`,
    );
  }
  const { cliPath } = resolvePulumiCli(io.env);
  const command = await pulumiCommand(cliPath);
  return selectStack(dir, requested, command, engineEnv(io.env, cliPath));
}

async function selectStack(
  dir: string,
  requested: string | undefined,
  pulumiCommand: PulumiCommand,
  envVars: Record<string, string>,
): Promise<{ stack: Stack; name: string }> {
  try {
    if (requested !== undefined) {
      const stack = await LocalWorkspace.selectStack(
        { stackName: requested, workDir: dir },
        { pulumiCommand, envVars },
      );
      return { stack, name: requested };
    }
    const workspace = await LocalWorkspace.create({ workDir: dir, pulumiCommand, envVars });
    const current = await workspace.stack();
    if (!current) throw new CliError(`no stack is selected in ${dir}: pass --stack NAME`);
    return { stack: await Stack.select(current.name, workspace), name: current.name };
  } catch (error) {
    if (error instanceof CliError) throw error;
    const which = requested === undefined ? "the current stack" : `stack "${requested}"`;
    throw new CliError(`cannot select ${which} in ${dir}: ${engineMessage(error, [])}`);
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * One line out of an engine failure: the first error diagnostic (what a provider or the engine said),
 * else the CLI's `error:` line, else the error's first line.
 */
export function engineMessage(error: unknown, events: readonly EngineEvent[]): string {
  for (const event of events) {
    const diag = event.diagnosticEvent;
    if (diag?.severity === "error" && diag.message.trim() !== "") return clean(diag.message);
  }
  // Automation API errors carry the CLI's stderr in commandResult; child_process errors in stderr.
  const failed = error as { commandResult?: { stderr?: unknown }; stderr?: unknown };
  const raw = failed.commandResult?.stderr ?? failed.stderr;
  const stderr = typeof raw === "string" ? raw : "";
  const line = stderr.split("\n").find((l) => /^error: /.test(l.trim()));
  if (line) return clean(line.trim().replace(/^error: /, ""));
  const message = messageOf(error);
  return clean(message.split("\n").find((l) => l.trim() !== "") ?? message);
}

function clean(text: string): string {
  // eslint-disable-next-line no-control-regex -- ANSI colour codes
  return oneLine(text.replace(/\u001b\[[0-9;]*m/g, "").replace(/<\{%[^%]*%\}>/g, ""));
}
