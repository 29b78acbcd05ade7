import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { installArgs } from "../../scripts/packed-project";
import { repoRoot } from "../support/engine";
import { expectExit, pulumiSdkVersion, run, STEP_TIMEOUT_MS } from "./packed-example";

// What a user on Node.js 18 sees: `npm install` succeeds (engines is advisory), then every entry point
// says in one line that this Node.js is too old, instead of undici's "ReferenceError: File is not defined".
describe("on Node.js 18, installed from the packed package", () => {
  let dir: string;
  let node18: string;
  let env: NodeJS.ProcessEnv;
  const ONE_LINE =
    /^pulumi-everflow needs Node\.js 20\.18\.1 or later, but this is Node\.js 18\.\d+\.\d+ \([^\n]*\); install a maintained Node\.js \(22 or 24\) and run again$/;

  beforeAll(async () => {
    node18 = execFileSync(path.join(repoRoot, "scripts", "ensure-node"), ["18"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-everflow-node18-"));
    dir = path.join(root, "global-conversion");
    fs.cpSync(path.join(repoRoot, "examples", "global-conversion"), dir, { recursive: true });
    // Installed with this run's npm and Node, as a user's npm would (npm itself no longer runs on 18).
    const install = await run(
      "npm",
      installArgs(process.env.PULUMI_EVERFLOW_TARBALL!, pulumiSdkVersion()),
      dir,
      process.env,
    );
    expectExit(install, 0);
    env = {
      ...process.env,
      PATH: [
        path.dirname(node18),
        path.dirname(process.env.PULUMI_EVERFLOW_TEST_CLI!),
        process.env.PATH ?? "",
      ].join(path.delimiter),
      PULUMI_HOME: path.join(root, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${path.join(root, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "pulumi-everflow-node18",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      NO_COLOR: "1",
    };
    fs.mkdirSync(path.join(root, "state"));
  }, STEP_TIMEOUT_MS);
  afterAll(() => {
    if (dir) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it("pulumi-everflow exits 1 with one line", async () => {
    const cli = await run(
      node18,
      [path.join(dir, "node_modules", ".bin", "pulumi-everflow"), "drift"],
      dir,
      env,
    );
    expect(cli.code).toBe(1);
    expect(cli.stdout).toBe("");
    expect(cli.stderr.trimEnd()).toMatch(ONE_LINE);
  });

  it("the provider fails to load with one line, as the dynamic provider host prints it", async () => {
    // cmd/dynamic-provider prints a provider's failure as `${error}: ${error.stack}`.
    const load = await run(
      node18,
      ["-e", 'try { require("pulumi-everflow/provider"); } catch (e) { console.log(`${e}: ${e.stack}`); }'],
      dir,
      env,
    );
    expectExit(load, 0);
    const [name, ...rest] = load.stdout.trimEnd().split(": ");
    expect(name).toBe("UnsupportedNodeError");
    expect(rest.join(": ")).toMatch(ONE_LINE);
  });

  it(
    "pulumi preview fails with the one line, through the language host",
    async () => {
      expectExit(await run("pulumi", ["stack", "init", "dev", "--non-interactive"], dir, env), 0);
      expectExit(await run("pulumi", ["config", "set", "--secret", "everflow:apiKey", "k"], dir, env), 0);
      const preview = await run("pulumi", ["preview", "--non-interactive"], dir, env);
      expect(preview.code).not.toBe(0);
      const output = preview.stdout + preview.stderr;
      expect(output.split("\n").map((l) => l.trim().replace(/^error: /, ""))).toContainEqual(
        expect.stringMatching(ONE_LINE),
      );
      expect(output).not.toContain("ReferenceError");
      expect(output).not.toMatch(/^\s+at /m);
    },
    STEP_TIMEOUT_MS,
  );
});
