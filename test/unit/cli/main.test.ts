import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseFlags, UsageError } from "../../../cli/args";
import { engineEnv, packageRoot, resolvePulumiCli } from "../../../cli/engine";
import { main } from "../../../cli/main";

function run(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = os.tmpdir()) {
  let stdout = "";
  let stderr = "";
  const done = main(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env,
    cwd,
  });
  return done.then((code) => ({ code, stdout, stderr }));
}

describe("flags", () => {
  const options = { stack: { type: "string" }, json: { type: "boolean" } } as const;

  it("parses known flags", () => {
    expect(parseFlags(["--stack", "dev", "--json"], options)).toEqual({ stack: "dev", json: true });
    expect(parseFlags(["--stack=prod"], options)).toEqual({ stack: "prod" });
  });

  it.each([
    [["--nope"], "unknown option '--nope'"],
    [["--stack"], "option '--stack <value>' argument missing"],
    [["extra"], "unexpected argument 'extra'"],
    [["--stack", ""], "option '--stack' needs a value"],
    [["--json=yes"], "option '--json' does not take an argument"],
  ])("refuses %j with one line: %s", (argv, message) => {
    let error: unknown;
    try {
      parseFlags(argv, options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(message);
  });
});

describe("main", () => {
  it("prints the commands and exit codes with --help (exit 0), and fails without a command (exit 1)", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("drift");
    expect(help.stdout).toContain("adopt");
    expect(help.stdout).toContain(
      "Exit codes: 0 success (drift: no drift), 1 error (bad flags included), 2 drift found",
    );
    const none = await run([]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("usage: pulumi-everflow <command>");
  });

  it("refuses an unknown command (exit 1)", async () => {
    const r = await run(["plan"]);
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr: 'pulumi-everflow: unknown command "plan" (commands: drift, adopt, recover; see --help)\n',
    });
  });

  it.each([["drift"], ["adopt"]])("%s: a bad flag is one line with the usage, exit 1", async (command) => {
    const r = await run([command, "--bogus"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(
      `pulumi-everflow ${command}: unknown option '--bogus'; usage: pulumi-everflow ${command} [`,
    );
  });

  it.each([["drift"], ["adopt"]])(
    "%s --help documents the exit codes and states what is compared",
    async (command) => {
      const r = await run([command, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Exit codes: 0 /);
      if (command === "drift") {
        expect(r.stdout).toContain("changed since Everflow answered the last `pulumi up`");
        expect(r.stdout).toContain("refresh-only preview");
      } else {
        expect(r.stdout).toContain("never written");
        expect(r.stdout).toContain("--active-only");
      }
    },
  );

  it("adopt: a missing key names the variable (exit 1); a named account names its own", async () => {
    const r = await run(["adopt"], { EVERFLOW_API_KEY: "" });
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'pulumi-everflow adopt: no Everflow API key for account "default": set the EVERFLOW_API_KEY environment variable\n',
    });
    const named = await run(["adopt", "--account", "partner-eu"], { EVERFLOW_API_KEY: "k-default-1234" });
    expect(named.code).toBe(1);
    expect(named.stderr).toContain("EVERFLOW_API_KEY_PARTNER_EU");
    expect(named.stderr).not.toContain("k-default-1234");
  });

  it("adopt: refuses an account name the provider would refuse, and an output in a missing directory", async () => {
    const bad = await run(["adopt", "--account", "1st"], { EVERFLOW_API_KEY: "k" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--account must start with a letter");
    const out = await run(["adopt", "--out", "no/such/dir/stack.ts"], { EVERFLOW_API_KEY: "k" });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/cannot write .*stack\.ts: .* is not a directory/);
  });

  it("drift: a directory without a Pulumi project is an error (exit 1)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-"));
    try {
      const r = await run(["drift", "--cwd", dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `pulumi-everflow drift: no Pulumi project in ${dir} (no Pulumi.yaml): pass --cwd with the project's directory\n`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});

describe("engine resolution", () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "engine-"));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const exe = (file: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, "#!/bin/sh\necho ok\n", { mode: 0o755 });
    return file;
  };
  const none = { packageRoot: null, home: "/nonexistent-home" };

  it("takes PULUMI_CLI first, and refuses one that is not executable", () => {
    const cli = exe(path.join(tmp, "a", "bin", "pulumi"));
    exe(path.join(tmp, "path", "pulumi"));
    expect(resolvePulumiCli({ PULUMI_CLI: cli, PATH: path.join(tmp, "path") }, none)).toEqual({
      cliPath: cli,
      source: "PULUMI_CLI",
    });
    expect(() => resolvePulumiCli({ PULUMI_CLI: path.join(tmp, "missing") }, none)).toThrow(
      /not an executable/,
    );
  });

  it("then a pulumi on PATH, then the ensure-pulumi cache (newest version with its plugin shim)", () => {
    const onPath = exe(path.join(tmp, "path", "pulumi"));
    expect(
      resolvePulumiCli({ PATH: `/nonexistent${path.delimiter}${path.join(tmp, "path")}` }, none),
    ).toEqual({
      cliPath: onPath,
      source: "PATH",
    });
    const cache = path.join(tmp, "cache");
    for (const v of ["3.9.0", "3.259.0"]) {
      exe(path.join(cache, "pulumi-everflow", "engine", v, "bin", "pulumi"));
      exe(path.join(cache, "pulumi-everflow", "engine", v, "bin", "pulumi-resource-pulumi-nodejs"));
    }
    exe(path.join(cache, "pulumi-everflow", "engine", "3.300.0", "bin", "pulumi")); // no shim: skipped
    expect(resolvePulumiCli({ PATH: "/nonexistent", XDG_CACHE_HOME: cache }, none)).toEqual({
      cliPath: path.join(cache, "pulumi-everflow", "engine", "3.259.0", "bin", "pulumi"),
      source: "cache",
    });
  });

  it("then scripts/ensure-pulumi of the package, and otherwise says what to do", () => {
    const root = path.join(tmp, "pkg");
    const built = exe(path.join(tmp, "built", "bin", "pulumi"));
    fs.mkdirSync(path.join(root, "scripts"), { recursive: true });
    fs.writeFileSync(path.join(root, "scripts", "ensure-pulumi"), `#!/bin/sh\necho ${built}\n`, {
      mode: 0o755,
    });
    expect(
      resolvePulumiCli({ PATH: "/nonexistent" }, { packageRoot: root, home: "/nonexistent-home" }),
    ).toEqual({
      cliPath: built,
      source: "ensure-pulumi",
    });
    expect(() => resolvePulumiCli({ PATH: "/nonexistent" }, none)).toThrow(
      "no pulumi CLI found: install pulumi (on PATH) or set PULUMI_CLI to its path",
    );
  });

  it("finds this package's root from the cli directory", () => {
    expect(packageRoot(path.join(__dirname, "..", "..", "..", "cli"))).toBe(
      path.resolve(__dirname, "..", "..", ".."),
    );
  });

  it("passes the user's environment through and only adds offline defaults and the CLI's directory", () => {
    const env = engineEnv(
      {
        PATH: "/usr/bin",
        PULUMI_BACKEND_URL: "s3://state",
        PULUMI_HOME: "/home/me/.pulumi",
        PULUMI_CONFIG_PASSPHRASE: "pass",
        PULUMI_SKIP_UPDATE_CHECK: "false",
        UNSET: undefined,
      },
      "/opt/engine/bin/pulumi",
    );
    expect(env).toEqual({
      PATH: `/opt/engine/bin${path.delimiter}/usr/bin`,
      PULUMI_BACKEND_URL: "s3://state",
      PULUMI_HOME: "/home/me/.pulumi",
      PULUMI_CONFIG_PASSPHRASE: "pass",
      PULUMI_SKIP_UPDATE_CHECK: "false",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    });
  });
});

describe("adopt: the language flags", () => {
  it.each([
    [["--language", "ruby"], '--language must be one of typescript, yaml, python, got "ruby"'],
    [
      ["--language", "yaml", "--out", "index.ts"],
      "--out index.ts is a typescript file, but --language is yaml",
    ],
    [["--project", "shop"], "--project names the project of a YAML program: it needs --language yaml"],
    [["--language", "yaml", "--project", "a b"], "--project must hold only letters, digits, -, _ and ."],
  ])("%j is a usage error (exit 1) before any call", async (flags, message) => {
    const r = await run(["adopt", ...flags], {
      EVERFLOW_API_KEY: "k",
      EVERFLOW_BASE_URL: "http://127.0.0.1:9/v1",
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`pulumi-everflow adopt: ${message}`);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});
