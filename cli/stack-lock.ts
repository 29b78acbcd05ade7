import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { CliError, messageOf, oneLine } from "./args";

/**
 * The stack's lock, as `recover` sees it. Every command that writes a stack's state (`pulumi up`,
 * `refresh`, `destroy`, `import`, `stack import`, `state ...`) holds the stack's lock while it runs;
 * `pulumi stack export` does not take it. A command that reads the state, changes it and imports it
 * back must hold the lock for that whole time, or a writer running meanwhile loses its writes.
 *
 * How the lock is visible (pulumi v3.274.1):
 * - file:// backends keep one file per holder in `.pulumi/locks/organization/<project>/<stack>/`
 *   (`.pulumi/locks/<stack>/` in the legacy layout), JSON `{pid, username, hostname, timestamp}`, named
 *   by a random id of the holding process. A holder checks for other files, writes its own and checks
 *   again; `pulumi cancel` deletes them all. Read here directly, and taken here the same way.
 * - Pulumi Cloud (and self-hosted services) reports an update in progress in `pulumi stack ls --json`
 *   (`updateInProgress`), and refuses an import while one runs.
 * - s3://, gs://, azblob:// and postgres:// backends keep the same lock files in a bucket or database
 *   that no CLI command shows: not seen here; `pulumi stack import` still refuses while a lock exists.
 */

export type LockView =
  | { kind: "file"; dir: string; url: string }
  | { kind: "service"; url: string }
  | { kind: "unseen"; url: string };

/** What each holder's lock file says (the file backend's lockContent, plus who wrote ours). */
interface LockContent {
  pid?: number;
  username?: string;
  hostname?: string;
  timestamp?: string;
  by?: string;
}

/** Where the stack's lock of this workspace's backend can be seen. */
export async function lockView(stack: Stack, stackName: string): Promise<LockView> {
  let url: string;
  let project: string;
  try {
    url = (await stack.workspace.whoAmI()).url ?? "";
    project = (await stack.workspace.projectSettings()).name;
  } catch (error) {
    throw new CliError(`cannot tell which backend holds stack "${stackName}": ${oneLine(messageOf(error))}`);
  }
  if (url.startsWith("file://")) {
    const root = fileBackendRoot(url, stack.workspace.workDir);
    return { kind: "file", dir: lockDir(root, project, stackName), url };
  }
  if (/^https?:\/\//.test(url) || url === "") return { kind: "service", url: url || "Pulumi Cloud" };
  return { kind: "unseen", url: url.replace(/\/\/[^/@]*@/, "//****@") };
}

/** The directory a `file://` backend URL names, as the CLI resolves it (`~`, relative paths). */
export function fileBackendRoot(url: string, workDir: string, home = os.homedir()): string {
  let dir = url.slice("file://".length).split("?")[0]!;
  if (dir === "~") dir = home;
  else if (dir.startsWith("~/")) dir = path.join(home, dir.slice(2));
  return path.resolve(workDir, dir);
}

/**
 * The stack's lock directory: project-scoped unless the store is in the legacy layout (no
 * `.pulumi/meta.yaml`, or its version 0). A stack named `org/project/stack` names its project.
 */
export function lockDir(root: string, project: string, stackName: string): string {
  const parts = stackName.split("/");
  const stack = parts[parts.length - 1]!;
  const projectName = parts.length >= 2 ? parts[parts.length - 2]! : project;
  const locks = path.join(root, ".pulumi", "locks");
  return storeVersion(root) >= 1
    ? path.join(locks, "organization", projectName, stack)
    : path.join(locks, stack);
}

function storeVersion(root: string): number {
  try {
    const meta = fs.readFileSync(path.join(root, ".pulumi", "meta.yaml"), "utf8");
    const match = /^version:\s*(\d+)/m.exec(meta);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** One line per lock file of `dir` other than `own`: where it is and who holds it. */
export function fileLocks(dir: string, own?: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return []; // no lock directory: nobody ever locked the stack, or every lock is gone
  }
  return names
    .filter((n) => n.endsWith(".json") && path.join(dir, n) !== own)
    .sort()
    .map((n) => describeLock(path.join(dir, n)));
}

function describeLock(file: string): string {
  let content: LockContent = {};
  try {
    content = JSON.parse(fs.readFileSync(file, "utf8")) as LockContent;
  } catch {
    // Unreadable or gone meanwhile: still a lock, named by its file.
  }
  const who = content.username && content.hostname ? `${content.username}@${content.hostname}` : undefined;
  const details = [
    content.by,
    who,
    content.pid === undefined ? undefined : `pid ${content.pid}`,
    content.timestamp === undefined ? undefined : `at ${content.timestamp}`,
  ].filter((d) => d !== undefined);
  return details.length > 0 ? `${file} (${details.join(", ")})` : file;
}

/** The holders of the stack's lock now, one line each; [] when nobody is seen holding it. */
export async function lockHolders(view: LockView, stack: Stack, stackName: string): Promise<string[]> {
  if (view.kind === "file") return fileLocks(view.dir);
  if (view.kind === "unseen") return [];
  let summaries;
  try {
    summaries = await stack.workspace.listStacks();
  } catch (error) {
    throw new CliError(
      `cannot tell whether stack "${stackName}" is being updated: ${oneLine(messageOf(error))}`,
    );
  }
  const short = stackName.split("/").pop();
  const busy = summaries.some((s) => s.name.split("/").pop() === short && s.updateInProgress === true);
  return busy ? [`an update in progress (${view.url} reports it)`] : [];
}

/** The one-line refusal while others hold the stack's lock. */
export function lockedMessage(stackName: string, holders: readonly string[]): string {
  const what = holders.length === 1 ? holders[0] : `${holders.length} locks: ${holders.join("; ")}`;
  return (
    `stack "${stackName}" is locked by ${what}: an update (up, refresh, destroy, import or another recover) ` +
    `is running, or was killed. Wait for it to end and run recover again; if it was killed, first run ` +
    `\`pulumi cancel --yes --stack ${stackName}\` (which removes the lock). Nothing was changed.`
  );
}

/**
 * Takes the stack's lock on a file backend as the CLI does (check, write, check again), so that an
 * update started meanwhile refuses to run ("the stack is currently locked"). Returns the release, which
 * is idempotent; a signal or an exit releases it too. Throws the refusal when another holder appears.
 */
export function holdFileLock(dir: string, stackName: string): () => void {
  const before = fileLocks(dir);
  if (before.length > 0) throw new CliError(lockedMessage(stackName, before));
  const own = path.join(dir, `${randomUUID()}.json`);
  const content: LockContent = {
    pid: process.pid,
    username: os.userInfo().username,
    hostname: os.hostname(),
    timestamp: new Date().toISOString(),
    by: "pulumi-everflow recover",
  };
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(own, JSON.stringify(content), { flag: "wx" });
  } catch (error) {
    throw new CliError(`cannot lock stack "${stackName}" (${own}): ${oneLine(messageOf(error))}`);
  }
  let held = true;
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    process.kill(process.pid, signal); // the default action, now that the listener is gone
  };
  const release = () => {
    if (!held) return;
    held = false;
    for (const s of signals) process.removeListener(s, onSignal);
    process.removeListener("exit", release);
    fs.rmSync(own, { force: true });
  };
  for (const s of signals) process.once(s, onSignal);
  process.once("exit", release);
  const others = fileLocks(dir, own);
  if (others.length > 0) {
    release();
    throw new CliError(lockedMessage(stackName, others));
  }
  return release;
}
