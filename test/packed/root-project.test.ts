import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { plainCliEnv, stackSetupCommands } from "../../scripts/packed-project";
import { repoRoot } from "../support/engine";
import { cleanCheckout } from "./clean-checkout";
import { expectExit, POST, PUT, run, show, STEP_TIMEOUT_MS } from "./packed-example";

// The repository's own Pulumi project (Pulumi.yaml at the top level: a Pulumi YAML program served by
// the native plugin that `npm run build` writes to dist/plugin), run as CONTRIBUTING.md ("The root
// project") says: the plain `pulumi` CLI in the repository root, after `npm run build`, against an
// emulator, with a fresh state directory and PULUMI_HOME.

const API_KEY = "ef-root-project-key-7d1c";
/** What Pulumi.yaml declares: each postback's kind. */
const DECLARED = {
  "global-conversion": { delivery_method: "postback", pixel_level: "global", pixel_type: "conversion" },
  "offer-events": { delivery_method: "postback", pixel_level: "specific", pixel_type: "post_conversion" },
  "offer-clicks": { delivery_method: "postback", pixel_level: "specific", pixel_type: "cpc" },
  "html-pixel": { delivery_method: "html", pixel_level: "global", pixel_type: "conversion" },
};

function freshEnv(prefix: string): { root: string; env: Record<string, string> } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.mkdirSync(path.join(root, "state"));
  const cliPath = process.env.PULUMI_EVERFLOW_TEST_CLI;
  if (!cliPath) throw new Error("run with jest.packed.config.js (npm run test:packed)");
  const env = plainCliEnv(process.env, cliPath, path.join(root, "pulumi-home"), "pulumi-everflow-root");
  for (const key of Object.keys(env)) if (key.startsWith("EVERFLOW_")) delete env[key];
  return { root, env: { ...env, NO_COLOR: "1" } };
}

describe("the root project, deployed from the checkout with the pulumi CLI", () => {
  // A stack of its own, so that its Pulumi.<stack>.yaml cannot be anyone's in this checkout.
  const stack = `packed-test-${process.pid}`;
  const stackFile = path.join(repoRoot, `Pulumi.${stack}.yaml`);
  let emulator: EmulatorHandle;
  let work: { root: string; env: Record<string, string> };
  let ids: Record<string, number> = {};
  const pulumi = (...args: string[]) => run("pulumi", [...args, "--non-interactive"], repoRoot, work.env);
  const writes = () => ({ POST: emulator.log.count(POST), PUT: emulator.log.count(PUT) });

  beforeAll(async () => {
    emulator = await startEmulator({ accounts: [{ apiKey: API_KEY, networkId: 1, affiliateId: 7 }] });
    work = freshEnv("pulumi-everflow-root-project-");
  });
  afterAll(async () => {
    await emulator?.stop();
    fs.rmSync(stackFile, { force: true });
    if (work) fs.rmSync(work.root, { recursive: true, force: true });
  });
  beforeEach(() => emulator.log.reset());

  it(
    "logs in to a file backend, creates a stack and sets the emulator's URL and key",
    async () => {
      const config = [
        { key: "everflow:apiKey", value: API_KEY, secret: true },
        { key: "everflow:baseUrl", value: emulator.url },
      ];
      for (const args of stackSetupCommands(path.join(work.root, "state"), stack, config)) {
        expectExit(await pulumi(...args), 0);
      }
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "creates the program's postbacks, one POST each",
    async () => {
      expectExit(await pulumi("up", "--yes"), 0);
      expect(writes()).toEqual({ POST: 4, PUT: 0 });
      const output = await pulumi("stack", "output", "postbackIds", "--json");
      expectExit(output, 0);
      ids = JSON.parse(output.stdout) as Record<string, number>;
      expect(Object.keys(ids).sort()).toEqual(Object.keys(DECLARED).sort());
      for (const [name, kind] of Object.entries(DECLARED)) {
        expect(emulator.store.get(ids[name]!)).toMatchObject({ ...kind, pixel_status: "active" });
      }
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "changes nothing on a second up, and finds no drift",
    async () => {
      const up = await pulumi("up", "--yes");
      expectExit(up, 0);
      expect(up.stdout).toMatch(/Resources:\s+\d+ unchanged\s*\n/);
      expect(emulator.log.count("*")).toBe(0);
      expectExit(await pulumi("preview", "--refresh", "--expect-no-changes"), 0);
      const drift = await run(
        process.execPath,
        [path.join("dist", "cli", "main.js"), "drift", "--stack", stack],
        repoRoot,
        work.env,
      );
      if (drift.code !== 0) throw new Error(`expected no drift, got ${show(drift)}`);
      expect(writes()).toEqual({ POST: 0, PUT: 0 });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "destroys by deactivating every postback, and the stack is removed",
    async () => {
      expectExit(await pulumi("destroy", "--yes"), 0);
      expect(writes()).toEqual({ POST: 0, PUT: 4 });
      for (const id of Object.values(ids)) expect(emulator.store.get(id)?.pixel_status).toBe("inactive");
      expectExit(await pulumi("stack", "rm", stack, "--yes"), 0);
      expect(fs.existsSync(stackFile)).toBe(false);
    },
    STEP_TIMEOUT_MS,
  );
});

describe("the root project in a checkout that is not built", () => {
  it(
    "fails before any resource, naming the plugin folder the build writes",
    async () => {
      const dir = cleanCheckout("pulumi-everflow-root-unbuilt-");
      const work = freshEnv("pulumi-everflow-root-unbuilt-home-");
      const emulator = await startEmulator({ accounts: [{ apiKey: API_KEY, networkId: 1, affiliateId: 7 }] });
      try {
        const pulumi = (...args: string[]) => run("pulumi", [...args, "--non-interactive"], dir, work.env);
        const config = [
          { key: "everflow:apiKey", value: API_KEY, secret: true },
          { key: "everflow:baseUrl", value: emulator.url },
        ];
        for (const args of stackSetupCommands(path.join(work.root, "state"), "dev", config)) {
          expectExit(await pulumi(...args), 0);
        }
        const preview = await pulumi("preview");
        expect(preview.code).not.toBe(0);
        // Pulumi.yaml's description says to run `npm run build`, which writes that folder.
        expect(preview.stdout + preview.stderr).toContain(
          `parsing plugin options for 'everflow': no folder at path '${path.join(dir, "dist", "plugin")}'`,
        );
        expect(emulator.log.count("*")).toBe(0);
      } finally {
        await emulator.stop();
        fs.rmSync(path.dirname(dir), { recursive: true, force: true });
        fs.rmSync(work.root, { recursive: true, force: true });
      }
    },
    STEP_TIMEOUT_MS,
  );
});
