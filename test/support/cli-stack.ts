// A stack as a user has it: a program file in a project directory, run by the plain `pulumi` CLI
// (`pulumi up --yes`, `pulumi preview --json`, `pulumi stack export`, ...), not by the Automation API's
// inline programs. For what only the CLI's own commands show: `preview --json`, `--event-log`, the
// project's config file. The project lives under test/.work like createTestStack's, with
// `node_modules/pulumi-everflow` linked to this repository (the provider loads from dist/: build first)
// and `@pulumi/pulumi` found in the repository's node_modules above it.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "../../emulator";
import { offlineEngineEnv, pulumiEngine, repoRoot } from "./engine";
import { API_KEY } from "./everflow";

export interface CliRun {
  /** The command line, for messages. */
  command: string;
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliStack {
  /** The project directory (the program, Pulumi.yaml, Pulumi.test.yaml). */
  dir: string;
  /** The file backend's directory. */
  stateDir: string;
  homeDir: string;
  emulator: EmulatorHandle;
  /** The environment every command runs with (the engine's, so the provider process's too). */
  env: Record<string, string>;
  /** Writes the program: `body` after `pulumi`, `Postback` and `config` (the project's) are in scope. */
  program(body: string): void;
  /** Runs `pulumi <args>` in the project for stack `test`; never throws for a non-zero exit. */
  pulumi(args: string[], options?: { env?: Record<string, string> }): Promise<CliRun>;
  /** `pulumi config set` (`--secret` when asked). */
  setConfig(key: string, value: string, secret?: boolean): Promise<void>;
  /** Every file under `root` (default: the backend directory) with its text: path -> text. */
  files(root?: string): Record<string, string>;
  stop(): Promise<void>;
}

const PROGRAM_HEADER = `"use strict";
const pulumi = require("@pulumi/pulumi");
const { Postback } = require("pulumi-everflow");
const config = new pulumi.Config();
`;

export async function createCliStack(
  name: string,
  options: { emulator?: EmulatorOptions; env?: Record<string, string> } = {},
): Promise<CliStack> {
  const emulator = await startEmulator({
    accounts: [{ apiKey: API_KEY, networkId: 1, affiliateId: 7 }],
    rateLimit: { rate: 200, burst: 200 },
    ...options.emulator,
  });
  const dir = path.join(repoRoot, "test", ".work", `${name}-${randomBytes(4).toString("hex")}`);
  const stateDir = path.join(dir, ".state");
  const homeDir = path.join(dir, ".pulumi-home");
  fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  fs.mkdirSync(stateDir);
  fs.mkdirSync(homeDir);
  fs.symlinkSync(repoRoot, path.join(dir, "node_modules", "pulumi-everflow"), "dir");
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    "name: everflow-test\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: program.js\n",
  );
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !e[0].startsWith("EVERFLOW_"),
    ),
  );
  const env = { ...inherited, ...offlineEngineEnv(stateDir, homeDir), ...options.env };
  const cli = pulumiEngine().cliPath;

  const pulumi = (args: string[], more: { env?: Record<string, string> } = {}): Promise<CliRun> =>
    new Promise((resolve, reject) => {
      const full = [...args, "--stack", "test", "--non-interactive"];
      const child = spawn(cli, full, {
        cwd: dir,
        env: { ...env, ...more.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", reject);
      child.on("close", (code) =>
        resolve({ command: `pulumi ${args.join(" ")}`, code: code ?? -1, stdout, stderr }),
      );
    });
  const must = async (args: string[]): Promise<void> => {
    const run = await pulumi(args);
    if (run.code !== 0) throw new Error(`${run.command} failed (${run.code}): ${run.stderr}${run.stdout}`);
  };
  const setConfig = (key: string, value: string, secret = false) =>
    must(["config", "set", ...(secret ? ["--secret"] : []), key, value]);

  const init = await pulumi(["stack", "init"]);
  if (init.code !== 0) throw new Error(`pulumi stack init failed: ${init.stderr}`);
  await setConfig("everflow:apiKey", API_KEY, true);
  await setConfig("everflow:baseUrl", emulator.url);
  await setConfig("everflow:requestsPerSecond", "200");
  await setConfig("everflow:burst", "200");

  const files = (root = stateDir): Record<string, string> => {
    const out: Record<string, string> = {};
    const walk = (at: string): void => {
      for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
        const full = path.join(at, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile()) out[path.relative(dir, full)] = fs.readFileSync(full, "utf8");
      }
    };
    walk(root);
    return out;
  };

  return {
    dir,
    stateDir,
    homeDir,
    emulator,
    env,
    program: (body) => fs.writeFileSync(path.join(dir, "program.js"), `${PROGRAM_HEADER}\n${body}\n`),
    pulumi,
    setConfig,
    files,
    stop: async () => {
      await emulator.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
