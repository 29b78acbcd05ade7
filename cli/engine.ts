import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { CliError, messageOf, oneLine } from "./args";

/**
 * Which `pulumi` CLI the commands drive, and with what environment. The order follows
 * scripts/ensure-pulumi: `$PULUMI_CLI`, a `pulumi` on PATH, the engine that scripts/ensure-pulumi built
 * into the cache (`~/.cache/pulumi-everflow/engine/<version>/bin/pulumi`), then scripts/ensure-pulumi
 * itself (present in a checkout of this package, not in the published one), which may build it.
 */

export type EngineSource = "PULUMI_CLI" | "PATH" | "cache" | "ensure-pulumi";

export interface ResolvedEngine {
  cliPath: string;
  source: EngineSource;
}

export interface ResolveOptions {
  /** The root of this package (holds scripts/ensure-pulumi in a checkout); null for none. Default: found from here. */
  packageRoot?: string | null;
  /** Default os.homedir(). */
  home?: string;
}

export function resolvePulumiCli(env: NodeJS.ProcessEnv, options: ResolveOptions = {}): ResolvedEngine {
  const fromEnv = env.PULUMI_CLI;
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!isExecutable(fromEnv)) throw new CliError(`PULUMI_CLI=${fromEnv} is not an executable file`);
    return { cliPath: path.resolve(fromEnv), source: "PULUMI_CLI" };
  }
  const onPath = findOnPath("pulumi", env.PATH ?? "");
  if (onPath) return { cliPath: onPath, source: "PATH" };
  const cached = cachedEngine(env, options.home ?? os.homedir());
  if (cached) return { cliPath: cached, source: "cache" };

  const root = options.packageRoot === undefined ? packageRoot() : options.packageRoot;
  const script = root == null ? undefined : path.join(root, "scripts", "ensure-pulumi");
  if (script !== undefined && isExecutable(script)) {
    let printed: string;
    try {
      // Its progress (a first run builds the engine, for minutes) goes straight to stderr.
      printed = execFileSync(script, { encoding: "utf8", env, stdio: ["ignore", "pipe", "inherit"] }).trim();
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      const how = typeof status === "number" ? `exited with ${status}` : oneLine(messageOf(error));
      throw new CliError(`no pulumi CLI found, and ${script} ${how} (its messages are above)`);
    }
    if (isExecutable(printed)) return { cliPath: printed, source: "ensure-pulumi" };
    throw new CliError(
      `scripts/ensure-pulumi printed ${JSON.stringify(printed)}, which is not an executable`,
    );
  }
  throw new CliError("no pulumi CLI found: install pulumi (on PATH) or set PULUMI_CLI to its path");
}

/**
 * The Automation API's handle on a CLI. `PulumiCommand.get` wants the installation root (the CLI at
 * `<root>/bin/pulumi`); the version check is skipped, as in the project's own tests, because an engine
 * built from source may report a version the SDK does not know.
 */
export async function pulumiCommand(cliPath: string): Promise<PulumiCommand> {
  const bin = path.dirname(cliPath);
  if (path.basename(cliPath) !== "pulumi" || path.basename(bin) !== "bin") {
    throw new CliError(`the pulumi CLI must be a file named pulumi in a bin directory (got ${cliPath})`);
  }
  try {
    return await PulumiCommand.get({ root: path.dirname(bin), skipVersionCheck: true });
  } catch (error) {
    throw new CliError(`cannot run ${cliPath}: ${oneLine(messageOf(error))}`);
  }
}

/**
 * The environment for the CLI: the caller's, passed through (PULUMI_BACKEND_URL, PULUMI_HOME,
 * PULUMI_CONFIG_PASSPHRASE, EVERFLOW_* and the rest stay as the user set them), plus the settings that
 * keep the engine offline unless the user set them otherwise, and the CLI's own directory first on PATH
 * (the dynamic provider plugin, pulumi-resource-pulumi-nodejs, sits beside an engine built by
 * scripts/ensure-pulumi).
 */
export function engineEnv(env: NodeJS.ProcessEnv, cliPath: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  out.PULUMI_SKIP_UPDATE_CHECK ??= "true";
  out.PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK ??= "true";
  out.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION ??= "true";
  const bin = path.dirname(cliPath);
  const entries = (out.PATH ?? "").split(path.delimiter).filter((p) => p !== "");
  out.PATH = [bin, ...entries.filter((p) => path.resolve(p) !== bin)].join(path.delimiter);
  return out;
}

function isExecutable(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.resolve(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The newest engine that scripts/ensure-pulumi built (with its dynamic provider shim beside it). */
function cachedEngine(env: NodeJS.ProcessEnv, home: string): string | undefined {
  const root =
    env.PULUMI_EVERFLOW_CACHE ||
    path.join(env.XDG_CACHE_HOME || path.join(home, ".cache"), "pulumi-everflow");
  const engines = path.join(root, "engine");
  let versions: string[];
  try {
    versions = fs.readdirSync(engines);
  } catch {
    return undefined;
  }
  const candidates = versions
    .sort(compareVersions)
    .reverse()
    .map((v) => path.join(engines, v, "bin"))
    .filter(
      (bin) =>
        isExecutable(path.join(bin, "pulumi")) &&
        isExecutable(path.join(bin, "pulumi-resource-pulumi-nodejs")),
    );
  return candidates[0] === undefined ? undefined : path.join(candidates[0], "pulumi");
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number(p));
  const pb = b.split(/[.-]/).map((p) => Number(p));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (Number.isNaN(x) || Number.isNaN(y)) return a.localeCompare(b);
    if (x !== y) return x - y;
  }
  return 0;
}

/** The directory of this package's package.json (cli/ in a checkout, dist/cli/ once built). */
export function packageRoot(from: string = __dirname): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: unknown };
      if (pkg.name === "pulumi-everflow") return dir;
    } catch {
      // No package.json here: look further up.
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}
