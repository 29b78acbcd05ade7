// What the provider processes of one engine run share: the postbacks their resources hold.
//
// The engine starts a provider process per provider: the dynamic provider host for every TypeScript
// Postback, and a native plugin process for the default `everflow` provider and for each explicit one.
// Claims of one process (core/claims.ts) cannot see a resource of another adopting the postback a
// resource of the first keeps, nor a delete in one releasing what the other holds. Every process of a
// run is the child of the same engine and is given the engine's address, so a file named after both
// is shared by exactly the processes of one run: each appends what its resources hold and keep, and
// reads what the others appended.
//
// The file lives in a directory of the user's own (mode 0700) under the system's temporary directory;
// a directory owned by another user is not trusted, and the run's claims then stay per process.
// Records hold ids, account platforms and resource names, never a value of a postback.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { SharedClaim, SharedClaims } from "../core/claims";

/** Files of runs older than this are removed when a run starts (a run never lasts a day). */
const STALE_MS = 24 * 60 * 60 * 1000;

export class RunRegistry implements SharedClaims {
  private constructor(
    private readonly file: string,
    private readonly pid: number,
  ) {}

  /**
   * The registry of the run whose engine is this process's parent at `engineAddress`; undefined when
   * no engine is known or the directory cannot be trusted.
   */
  static forEngine(
    engineAddress: string | undefined,
    { dir = defaultDir(), pid = process.pid, enginePid = process.ppid } = {},
  ): RunRegistry | undefined {
    if (!engineAddress) return undefined;
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const stat = fs.statSync(dir);
      const uid = process.getuid?.();
      if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o077) !== 0) {
        return undefined;
      }
      sweep(dir);
      const run = createHash("sha256").update(`${enginePid}\n${engineAddress}`).digest("hex").slice(0, 32);
      return new RunRegistry(path.join(dir, `${run}.jsonl`), pid);
    } catch {
      return undefined;
    }
  }

  record(claim: SharedClaim): void {
    try {
      // One line, appended: small appends of concurrent writers do not interleave.
      fs.appendFileSync(this.file, `${JSON.stringify({ ...claim, pid: this.pid })}\n`, { mode: 0o600 });
    } catch {
      // A run goes on without sharing its claims: each process still knows its own.
    }
  }

  /** What the other processes of the run recorded, in order. */
  others(): SharedClaim[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch {
      return [];
    }
    const claims: SharedClaim[] = [];
    for (const line of text.split("\n")) {
      if (line === "") continue;
      try {
        const claim = JSON.parse(line) as SharedClaim & { pid?: number };
        if (claim.pid !== this.pid) claims.push(claim);
      } catch {
        // A line still being written.
      }
    }
    return claims;
  }
}

function defaultDir(): string {
  const uid = process.getuid?.();
  return path.join(os.tmpdir(), `pulumi-everflow-runs${uid === undefined ? "" : `-${uid}`}`);
}

function sweep(dir: string): void {
  const now = Date.now();
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    try {
      if (now - fs.statSync(file).mtimeMs > STALE_MS) fs.rmSync(file, { force: true });
    } catch {
      // Another run's sweep got there first.
    }
  }
}
