import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliError } from "../../../cli/args";
import { fileBackendRoot, fileLocks, holdFileLock, lockDir, lockedMessage } from "../../../cli/stack-lock";

describe("the stack's lock on a file backend", () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "stack-lock-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const meta = (version: number) => {
    fs.mkdirSync(path.join(root, ".pulumi"), { recursive: true });
    fs.writeFileSync(path.join(root, ".pulumi", "meta.yaml"), `version: ${version}\n`);
  };
  const lockOf = (dir: string, name: string, content: object) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, name), JSON.stringify(content));
  };

  it("resolves the backend URL as the CLI does: absolute, ~, relative to the project", () => {
    expect(fileBackendRoot("file:///var/state?no_tmp_dir=true", "/proj")).toBe("/var/state");
    expect(fileBackendRoot("file://~", "/proj", "/home/me")).toBe("/home/me");
    expect(fileBackendRoot("file://~/state", "/proj", "/home/me")).toBe("/home/me/state");
    expect(fileBackendRoot("file://state", "/proj")).toBe("/proj/state");
  });

  it("is project-scoped in a store of version 1, per stack in the legacy layout", () => {
    meta(1);
    expect(lockDir(root, "shop", "prod")).toBe(path.join(root, ".pulumi/locks/organization/shop/prod"));
    expect(lockDir(root, "shop", "organization/other/prod")).toBe(
      path.join(root, ".pulumi/locks/organization/other/prod"),
    );
    meta(0);
    expect(lockDir(root, "shop", "prod")).toBe(path.join(root, ".pulumi/locks/prod"));
    fs.rmSync(path.join(root, ".pulumi", "meta.yaml"));
    expect(lockDir(root, "shop", "prod")).toBe(path.join(root, ".pulumi/locks/prod"));
  });

  it("names each lock file with its holder, as the CLI wrote it; none when the directory is absent", () => {
    const dir = path.join(root, "locks");
    expect(fileLocks(dir)).toEqual([]);
    lockOf(dir, "0b6e.json", {
      pid: 4242,
      username: "ci",
      hostname: "runner-7",
      timestamp: "2026-12-01T10:00:00Z",
    });
    fs.writeFileSync(path.join(dir, "0b6e.json.attrs"), "{}"); // the file driver's metadata: not a lock
    expect(fileLocks(dir)).toEqual([
      `${path.join(dir, "0b6e.json")} (ci@runner-7, pid 4242, at 2026-12-01T10:00:00Z)`,
    ]);
  });

  it("takes the lock (a file the CLI's check sees), refuses when another holds it, and releases it once", () => {
    const dir = path.join(root, "locks");
    const release = holdFileLock(dir, "prod");
    const [mine] = fs.readdirSync(dir);
    expect(mine).toMatch(/^[0-9a-f-]{36}\.json$/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, mine!), "utf8"))).toMatchObject({
      pid: process.pid,
      hostname: os.hostname(),
      by: "pulumi-everflow recover",
    });
    // A second holder (another recover) sees the first and refuses, leaving no file of its own.
    expect(() => holdFileLock(dir, "prod")).toThrow(CliError);
    expect(fs.readdirSync(dir)).toEqual([mine]);
    release();
    release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("refuses with one line that names the lock and `pulumi cancel`", () => {
    const dir = path.join(root, "locks");
    lockOf(dir, "a.json", { pid: 1, username: "u", hostname: "h", timestamp: "t" });
    let error: unknown;
    try {
      holdFileLock(dir, "prod");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliError);
    const message = (error as Error).message;
    expect(message).toBe(lockedMessage("prod", [`${path.join(dir, "a.json")} (u@h, pid 1, at t)`]));
    expect(message).not.toContain("\n");
    expect(message).toContain("`pulumi cancel --yes --stack prod`");
    expect(message).toContain("Nothing was changed.");
    expect(fs.readdirSync(dir)).toEqual(["a.json"]);
  });
});
