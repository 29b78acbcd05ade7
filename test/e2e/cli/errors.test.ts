import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "../../../emulator";
import { resetClientRegistry } from "../../../provider/client";
import { createEverflowStack, type EverflowTestStack } from "../../support/everflow";
import { runCli, spawnCli, stackEnv } from "./helpers";

const KEY = "ef-cli-errors-key-8b3a61";

/** A port on 127.0.0.1 with nothing listening: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The process environment without any EVERFLOW_* variable the machine may have. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("EVERFLOW_")) delete env[key];
  return { ...env, ...extra };
}

const oneLine = (text: string) => text.trimEnd().split("\n").length === 1;

describe("pulumi-everflow error paths", () => {
  let emulator: EmulatorHandle;
  let tmp: string;

  beforeAll(async () => {
    emulator = await startEmulator({ accounts: [{ apiKey: KEY, networkId: 1, affiliateId: 9 }] });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-everflow-cli-"));
  });
  afterAll(async () => {
    await resetClientRegistry();
    await emulator?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("a bad flag: exit 1, one line with the usage (compiled binary)", async () => {
    const r = await spawnCli(["adopt", "--outt", "x.ts"], cleanEnv());
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toBe(
      "pulumi-everflow adopt: unknown option '--outt'; usage: pulumi-everflow adopt [--out FILE] [--language typescript|yaml|python] [--project NAME] [--account NAME] [--active-only] (see --help)\n",
    );
  });

  it("a missing key: exit 1, naming EVERFLOW_API_KEY (compiled binary)", async () => {
    const r = await spawnCli(["adopt"], cleanEnv({ EVERFLOW_BASE_URL: emulator.url }));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      'pulumi-everflow adopt: no Everflow API key for account "default": set the EVERFLOW_API_KEY environment variable\n',
    );
    expect(emulator.log.count("*")).toBe(0);
  });

  it("an unreachable API: exit 1, one line saying where and why, never the key", async () => {
    const port = await closedPort();
    const r = await runCli(
      ["adopt"],
      cleanEnv({
        EVERFLOW_API_KEY: KEY,
        EVERFLOW_BASE_URL: `http://127.0.0.1:${port}/v1`,
        EVERFLOW_MAX_ATTEMPTS: "1",
      }),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(
      new RegExp(
        `^pulumi-everflow adopt: cannot list the postbacks of account "default" at http://127\\.0\\.0\\.1:${port}/v1: .*ECONNREFUSED`,
      ),
    );
    expect(r.stderr).not.toContain(KEY);
  });

  it("a key Everflow refuses: exit 1 with the API's answer, never the key", async () => {
    const r = await runCli(
      ["adopt"],
      cleanEnv({ EVERFLOW_API_KEY: "ef-wrong-key-000000", EVERFLOW_BASE_URL: emulator.url }),
    );
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toContain("HTTP 401");
    expect(r.stderr).not.toContain("ef-wrong-key-000000");
  });

  it("an empty account: writes a program that declares nothing, and says so (exit 0)", async () => {
    const out = path.join(tmp, "empty.ts");
    const r = await runCli(
      ["adopt", "--out", out],
      cleanEnv({ EVERFLOW_API_KEY: KEY, EVERFLOW_BASE_URL: emulator.url }),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `adopt: account "default" has no postbacks: wrote a program that declares none to ${out}\n`,
    );
    const text = fs.readFileSync(out, "utf8");
    expect(text).toContain('import { Postback } from "pulumi-everflow";');
    expect(text).not.toContain("new Postback(");
  });

  it("--active-only on an account with only inactive postbacks says what it left out", async () => {
    emulator.store.seed(KEY, {
      delivery_method: "postback",
      postback_url: "https://a.example.com/",
      pixel_status: "inactive",
    });
    const r = await runCli(
      ["adopt", "--active-only"],
      cleanEnv({ EVERFLOW_API_KEY: KEY, EVERFLOW_BASE_URL: emulator.url }),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("new Postback(");
    expect(r.stderr).toBe(
      'adopt: account "default" has no active postbacks (1 inactive left out): wrote a program that declares none to stdout\n',
    );
  });
});

describe("pulumi-everflow drift on a stack without postbacks", () => {
  let t: EverflowTestStack;

  beforeAll(async () => {
    t = await createEverflowStack("cli-empty", async () => ({}));
    await t.stack.up();
  });
  afterAll(async () => t?.stop());

  it("is clean (exit 0) and calls nothing", async () => {
    t.emulator.log.reset();
    const r = await runCli(["drift", "--stack", "test"], stackEnv(t), t.workDir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^No drift in stack "test": 0 postbacks compared/);
    expect(t.totalCalls()).toBe(0);
  });

  it("uses the project's current stack without --stack", async () => {
    const r = await runCli(["drift", "--json"], stackEnv(t), t.workDir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      stack: "test",
      basis: "last-applied",
      checked: 0,
      drift: [],
      missing: [],
    });
  });
});
