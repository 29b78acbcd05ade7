/**
 * A Pulumi project as a user has one: pulumi-everflow from the `npm pack` tarball, installed with npm
 * into a directory of its own, and driven by the plain `pulumi` CLI as child processes. The demo
 * (scripts/demo.ts) and the packed-package suite (test/packed/) both work this way, with these helpers.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { engineEnv } from "../cli/engine";

/** How a child process ended, with everything it wrote. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The child is killed after this long (default: no limit). */
  timeoutMs?: number;
  /** Gets the child's output as it comes (stdout and stderr alike), e.g. to show it live. */
  onOutput?: (text: string) => void;
}

/**
 * Runs a command to its end. It never rejects on a non-zero exit, so that the caller decides what an
 * exit code means; a command that cannot start or is killed ends with code -1.
 */
export function run(command: string, args: string[], options: RunOptions): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeoutMs,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
      options.onOutput?.(text);
    });
    child.stderr.setEncoding("utf8").on("data", (text: string) => {
      stderr += text;
      options.onOutput?.(text);
    });
    child.on("error", (error) => resolve({ code: -1, stdout, stderr: `${stderr}${error.message}\n` }));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The version in a package.json. */
export const versionIn = (manifest: string): string =>
  (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string }).version;

/**
 * Packs the package at `root` as `npm publish` would (its `files`, from the last `npm run build`) into
 * `dest`, and returns the tarball's path. Its callers (`npm run demo`, `npm run test:packed`) have just
 * run `npm run build`, so `prepack`'s build is skipped rather than run twice; test/packed/tarball.test.ts
 * packs a fresh clone with `prepack`.
 */
export function packTarball(root: string, dest: string): string {
  if (!fs.existsSync(path.join(root, "dist", "sdk", "index.js"))) {
    throw new Error(`${path.join(root, "dist")} is missing: run \`npm run build\` first`);
  }
  fs.mkdirSync(dest, { recursive: true });
  const out = execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dest], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [packed] = JSON.parse(out) as Array<{ filename: string }>;
  if (!packed) throw new Error(`npm pack in ${root} reported no tarball`);
  return path.join(dest, packed.filename);
}

/** The @pulumi/pulumi a project gets: the one installed beside `root` (the CI matrix changes it). */
export function pulumiSdkVersion(root: string): string {
  return versionIn(require.resolve("@pulumi/pulumi/package.json", { paths: [root] }));
}

/** The npm arguments that install the tarball and @pulumi/pulumi (with the project's own dependencies). */
export function installArgs(tarball: string, pulumiVersion: string): string[] {
  // --prefer-offline: the npm cache already holds every dependency after `npm ci` in this repository.
  return [
    "install",
    "--no-audit",
    "--no-fund",
    "--prefer-offline",
    tarball,
    `@pulumi/pulumi@${pulumiVersion}`,
  ];
}

/**
 * The environment for plain `pulumi` commands in a project: the caller's, without the settings that
 * would point the CLI at another backend, CLI, account or passphrase, plus engineEnv's offline settings, with the
 * running Node first on PATH (the language host and the provider run on it) and then the CLI's own
 * directory (its language host and dynamic provider plugin). `home` becomes PULUMI_HOME.
 */
export function plainCliEnv(
  env: NodeJS.ProcessEnv,
  cliPath: string,
  home: string,
  passphrase: string,
): Record<string, string> {
  const {
    PULUMI_BACKEND_URL: _backend,
    PULUMI_CLI: _cli,
    PULUMI_ACCESS_TOKEN: _token,
    // The CLI refuses a passphrase and a passphrase file at once.
    PULUMI_CONFIG_PASSPHRASE_FILE: _passphraseFile,
    ...inherited
  } = env;
  const out = engineEnv(inherited, cliPath);
  const node = path.dirname(process.execPath);
  const entries = (out.PATH ?? "").split(path.delimiter).filter((p) => p !== "" && path.resolve(p) !== node);
  out.PATH = [node, ...entries].join(path.delimiter);
  out.PULUMI_HOME = home;
  out.PULUMI_CONFIG_PASSPHRASE = passphrase;
  return out;
}

/** One `pulumi config set`: `path` for keys like everflow:accounts.brand.apiKey. */
export interface ConfigSetting {
  key: string;
  value: string;
  secret?: boolean;
  path?: boolean;
}

/**
 * The `pulumi` commands (arguments only) that a user runs once in a fresh project: log in to a file
 * backend in `stateDir`, create the stack, and set its config.
 */
export function stackSetupCommands(stateDir: string, stack: string, config: ConfigSetting[]): string[][] {
  return [
    ["login", `file://${stateDir}`],
    ["stack", "init", stack],
    ...config.map((c) => [
      "config",
      "set",
      ...(c.secret ? ["--secret"] : []),
      ...(c.path ? ["--path"] : []),
      c.key,
      c.value,
    ]),
  ];
}
