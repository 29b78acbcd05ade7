// The everflow-emulator process does not outlive whoever started it. `npx everflow-emulator &` runs
// npm exec -> sh -c everflow-emulator -> node: killing the pid the shell knows (npm's) ends npm and the
// sh, but nothing forwards the signal to node, which is re-parented and keeps serving. These tests
// start the built CLI behind such wrappers, end the wrapper, and assert the port closes. Spawned from
// dist/ (skipped when it has not been built: `npm test` builds first).

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

const root = path.resolve(__dirname, "../../..");
const cliJs = process.env.EVERFLOW_EMULATOR_CLI_JS ?? path.join(root, "dist/emulator/cli.js");
const built = existsSync(cliJs);
const describeBuilt = built && process.platform === "linux" ? describe : describe.skip;

/** Generous: the CLI notices a lost parent within about half a second. */
const CLOSE_BOUND_MS = 15_000;

/** The first line a child writes to stdout (the emulator's base URL). */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf("\n");
      if (newline >= 0) resolve(buffer.slice(0, newline));
    });
    child.on("exit", (code, signal) => reject(new Error(`wrapper exited early: ${code ?? signal}`)));
  });
}

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function closedWithin(port: number, boundMs: number): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    if (!(await listening(port))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !(await listening(port));
}

/** Live (not zombie) processes whose command line holds `marker`: the emulator under test. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const state = /\) (\S)/.exec(readFileSync(`/proc/${entry}/stat`, "utf8"))?.[1];
      if (cmdline.includes(marker) && state !== "Z" && Number(entry) !== process.pid)
        pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

describeBuilt(
  "the emulator CLI stops with whoever started it (spawned from dist/; skipped when not built)",
  () => {
    const markers: string[] = [];
    const marker = (): string => {
      const m = `lifetime-key-${process.pid}-${markers.length}-${Date.now()}`;
      markers.push(m);
      return m;
    };
    // Whatever a failed test left running: only the processes started here, found by their own key.
    afterAll(() => killAll(markers.flatMap((m) => processesWith(m))));

    test("a sh parent SIGKILLed: the emulator it started closes its port", async () => {
      const key = marker();
      const sh = spawn(
        "/bin/sh",
        ["-c", `"${process.execPath}" "${cliJs}" --port 0 --api-key ${key} & wait`],
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      const url = await firstLine(sh);
      const port = Number(new URL(url).port);
      expect(await listening(port)).toBe(true);
      expect(processesWith(key).filter((pid) => pid !== sh.pid)).toHaveLength(1);
      sh.kill("SIGKILL");
      expect(await closedWithin(port, CLOSE_BOUND_MS)).toBe(true);
      expect(processesWith(key)).toEqual([]);
    }, 30_000);

    test("`npm exec everflow-emulator` (what npx runs) SIGTERMed: the emulator closes its port", async () => {
      const key = marker();
      const npm = spawn(
        "npm",
        ["exec", "--offline", "--yes", "--", "everflow-emulator", "--port", "0", "--api-key", key],
        {
          cwd: root,
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, npm_config_update_notifier: "false" },
        },
      );
      const url = await firstLine(npm);
      const port = Number(new URL(url).port);
      expect(await listening(port)).toBe(true);
      const [emulator] = processesWith(key).filter((pid) => pid !== npm.pid);
      expect(emulator).toBeDefined();
      npm.kill("SIGTERM");
      expect(await closedWithin(port, CLOSE_BOUND_MS)).toBe(true);
      expect(processesWith(key)).toEqual([]);
    }, 60_000);

    test("SIGHUP (the terminal went away) is a clean stop, exit code 0", async () => {
      const child = spawn(process.execPath, [cliJs, "--port", "0", "--api-key", marker()], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      const port = Number(new URL(await firstLine(child)).port);
      child.kill("SIGHUP");
      expect(await exited).toBe(0);
      expect(await listening(port)).toBe(false);
    }, 30_000);
  },
);
