import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../support/engine";

/**
 * A copy of this checkout as a fresh clone has it: the files git tracks or would track (no dist/, no
 * test/.work/), with node_modules linked to this checkout's so that no install is needed. Returns the
 * copy's directory, inside a fresh temporary one.
 */
export function cleanCheckout(prefix: string): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), prefix)), "pulumi-everflow");
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: repoRoot,
    encoding: "utf8",
  })
    .split("\0")
    .filter((f) => f !== "" && fs.existsSync(path.join(repoRoot, f)));
  for (const file of files) {
    const from = path.join(repoRoot, file);
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    // Git keeps symbolic links as links (program/node_modules/pulumi-everflow is one).
    if (fs.lstatSync(from).isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), path.join(dir, file));
    else fs.copyFileSync(from, path.join(dir, file));
  }
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}
