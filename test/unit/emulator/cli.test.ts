// The everflow-emulator command line: flag parsing and main() in-process, plus one spawn of the built
// dist/emulator/cli.js (skipped, with a message, when it has not been built: `npm test` builds first).

import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

import { startEmulator, type EmulatorHandle } from "../../../emulator";
import { main, parseCli, UsageError, type CliIo } from "../../../emulator/cli";

const parse = (argv: string[], env: Record<string, string | undefined> = {}): ReturnType<typeof parseCli> =>
  parseCli(argv, env);

describe("parseCli", () => {
  test("defaults: port 8787, loopback, one test-api-key account (affiliate 7, network 1), 5/s burst 20", () => {
    const parsed = parse([]);
    expect(parsed).toEqual({
      help: false,
      options: {
        port: 8787,
        host: "127.0.0.1",
        accounts: [{ apiKey: "test-api-key", networkId: 1, affiliateId: 7, label: "affiliate:7" }],
        networkKeys: [],
        rateLimit: { rate: 5, burst: 20 },
        latency: { fixedMs: 0, jitterMs: 0 },
        creationDisabled: false,
        maskAccessToken: false,
        paging: {},
        quirks: {},
      },
    });
  });

  test("--paging switches, repeatable, checked", () => {
    const parsed = parse(["--paging", "zeroBased", "--paging", "maxPageSize=50", "--paging=totalOffset=-3"]);
    expect(parsed.help === false && parsed.options.paging).toEqual({
      zeroBased: true,
      maxPageSize: 50,
      totalOffset: -3,
    });
    expect(() => parse(["--paging", "sideways"])).toThrow(/unknown switch "sideways"/);
    expect(() => parse(["--paging", "maxPageSize"])).toThrow(/needs an integer/);
    expect(() => parse(["--paging", "endless=1"])).toThrow(/takes no value/);
    expect(() => parse(["--paging", "totalOffset=1=2"])).toThrow(/needs an integer/);
  });

  test("quirk switches: --escape, --mask-access-token-in, --truncate, --method-default (repeatable)", () => {
    const parsed = parse([
      "--escape=all",
      "--mask-access-token-in",
      "reads",
      "--truncate",
      "html_code=65535",
      "--truncate",
      "postback_url=2048",
      "--method-default",
      "html.delay_ms=0",
      "--method-default",
      "facebook.network_offer_payout_revenue_id=0",
      "--method-default",
      "facebook.delay_ms=10",
    ]);
    if (parsed.help) throw new Error("unexpected help");
    expect(parsed.options.maskAccessToken).toBe("reads");
    expect(parsed.options.quirks).toEqual({
      escape: "all",
      truncate: { html_code: 65535, postback_url: 2048 },
      methodDefaults: {
        html: { delay_ms: 0 },
        facebook: { network_offer_payout_revenue_id: 0, delay_ms: 10 },
      },
    });
  });

  test("every flag", () => {
    const parsed = parse([
      "--port=0",
      "--host",
      "::1",
      "--api-key",
      "k1",
      "--api-key",
      "k2",
      "--affiliate-id",
      "12",
      "--network-id",
      "3",
      "--network-key",
      "nk",
      "--rate",
      "2.5",
      "--burst",
      "40",
      "--latency-ms",
      "50",
      "--jitter-ms",
      "10",
      "--creation-disabled",
      "--mask-access-token",
      "--escape",
      "reads",
      "--truncate",
      "postback_url=2048",
      "--method-default",
      "html.delay_ms=0",
      "--stored-form",
      "reads",
    ]);
    expect(parsed).toEqual({
      help: false,
      options: {
        port: 0,
        host: "::1",
        accounts: [
          { apiKey: "k1", networkId: 3, affiliateId: 12, label: "affiliate:12#1" },
          { apiKey: "k2", networkId: 3, affiliateId: 12, label: "affiliate:12#2" },
        ],
        networkKeys: [{ apiKey: "nk", networkId: 3, label: "network:3#1" }],
        rateLimit: { rate: 2.5, burst: 40 },
        latency: { fixedMs: 50, jitterMs: 10 },
        creationDisabled: true,
        maskAccessToken: "all",
        paging: {},
        quirks: {
          escape: "reads",
          truncate: { postback_url: 2048 },
          methodDefaults: { html: { delay_ms: 0 } },
          storedForm: "reads",
        },
      },
    });
  });

  test("--api-key falls back to EVERFLOW_API_KEY", () => {
    const parsed = parse([], { EVERFLOW_API_KEY: "from-env" });
    expect(parsed.help === false && parsed.options.accounts?.[0]?.apiKey).toBe("from-env");
    const flag = parse(["--api-key", "flag"], { EVERFLOW_API_KEY: "from-env" });
    expect(flag.help === false && flag.options.accounts?.map((a) => a.apiKey)).toEqual(["flag"]);
  });

  test("--help", () => {
    expect(parse(["--help"])).toEqual({ help: true });
    expect(parse(["-h"])).toEqual({ help: true });
  });

  test.each([
    [["--port", "70000"], "--port"],
    [["--port", "abc"], "--port"],
    [["--port"], "port"],
    [["--rate", "0"], "--rate"],
    [["--rate", "fast"], "--rate"],
    [["--burst", "1.5"], "--burst"],
    [["--latency-ms=-1"], "--latency-ms"],
    [["--rate", "-1"], "--rate"],
    [["--affiliate-id", "0"], "--affiliate-id"],
    [["--network-id", "x"], "--network-id"],
    [["--api-key", ""], "--api-key"],
    [["--api-key", "a", "--api-key", "a"], "twice"],
    [["--account", "7"], "--account must be AFFILIATE[/NETWORK]=KEY"],
    [["--account", "x=k"], "--account must be"],
    [["--account", "0=k"], "account affiliate id"],
    [["--api-key", "a", "--account", "8=a"], "twice"],
    [["--escape", "writes"], '--escape must be reads or all, got "writes"'],
    [["--escape"], "escape"],
    [["--stored-form", "sent"], "--stored-form must be reads or all"],
    [["--mask-access-token-in", "some"], "--mask-access-token-in must be reads or all"],
    [["--mask-access-token", "--mask-access-token-in", "reads"], "not both"],
    [["--truncate", "postback_url"], "--truncate must be FIELD=N"],
    [["--truncate", "postback_url=-1"], "--truncate must be FIELD=N with N an integer >= 0"],
    [["--truncate", "postback_url=1.5"], "--truncate must be FIELD=N"],
    [["--truncate", "delay_ms=3"], '--truncate: unknown field "delay_ms" (postback_url, html_code)'],
    [["--truncate", "html_code=1", "--truncate", "html_code=2"], "--truncate html_code was given twice"],
    [["--method-default", "html=0"], "--method-default: unknown field"],
    [["--method-default", "sms.delay_ms=0"], '--method-default: unknown delivery method "sms"'],
    [["--method-default", "html.postback_url=0"], '--method-default: unknown field "postback_url"'],
    [["--method-default", "html.delay_ms.x=0"], '--method-default: unknown field "delay_ms.x"'],
    [["--method-default", "html.delay_ms=x"], "--method-default must be METHOD.FIELD=N"],
    [["--method-default", "html.delay_ms=1", "--method-default", "html.delay_ms=2"], "given twice"],
    [["--bogus"], "bogus"],
    [["positional"], "positional"],
  ])("%j is a usage error naming %s", (argv, fragment) => {
    expect(() => parse(argv)).toThrow(UsageError);
    expect(() => parse(argv)).toThrow(fragment);
  });
});

describe("several affiliates", () => {
  test("--account adds affiliates of their own, in the default or a given network", () => {
    const parsed = parse([
      "--network-id",
      "3",
      "--account",
      "7=k7",
      "--account",
      "8=k8",
      "--account",
      "9/4=k9",
    ]);
    expect(parsed.help === false && parsed.options.accounts).toEqual([
      { apiKey: "k7", networkId: 3, affiliateId: 7, label: "affiliate:7" },
      { apiKey: "k8", networkId: 3, affiliateId: 8, label: "affiliate:8" },
      { apiKey: "k9", networkId: 4, affiliateId: 9, label: "affiliate:9" },
    ]);
  });

  test("--account keeps the --api-key accounts", () => {
    const parsed = parse(["--api-key", "k", "--account", "8=k8"]);
    expect(parsed.help === false && parsed.options.accounts?.map((a) => a.affiliateId)).toEqual([7, 8]);
  });

  test("each key sees only its own affiliate's postbacks", async () => {
    const parsed = parse(["--port", "0", "--account", "7=k7", "--account", "8=k8"]);
    if (parsed.help) throw new Error("unexpected help");
    const emulator = await startEmulator(parsed.options);
    try {
      const mine = emulator.store.seed("k7");
      const get = (key: string, path: string) =>
        fetch(`${emulator.url}${path}`, { headers: { "X-Eflow-API-Key": key } });
      expect((await get("k7", `/affiliates/pixels/${mine.network_pixel_id}`)).status).toBe(200);
      expect((await get("k8", `/affiliates/pixels/${mine.network_pixel_id}`)).status).toBe(404);
      const listed = (await (await get("k8", "/affiliates/pixels")).json()) as { pixels: unknown[] };
      expect(listed.pixels).toEqual([]);
    } finally {
      await emulator.stop();
    }
  });
});

function captureIo(waitForStop: CliIo["waitForStop"], env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, waitForStop };
  return { io, out, err };
}

describe("main (in process)", () => {
  test("prints the base URL alone on the first stdout line, serves, stops cleanly with 0", async () => {
    let seen: { status: number; url: string } | undefined;
    const { io, out, err } = captureIo(async (handle: EmulatorHandle) => {
      // Called before the URL is printed (the stop is watched first): read it once serving.
      const res = await fetch(`${handle.url}/affiliates/pixels`, {
        headers: { "X-Eflow-API-Key": "cli-key" },
      });
      const url = out.join("").split("\n")[0] ?? "";
      seen = { status: res.status, url };
      expect(handle.url).toBe(url);
    });
    const code = await main(["--port", "0", "--api-key", "cli-key"], io);
    expect(code).toBe(0);
    expect(seen?.status).toBe(200);
    expect(seen?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(out.join("")).toBe(`${seen?.url}\n`);
    expect(err.join("")).toContain("listening");
    expect(err.join("")).not.toContain("cli-key");
  });

  test("switches from flags reach the emulator", async () => {
    let status = 0;
    const { io } = captureIo(async (handle) => {
      const res = await fetch(`${handle.url}/affiliates/pixels`, {
        method: "POST",
        headers: { "X-Eflow-API-Key": "test-api-key", "Content-Type": "application/json" },
        body: "{}",
      });
      status = res.status;
    });
    expect(await main(["--port", "0", "--creation-disabled"], io)).toBe(0);
    expect(status).toBe(403);
  });

  test("quirk flags reach the emulator: escaped in reads only, truncated when stored", async () => {
    const url = "https://t.example/cb?a=1&b=2&c=3";
    const seen: Record<string, string> = {};
    const { io, out } = captureIo(async (handle) => {
      const headers = { "X-Eflow-API-Key": "test-api-key", "Content-Type": "application/json" };
      const created = await fetch(`${handle.url}/affiliates/pixels`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          delivery_method: "postback",
          pixel_level: "global",
          pixel_status: "active",
          pixel_type: "conversion",
          postback_url: url,
        }),
      });
      const pixel = (await created.json()) as { network_pixel_id: number; postback_url: string };
      seen.create = pixel.postback_url;
      const read = await fetch(`${handle.url}/affiliates/pixels/${pixel.network_pixel_id}`, { headers });
      seen.get = ((await read.json()) as { postback_url: string }).postback_url;
      seen.stored = handle.store.get(pixel.network_pixel_id)?.postback_url ?? "";
      expect(out.join("")).toBe(`${handle.url}\n`);
    });
    const argv = ["--port", "0", "--escape", "reads", "--truncate", "postback_url=28", "--rate", "100"];
    expect(await main(argv, io)).toBe(0);
    expect(seen).toEqual({
      create: url.slice(0, 28),
      get: "https://t.example/cb?a=1&amp;b=2",
      stored: url.slice(0, 28),
    });
  });

  test("a bad quirk flag: message and usage on stderr, exit code 2", async () => {
    const { io, out, err } = captureIo(async () => undefined);
    expect(await main(["--truncate", "html_code=many"], io)).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("")).toContain("--truncate must be FIELD=N");
    expect(err.join("")).toContain("--method-default METHOD.FIELD=N");
  });

  test("the reason to stop, when there is one, is on stderr; the stop is clean (exit code 0)", async () => {
    const { io, err } = captureIo(async () => "its parent process 4242 exited");
    expect(await main(["--port", "0"], io)).toBe(0);
    expect(err.join("")).toContain("everflow-emulator: stopping (its parent process 4242 exited)\n");
  });

  test("a bad flag: message and usage on stderr, nothing on stdout, exit code 2", async () => {
    const { io, out, err } = captureIo(async () => undefined);
    expect(await main(["--rate=-3"], io)).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("")).toContain("--rate must be a number > 0");
    expect(err.join("")).toContain("Usage: everflow-emulator");
  });

  test("--help prints usage on stdout, exit code 0", async () => {
    const { io, out } = captureIo(async () => undefined);
    expect(await main(["--help"], io)).toBe(0);
    expect(out.join("")).toContain("--api-key");
    expect(out.join("")).toContain(
      `curl -X PATCH -d '{"delay_ms": 5000}' http://127.0.0.1:8787/_emulator/pixels/1000`,
    );
  });

  test("a port in use: exit code 1 with a message", async () => {
    const busy = await startEmulator();
    try {
      const port = new URL(busy.url).port;
      const { io, out, err } = captureIo(async () => undefined);
      expect(await main(["--port", port], io)).toBe(1);
      expect(out).toEqual([]);
      expect(err.join("")).toContain("cannot start");
    } finally {
      await busy.stop();
    }
  });
});

const cliJs =
  process.env.EVERFLOW_EMULATOR_CLI_JS ?? path.resolve(__dirname, "../../../dist/emulator/cli.js");
const built = existsSync(cliJs);
const describeBuilt = built ? describe : describe.skip;

describeBuilt("dist/emulator/cli.js (spawned; skipped when not built)", () => {
  test("prints the URL first, serves requests, exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, [cliJs, "--port", "0", "--api-key", "spawned-key"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, EVERFLOW_API_KEY: "" },
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let buffer = "";
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", (chunk: string) => {
          buffer += chunk;
          const newline = buffer.indexOf("\n");
          if (newline >= 0) resolve(buffer.slice(0, newline));
        });
        child.on("exit", (code) => reject(new Error(`cli exited early with ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const res = await fetch(`${url}/affiliates/pixels`, { headers: { "X-Eflow-API-Key": "spawned-key" } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ pixels: [] });
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });

  test("a bad flag exits 2 with a message on stderr", () => {
    const result = spawnSync(process.execPath, [cliJs, "--no-such-flag"], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("no-such-flag");
  });
});
