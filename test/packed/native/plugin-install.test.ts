import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { MIN_NODE_VERSION } from "../../../provider/core/node-support";
import { run } from "../../../scripts/packed-project";
import { repoRoot } from "../../support/engine";
import { installedPlugin, installPlugin, PLUGIN_VERSION } from "../../support/native-plugin";
import { expectExit, nativeStack, STEP_TIMEOUT_MS, type NativeStack } from "./native-stack";

// The plugin tarball installed as a user installs it, `pulumi plugin install resource everflow <version>
// --file <tarball>`, into a fresh PULUMI_HOME, where the engine finds it; and the launcher in it, which
// says in one line that Node.js is missing or too old instead of failing inside the engine.

const PROGRAM = `name: plugin-install
runtime: yaml
resources:
  conversion:
    type: everflow:index:Postback
    properties:
      deliveryMethod: postback
      pixelLevel: global
      pixelType: conversion
      postbackUrl: https://track.example.com/cb?tid={transaction_id}
`;
const NEEDS = `pulumi-resource-everflow: needs Node.js ${MIN_NODE_VERSION} or later on PATH`;

describe("the plugin tarball, installed with pulumi plugin install", () => {
  let s: NativeStack;

  beforeAll(async () => {
    s = await nativeStack({
      name: "plugin-install",
      project: { "Pulumi.yaml": PROGRAM },
      installPlugin: false,
    });
  }, STEP_TIMEOUT_MS);
  afterAll(() => s?.stop());
  beforeEach(() => s.emulator.log.reset());

  it(
    "is missing from a fresh PULUMI_HOME: the engine says it finds no everflow plugin",
    async () => {
      const list = await s.pulumi("plugin", "ls", "--json");
      expectExit(list, 0);
      expect(JSON.parse(list.stdout || "[]")).toEqual([]);
      const preview = await s.pulumi("preview");
      expect(preview.code).toBe(1);
      expect(preview.stdout + preview.stderr).toContain(
        "no resource plugin 'pulumi-resource-everflow' found",
      );
      expect(s.requests()).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "installs into PULUMI_HOME, where the engine finds it",
    async () => {
      expectExit(await installPlugin(s.env), 0);
      const list = await s.pulumi("plugin", "ls", "--json");
      expectExit(list, 0);
      expect(JSON.parse(list.stdout)).toEqual([
        expect.objectContaining({ name: "everflow", kind: "resource", version: PLUGIN_VERSION }),
      ]);
      const executable = installedPlugin(s.home);
      fs.accessSync(executable, fs.constants.X_OK);
      const up = await s.pulumi("up", "--yes");
      expectExit(up, 0);
      expect(s.writes()).toEqual({ POST: 1, PUT: 0 });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "answers pulumi package get-schema with the committed schema",
    async () => {
      const schema = await s.pulumi("package", "get-schema", installedPlugin(s.home));
      expectExit(schema, 0);
      const committed = fs.readFileSync(path.join(repoRoot, "provider", "native", "schema.json"), "utf8");
      expect(JSON.parse(schema.stdout)).toEqual(JSON.parse(committed));
      expect(s.requests()).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );

  /** A PATH with the pulumi CLI and what the launcher itself needs (sh, dirname), and `node` as given. */
  function pathWith(nodeDir: string | undefined): string {
    const tools = path.join(path.dirname(s.dir), "tools");
    fs.mkdirSync(tools, { recursive: true });
    for (const tool of ["sh", "dirname"]) {
      const found = execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim();
      if (!fs.existsSync(path.join(tools, tool))) fs.symlinkSync(found, path.join(tools, tool));
    }
    const cli = path.dirname(process.env.PULUMI_EVERFLOW_TEST_CLI!);
    return [...(nodeDir ? [nodeDir] : []), tools, cli].join(path.delimiter);
  }

  it.each([
    ["no Node.js on PATH", () => undefined, /^, and there is none; install Node\.js 22 or 24$/],
    [
      "Node.js 18 on PATH",
      () =>
        path.dirname(
          execFileSync(path.join(repoRoot, "scripts", "ensure-node"), ["18"], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "inherit"],
          }).trim(),
        ),
      /^, but \/\S+\/node is v18\.\d+\.\d+; install Node\.js 22 or 24$/,
    ],
  ])(
    "with %s, the plugin stops with one line saying so, which the engine shows",
    async (_what, nodeDir, rest) => {
      const env = { ...s.env, PATH: pathWith(nodeDir()) };
      const direct = await run(installedPlugin(s.home), [], { cwd: s.dir, env });
      expect(direct.code).toBe(1);
      expect(direct.stdout).toBe("");
      const lines = direct.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]!.startsWith(NEEDS)).toBe(true);
      expect(lines[0]!.slice(NEEDS.length)).toMatch(rest);

      const preview = await run("pulumi", ["preview", "--non-interactive"], { cwd: s.dir, env });
      expect(preview.code).toBe(1);
      expect(preview.stdout + preview.stderr).toContain(lines[0]!);
      expect(s.requests()).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );
});
