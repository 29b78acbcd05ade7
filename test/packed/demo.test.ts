import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../support/engine";
import { pulumiSdkVersion, STEP_TIMEOUT_MS } from "./packed-example";

// `npm run demo` after `npm run build`: the compiled script, as a person runs it. It packs and installs
// the package and drives the plain `pulumi` CLI itself, so it lives with the packed-package suite.
const demo = path.join(repoRoot, "dist", "scripts", "demo.js");

function runDemo(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [demo],
      { cwd: repoRoot, env, timeout: STEP_TIMEOUT_MS },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

describe("npm run demo", () => {
  let run: { code: number; stdout: string; stderr: string };
  const lines = () => run.stdout.split("\n");
  /** The lines of step n, from its title to the blank line after it. */
  const stepLines = (n: number) => {
    const all = lines();
    const start = all.findIndex((l) => l.startsWith(`${n}. `));
    const end = all.indexOf("", start);
    return all.slice(start, end);
  };

  beforeAll(async () => {
    if (!fs.existsSync(demo)) throw new Error(`${demo} is missing: run npm run build first`);
    run = await runDemo();
  }, STEP_TIMEOUT_MS);

  it("runs every step and exits 0", () => {
    if (run.code !== 0) throw new Error(`the demo exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
    for (const n of [1, 2, 3, 4, 5]) expect(lines().filter((l) => l.startsWith(`${n}. `))).toHaveLength(1);
    expect(lines()).toContain("Done: all 5 steps did what they said.");
  });

  it("installs the packed package into a project and sets it up with the plain pulumi CLI", () => {
    const commands = lines().filter((l) => l.startsWith("  $ "));
    const install = commands.find((l) => l.startsWith("  $ npm install "));
    expect(install).toMatch(/ --prefer-offline \S+\/pulumi-everflow-[\d.]+\.tgz @pulumi\/pulumi@/);
    expect(install?.endsWith(`@pulumi/pulumi@${pulumiSdkVersion()}`)).toBe(true);
    expect(commands).toContainEqual(expect.stringMatching(/^ {2}\$ pulumi login file:\/\/\S+\/state$/));
    expect(commands).toContain("  $ pulumi stack init demo");
    expect(commands).toContainEqual(
      expect.stringMatching(/^ {2}\$ pulumi config set --secret everflow:apiKey \S+$/),
    );
    expect(commands).toContainEqual(
      expect.stringMatching(/^ {2}\$ pulumi config set everflow:baseUrl http:\/\/127\.0\.0\.1:\d+\/v1$/),
    );
  });

  it("creates the three postbacks with one POST each", () => {
    expect(stepLines(1)).toContain("  $ pulumi up --yes");
    const creates = lines().filter((l) => l.startsWith("  + create  "));
    expect(creates.map((l) => l.split(/\s+/)[3])).toEqual([
      "global-conversion",
      "offer-postback",
      "html-pixel",
    ]);
    // The listing: a run that creates looks for postbacks the stack let go of, once per account.
    expect(stepLines(1)).toContain(
      "  API calls: 1 x GET /v1/affiliates/pixels (list), 3 x POST /v1/affiliates/pixels (create)",
    );
  });

  it("names the drifted field with its declared and live values, and only that one", () => {
    expect(stepLines(3)).toContain("  $ pulumi preview --refresh --expect-no-changes");
    expect(stepLines(3)).toContainEqual(expect.stringMatching(/^ {2}\(exit 7: /));
    const drift = lines().filter((l) => l.startsWith("  ~ drift "));
    expect(drift).toEqual(["  ~ drift   offer-postback: delayMs declared 60000, live 999"]);
    expect(stepLines(4)).toContain("  $ pulumi up --refresh --yes");
    expect(lines()).toContain("  ~ update  offer-postback: delayMs 999 -> 60000");
    expect(lines()).toContain("  Everflow now: offer-postback delay_ms 60000");
  });

  it("ends with every postback deactivated, not deleted", () => {
    expect(stepLines(5)).toContain("  $ pulumi destroy --yes");
    const deletes = lines().filter((l) => l.startsWith("  - delete  "));
    expect(deletes).toHaveLength(3);
    for (const line of deletes) expect(line).toMatch(/, status in Everflow now: inactive$/);
  });

  it("shows no raw engine or npm output, and removes its temporary directory", () => {
    expect(run.stdout).not.toMatch(/[{}]\s*"/);
    expect(run.stdout).not.toContain("Updating (demo)");
    expect(run.stdout).not.toMatch(/^added \d+ packages/m);
    const stateDir = /state in (\S+)/.exec(run.stdout)?.[1];
    expect(stateDir).toBeDefined();
    expect(fs.existsSync(path.dirname(stateDir!))).toBe(false);
  });

  it("exits non-zero when it cannot run, saying why", async () => {
    const failed = await runDemo({ ...process.env, PULUMI_CLI: path.join(repoRoot, "no-such-pulumi") });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain("no-such-pulumi is not an executable");
    expect(failed.stdout).not.toContain("Done");
  });
});
