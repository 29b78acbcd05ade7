import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../../support/engine";

/**
 * A Python virtualenv with the `pulumi` SDK and this repository's generated `pulumi_everflow` SDK
 * (sdk/python), for the Python language host. Built once (about 80 s: PyPI downloads) and cached under
 * the engine's cache, keyed by the SDK's files, so an edit of sdk/python builds a new one. The v3.68.0
 * Python host ignores `runtime.options.virtualenv`: the venv's bin goes first on PATH, with VIRTUAL_ENV.
 */

/** The `pulumi` release the generated SDK is tested with (Python 3.11). */
const PULUMI_PYPI = "pulumi==3.272.0";

export function pythonVenv(): { PATH: string; VIRTUAL_ENV: string } {
  const sdk = path.join(repoRoot, "sdk", "python");
  // The SDK's tracked files: pip's in-tree build leaves build/ and *.egg-info beside them (ignored).
  const files = execFileSync("git", ["ls-files", "sdk/python"], { cwd: repoRoot, encoding: "utf8" })
    .split("\n")
    .filter((f) => f !== "")
    .sort();
  const hash = createHash("sha256").update(PULUMI_PYPI);
  for (const file of files) hash.update(file).update(fs.readFileSync(path.join(repoRoot, file)));
  const cache =
    process.env.PULUMI_EVERFLOW_CACHE ||
    path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "pulumi-everflow");
  const venv = path.join(cache, "python-venv", hash.digest("hex").slice(0, 16));
  // Written last: a build killed half-way is started over.
  const complete = path.join(venv, ".complete");
  if (!fs.existsSync(complete)) {
    fs.rmSync(venv, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(venv), { recursive: true });
    const run = (file: string, args: string[]) =>
      execFileSync(file, args, { stdio: ["ignore", "ignore", "pipe"] });
    run("python3", ["-m", "venv", venv]);
    run(path.join(venv, "bin", "python"), ["-m", "pip", "install", "--quiet", PULUMI_PYPI, sdk]);
    fs.writeFileSync(complete, `${PULUMI_PYPI}\n`);
  }
  return { PATH: `${path.join(venv, "bin")}${path.delimiter}${process.env.PATH ?? ""}`, VIRTUAL_ENV: venv };
}
