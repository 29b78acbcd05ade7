// One Python virtual environment for the tests of Python programs: `pulumi` from PyPI and the generated
// SDK pip-installed from sdk/python, as a user installs them. It is built once and shared by every test
// file and worker: it lives under test/.work/python-venv/<key>, where the key hashes what goes into it
// (the SDK's files, the pulumi version, the Python), so a changed SDK gets a fresh one. Builds take a
// lock, so parallel workers wait for one build; pip's own cache makes a rebuild quick.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "../../scripts/packed-project";
import { repoRoot } from "./engine";

/** The `pulumi` Python SDK the tests install: it runs on Python 3.11 with the v3.68 Python host. */
export const PYTHON_PULUMI_VERSION = "3.272.0";
const SDK_DIR = path.join(repoRoot, "sdk", "python");
const VENVS = path.join(repoRoot, "test", ".work", "python-venv");
const python = () => process.env.PYTHON ?? "python3";

/** Every file of a directory, relative to it, sorted (pip's build leftovers excluded). */
function filesOf(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .filter((f) => !/(^|\/)(build|[^/]*\.egg-info|__pycache__)(\/|$)/.test(f))
    .sort();
}

function venvKey(): string {
  const hash = createHash("sha256");
  hash.update(`pulumi==${PYTHON_PULUMI_VERSION}\n`);
  hash.update(execFileSync(python(), ["--version"], { encoding: "utf8" }));
  for (const file of filesOf(SDK_DIR))
    hash.update(`${file}\n`).update(fs.readFileSync(path.join(SDK_DIR, file)));
  return hash.digest("hex").slice(0, 16);
}

/**
 * The shared venv's directory, built on first use. Programs run in it with its `bin` first on PATH and
 * VIRTUAL_ENV set ({@link venvEnv}): the v3.68 Python host ignores `runtime.options.virtualenv`.
 */
export async function sharedPythonVenv(): Promise<string> {
  const key = venvKey();
  const venv = path.join(VENVS, key);
  if (fs.existsSync(path.join(venv, "ready"))) return venv;
  fs.mkdirSync(VENVS, { recursive: true });
  // pip builds a source tree in place (build/, *.egg-info): build a copy, not the repository's files.
  const source = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-everflow-sdk-python-"));
  try {
    for (const file of filesOf(SDK_DIR)) {
      fs.mkdirSync(path.join(source, path.dirname(file)), { recursive: true });
      fs.copyFileSync(path.join(SDK_DIR, file), path.join(source, file));
    }
    const script = [
      "set -e",
      '[ -f "$1/ready" ] && exit 0',
      // Venvs of other keys are of an older SDK: nothing uses them once the SDK changed.
      'for old in "$(dirname "$1")"/*/; do [ "${old%/}" = "$1" ] || rm -rf "$old"; done',
      'rm -rf "$1"',
      '"$2" -m venv "$1"',
      '"$1/bin/pip" install --disable-pip-version-check --quiet "pulumi==$3" "$4"',
      'touch "$1/ready"',
    ].join("\n");
    const build = await run(
      "flock",
      [path.join(VENVS, ".lock"), "sh", "-c", script, "sh", venv, python(), PYTHON_PULUMI_VERSION, source],
      { cwd: repoRoot, env: process.env, timeoutMs: 600_000 },
    );
    if (build.code !== 0) {
      throw new Error(
        `building the Python venv failed (exit ${build.code}):\n${build.stdout}${build.stderr}`,
      );
    }
  } finally {
    fs.rmSync(source, { recursive: true, force: true });
  }
  return venv;
}

/** `env` with the venv's Python first on PATH, as the Python host needs it. */
export function venvEnv(env: Record<string, string>, venv: string): Record<string, string> {
  return { ...env, PATH: `${path.join(venv, "bin")}${path.delimiter}${env.PATH ?? ""}`, VIRTUAL_ENV: venv };
}
