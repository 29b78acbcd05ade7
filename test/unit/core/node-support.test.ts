import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  assertSupportedNode,
  MIN_NODE_VERSION,
  UnsupportedNodeError,
  unsupportedNodeMessage,
} from "../../../provider/core/node-support";

const repoRoot = path.resolve(__dirname, "..", "..", "..");

describe("the supported Node.js check", () => {
  it("is the engines.node of package.json, which covers what the dependencies need", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
    expect(manifest.engines.node).toBe(`>=${MIN_NODE_VERSION}`);
    const undici = JSON.parse(fs.readFileSync(require.resolve("undici/package.json"), "utf8"));
    expect(undici.engines.node).toBe(`>=${MIN_NODE_VERSION}`);
  });

  it.each(["18.20.8", "v18.20.8", "20.0.0", "20.18.0", "19.9.0", "16.20.2"])(
    "refuses %s in one line",
    (v) => {
      const message = unsupportedNodeMessage(v);
      expect(message).toContain(`needs Node.js ${MIN_NODE_VERSION} or later`);
      expect(message).toContain(`this is Node.js ${v.replace(/^v/, "")}`);
      expect(message).not.toContain("\n");
      expect(() => assertSupportedNode(v)).toThrow(UnsupportedNodeError);
    },
  );

  it.each(["20.18.1", "20.19.5", "21.0.0", "22.12.0", "24.11.1", "25.0.0-pre"])("accepts %s", (v) => {
    expect(unsupportedNodeMessage(v)).toBeUndefined();
    expect(() => assertSupportedNode(v)).not.toThrow();
  });

  it("raises an error whose stack is the one line, so that hosts printing stacks print just that", () => {
    let error: unknown;
    try {
      assertSupportedNode("18.20.8");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedNodeError);
    expect((error as Error).stack).toBe((error as Error).message);
    // As the dynamic provider host prints a provider's failure to load.
    expect(`${String(error)}: ${(error as Error).stack}`).toBe(
      `UnsupportedNodeError: ${(error as Error).message}`,
    );
  });

  it("runs before undici loads: the entry points import it first", () => {
    for (const [file, specifier] of [
      ["cli/main.ts", "./supported-node"],
      ["provider/dynamic/index.ts", "./supported-node"],
      ["sdk/index.ts", "./supported-node"],
    ] as const) {
      const firstImport = fs
        .readFileSync(path.join(repoRoot, file), "utf8")
        .split("\n")
        .find((line) => line.startsWith("import "));
      expect(`${file}: ${firstImport}`).toBe(`${file}: import "${specifier}";`);
    }
  });

  it("lets the supported Node.js of this run load the package", () => {
    const out = execFileSync(
      process.execPath,
      ["-e", "require('./dist/provider/core/node-support').assertSupportedNode(); console.log('ok')"],
      {
        cwd: repoRoot,
        encoding: "utf8",
      },
    );
    expect(out.trim()).toBe("ok");
  });
});
