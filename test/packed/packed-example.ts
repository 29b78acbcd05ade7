import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type EmulatorAccount, type EmulatorHandle } from "../../emulator";
import {
  type ConfigSetting,
  installArgs,
  plainCliEnv,
  pulumiSdkVersion as sdkVersionIn,
  run as runCommand,
  stackSetupCommands,
  versionIn,
  type Run,
} from "../../scripts/packed-project";
import { repoRoot } from "../support/engine";
import { POSTBACK_TYPE } from "../../sdk/postback";

export const POST = "POST /v1/affiliates/pixels";
export const PUT = "PUT /v1/affiliates/pixels/:id";
const STACK = "dev";
// The step waits of a 2-core machine shared with other work: an engine run takes seconds to minutes.
export const STEP_TIMEOUT_MS = 600_000;

/** A `pulumi config set`, with a value that may depend on where the emulator listens. */
type ConfigValue = Omit<ConfigSetting, "value"> & { value: (emulatorUrl: string) => string };

export interface PackedExample {
  /** How many postbacks the program declares. */
  postbacks: number;
  accounts: EmulatorAccount[];
  /** What the example's README tells the user to `pulumi config set`, pointed at the emulator. */
  config: ConfigValue[];
}

const API_KEY = "ef-packed-key-3c8e1f";
const defaultAccount: EmulatorAccount = { apiKey: API_KEY, networkId: 1, affiliateId: 7 };
const defaultConfig: ConfigValue[] = [
  { key: "everflow:apiKey", value: () => API_KEY, secret: true },
  { key: "everflow:baseUrl", value: (url) => url },
];
/** Faster than Everflow's 5/s so that the suite stays quick; the limiter has tests of its own. */
const fastClient: ConfigValue[] = [
  { key: "everflow:requestsPerSecond", value: () => "200" },
  { key: "everflow:burst", value: () => "200" },
];

const entriesOf = (file: string) =>
  (JSON.parse(fs.readFileSync(path.join(repoRoot, "examples", file), "utf8")) as unknown[]).length;

/** Every project in examples/, with what it needs to run against the emulator. */
export const EXAMPLES: Record<string, PackedExample> = {
  "global-conversion": { postbacks: 1, accounts: [defaultAccount], config: defaultConfig },
  "offer-post-conversion": { postbacks: 1, accounts: [defaultAccount], config: defaultConfig },
  "html-pixel": { postbacks: 1, accounts: [defaultAccount], config: defaultConfig },
  "facebook-pixel": {
    postbacks: 1,
    accounts: [defaultAccount],
    config: [
      ...defaultConfig,
      { key: "facebookPixelId", value: () => "1234567890" },
      { key: "facebookAccessToken", value: () => "EAAB-packed-token-9f2d", secret: true },
    ],
  },
  "postbacks-from-file": {
    postbacks: entriesOf("postbacks-from-file/postbacks.json"),
    accounts: [defaultAccount],
    config: defaultConfig,
  },
  "two-accounts": {
    postbacks: 2,
    accounts: [
      { apiKey: "ef-packed-brand-key-51ab", networkId: 1, affiliateId: 7, label: "brand" },
      { apiKey: "ef-packed-partner-key-e07c", networkId: 1, affiliateId: 8, label: "partner" },
    ],
    config: [
      {
        key: "everflow:accounts.brand.apiKey",
        value: () => "ef-packed-brand-key-51ab",
        secret: true,
        path: true,
      },
      {
        key: "everflow:accounts.partner.apiKey",
        value: () => "ef-packed-partner-key-e07c",
        secret: true,
        path: true,
      },
      { key: "everflow:accounts.brand.baseUrl", value: (url) => url, path: true },
      { key: "everflow:accounts.partner.baseUrl", value: (url) => url, path: true },
    ],
  },
};

export type { Run };

/** Runs a command to its end; never rejects on a non-zero exit (the caller asserts on the code). */
export const run = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> =>
  runCommand(command, args, { cwd, env, timeoutMs: STEP_TIMEOUT_MS });

/** A failed step's output, for the assertion message. */
export const show = (r: Run) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

export function expectExit(r: Run, code: number): void {
  if (r.code !== code) throw new Error(`expected exit ${code}, got ${show(r)}`);
}

/** The @pulumi/pulumi the examples get: the one this checkout is tested with (the CI matrix changes it). */
export const pulumiSdkVersion = (): string => sdkVersionIn(repoRoot);

/**
 * examples/<name> copied into a fresh directory, installed from the packed tarball, and driven through
 * preview, up, a no-op up, drift, repair and destroy by the plain `pulumi` CLI. The language host
 * compiles the example's index.ts, and the engine's dynamic provider process loads the provider from
 * the installed package, as on a user's machine.
 */
export function describePackedExample(name: string): void {
  const example = EXAMPLES[name];
  if (!example) throw new Error(`no entry for examples/${name} in EXAMPLES`);

  describe(`examples/${name}, installed from the packed package and run with the pulumi CLI`, () => {
    let emulator: EmulatorHandle;
    let dir: string;
    let env: NodeJS.ProcessEnv;
    let ids: number[] = [];
    /** The postback edited out of band, and its declared delay. */
    let edited = { id: 0, declared: 0 };
    const pulumi = (...args: string[]) => run("pulumi", [...args, "--non-interactive"], dir, env);
    const writes = () => ({ POST: emulator.log.count(POST), PUT: emulator.log.count(PUT) });

    beforeAll(async () => {
      const tarball = process.env.PULUMI_EVERFLOW_TARBALL;
      const cliPath = process.env.PULUMI_EVERFLOW_TEST_CLI;
      if (!tarball || !cliPath) throw new Error("run with jest.packed.config.js (npm run test:packed)");
      emulator = await startEmulator({ accounts: example.accounts, rateLimit: { rate: 200, burst: 200 } });
      const root = fs.mkdtempSync(path.join(os.tmpdir(), `pulumi-everflow-packed-${name}-`));
      dir = path.join(root, name);
      fs.cpSync(path.join(repoRoot, "examples", name), dir, {
        recursive: true,
        filter: (src) => !/(^|[/\\])(node_modules|Pulumi\.[^/\\]+\.yaml)$/.test(src),
      });
      env = {
        ...plainCliEnv(process.env, cliPath, path.join(root, "pulumi-home"), "pulumi-everflow-packed"),
        NO_COLOR: "1",
      };
      fs.mkdirSync(path.join(root, "state"));
    }, STEP_TIMEOUT_MS);
    afterAll(async () => {
      await emulator?.stop();
      if (dir && !process.env.PULUMI_EVERFLOW_KEEP_WORK)
        fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    });
    beforeEach(() => emulator.log.reset());

    it(
      "installs from the tarball, with the example's own dependencies",
      async () => {
        const install = await run(
          "npm",
          installArgs(process.env.PULUMI_EVERFLOW_TARBALL!, pulumiSdkVersion()),
          dir,
          env,
        );
        expectExit(install, 0);
        const installed = path.join(dir, "node_modules", "pulumi-everflow");
        expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
        expect(versionIn(path.join(installed, "package.json"))).toBe(
          versionIn(path.join(repoRoot, "package.json")),
        );
        expect(fs.existsSync(path.join(dir, "node_modules", ".bin", "pulumi-everflow"))).toBe(true);

        const config = [...example.config, ...fastClient].map(({ value, ...c }) => ({
          ...c,
          value: value(emulator.url),
        }));
        const stateDir = path.join(path.dirname(dir), "state");
        for (const args of stackSetupCommands(stateDir, STACK, config)) expectExit(await pulumi(...args), 0);
      },
      STEP_TIMEOUT_MS,
    );

    it(
      "previews the creates without writing to Everflow",
      async () => {
        const preview = await pulumi("preview");
        expectExit(preview, 0);
        expect(preview.stdout).toMatch(/\+ \d+ to create/);
        expect(writes()).toEqual({ POST: 0, PUT: 0 });
        // The host is beside the engine, so the engine takes it as its own (no "from $PATH" warning).
        expect(preview.stdout + preview.stderr).not.toContain("from $PATH");
      },
      STEP_TIMEOUT_MS,
    );

    it(
      "creates every postback with one POST each",
      async () => {
        expectExit(await pulumi("up", "--yes"), 0);
        expect(writes()).toEqual({ POST: example.postbacks, PUT: 0 });
        ids = emulator.store.all().map((p) => p.network_pixel_id);
        expect(ids).toHaveLength(example.postbacks);
        for (const id of ids) expect(emulator.store.get(id)?.pixel_status).toBe("active");
        // Each postback's source position is the line of the example's own TypeScript that declared
        // it, mapped through Pulumi's source maps (sdk/registration-stacks.ts must not cost it that).
        const exported = await pulumi("stack", "export");
        expectExit(exported, 0);
        const postbacks = (
          JSON.parse(exported.stdout) as {
            deployment: { resources: { type: string; sourcePosition?: string }[] };
          }
        ).deployment.resources.filter((r) => r.type === POSTBACK_TYPE);
        expect(postbacks).toHaveLength(example.postbacks);
        for (const r of postbacks) expect(r.sourcePosition).toMatch(/^project:\/\/\/[\w-]+\.ts#\d+,\d+$/);
      },
      STEP_TIMEOUT_MS,
    );

    it(
      "changes nothing and calls no API on a second up",
      async () => {
        const up = await pulumi("up", "--yes");
        expectExit(up, 0);
        expect(up.stdout).toMatch(/Resources:\s+\d+ unchanged\s*\n/);
        expect(emulator.log.count("*")).toBe(0);
      },
      STEP_TIMEOUT_MS,
    );

    it(
      "fails preview --refresh --expect-no-changes and `pulumi-everflow drift` after an edit in Everflow",
      async () => {
        const id = ids[0]!;
        const declared = emulator.store.get(id)!.delay_ms;
        edited = { id, declared };
        emulator.store.update(id, { delay_ms: declared + 1234 });

        const preview = await pulumi("preview", "--refresh", "--expect-no-changes");
        expect(preview.code).not.toBe(0);
        expect(preview.stdout + preview.stderr).toContain("no changes were expected");

        const drift = await run("npx", ["--no", "pulumi-everflow", "drift", "--stack", STACK], dir, env);
        if (drift.code !== 2) throw new Error(`expected drift to exit 2, got ${show(drift)}`);
        expect(drift.stdout).toContain("delayMs");
        expect(drift.stdout).toContain(String(declared + 1234));
        expect(writes()).toEqual({ POST: 0, PUT: 0 });
        expect(emulator.store.get(id)!.delay_ms).toBe(declared + 1234);
      },
      STEP_TIMEOUT_MS,
    );

    it(
      "repairs the edit with up --refresh: one PUT, no POST",
      async () => {
        expectExit(await pulumi("up", "--refresh", "--yes"), 0);
        expect(writes()).toEqual({ POST: 0, PUT: 1 });
        expect(emulator.store.get(edited.id)!.delay_ms).toBe(edited.declared);
        emulator.log.reset();
        expectExit(await pulumi("preview", "--refresh", "--expect-no-changes"), 0);
        expect(writes()).toEqual({ POST: 0, PUT: 0 });
      },
      STEP_TIMEOUT_MS,
    );

    it(
      "destroys by deactivating every postback, creating nothing",
      async () => {
        expectExit(await pulumi("destroy", "--yes"), 0);
        expect(writes()).toEqual({ POST: 0, PUT: example.postbacks });
        for (const id of ids) expect(emulator.store.get(id)?.pixel_status).toBe("inactive");
      },
      STEP_TIMEOUT_MS,
    );
  });
}
