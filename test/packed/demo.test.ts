import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../support/engine";

// `npm run demo` after `npm run build`: the compiled script, as a person runs it.
const demo = path.join(repoRoot, "dist", "scripts", "demo.js");

function runDemo(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [demo], { cwd: repoRoot, env, timeout: 240_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe("npm run demo", () => {
  let run: { code: number; stdout: string; stderr: string };
  const lines = () => run.stdout.split("\n");

  beforeAll(async () => {
    if (!fs.existsSync(demo)) throw new Error(`${demo} is missing: run npm run build first`);
    run = await runDemo();
  });

  it("runs every step and exits 0", () => {
    if (run.code !== 0) console.log(run.stdout, run.stderr);
    expect(run.code).toBe(0);
    for (const n of [1, 2, 3, 4, 5]) expect(lines().filter((l) => l.startsWith(`${n}. `))).toHaveLength(1);
    expect(lines()).toContain("Done: all 5 steps did what they said.");
  });

  it("creates the three postbacks with one POST each", () => {
    const creates = lines().filter((l) => l.startsWith("  + create  "));
    expect(creates.map((l) => l.split(/\s+/)[3])).toEqual([
      "global-conversion",
      "offer-postback",
      "html-pixel",
    ]);
    expect(run.stdout).toMatch(
      /^1\. [^\n]*\n(?: {2}[^\n]*\n)*? {2}API calls: 3 x POST \/v1\/affiliates\/pixels \(create\)$/m,
    );
  });

  it("names the drifted field with its declared and live values, and only that one", () => {
    const drift = lines().filter((l) => l.startsWith("  ~ drift "));
    expect(drift).toEqual(["  ~ drift   offer-postback: delayMs declared 60000, live 999"]);
    expect(lines()).toContain("  ~ update  offer-postback: delayMs 999 -> 60000");
    expect(lines()).toContain("  Everflow now: offer-postback delay_ms 60000");
  });

  it("ends with every postback deactivated, not deleted", () => {
    const deletes = lines().filter((l) => l.startsWith("  - delete  "));
    expect(deletes).toHaveLength(3);
    for (const line of deletes) expect(line).toMatch(/, status in Everflow now: inactive$/);
  });

  it("shows no raw engine output, and removes its temporary directories", () => {
    expect(run.stdout).not.toMatch(/[{}]\s*"/);
    expect(run.stdout).not.toContain("Updating (demo)");
    const stateDir = /state in (\S+)/.exec(run.stdout)?.[1];
    expect(stateDir).toBeDefined();
    const tempDir = path.dirname(stateDir!);
    expect(fs.existsSync(tempDir)).toBe(false);
    expect(fs.existsSync(path.join(repoRoot, ".demo", path.basename(tempDir)))).toBe(false);
  });

  it("exits non-zero when it cannot run, saying why", async () => {
    const failed = await runDemo({ ...process.env, PULUMI_CLI: path.join(repoRoot, "no-such-pulumi") });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain("no-such-pulumi is not an executable");
    expect(failed.stdout).not.toContain("Done");
  });
});
