import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../support/engine";
import { cleanCheckout } from "./clean-checkout";
import { expectExit, run, STEP_TIMEOUT_MS } from "./packed-example";

/**
 * What the published package holds, as patterns of paths inside it: each must match at least one file,
 * and every file must match one. Add a pattern here when the package starts shipping a new kind of file
 * (and the path to "files" in package.json).
 */
const SHIPPED: Record<string, RegExp> = {
  "the manifest": /^package\.json$/,
  "the front page": /^README\.md$/,
  "the reference pages the front page links to": /^docs\/[a-z-]+\.md$/,
  "the compiled SDK, provider, client, commands and emulator, with declarations and source maps":
    /^dist\/(sdk|provider|cli|emulator)\/([\w-]+\/)*[\w.-]+\.(js|d\.ts|js\.map)$/,
  "the native plugin, one self-contained file (the pulumi-resource-everflow bin)":
    /^dist\/plugin\/pulumi-resource-everflow\.js$/,
};

/** The paths inside a tarball, without npm's `package/` prefix. */
function tarballFiles(tarball: string): string[] {
  return execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line !== "" && !line.endsWith("/"))
    .map((line) => line.replace(/^package\//, ""))
    .sort();
}

/** Every path package.json promises users: bins and "exports" targets. */
function promisedFiles(): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
    main: string;
    types: string;
    bin: Record<string, string>;
    exports: Record<string, string | Record<string, string>>;
  };
  const targets = Object.values(manifest.exports).flatMap((t) =>
    typeof t === "string" ? [t] : Object.values(t),
  );
  return [manifest.main, manifest.types, ...Object.values(manifest.bin), ...targets].map((p) =>
    p.replace(/^\.\//, ""),
  );
}

function expectShippedOnly(files: string[]): void {
  const unexpected = files.filter((f) => !Object.values(SHIPPED).some((pattern) => pattern.test(f)));
  expect(unexpected).toEqual([]);
  for (const [what, pattern] of Object.entries(SHIPPED)) {
    expect({ what, matches: files.some((f) => pattern.test(f)) }).toEqual({ what, matches: true });
  }
  expect(promisedFiles().filter((f) => !files.includes(f))).toEqual([]);
  // Development scripts, tests and build bookkeeping stay out.
  expect(files.filter((f) => /^dist\/(scripts|test|examples|demo)\/|tsbuildinfo$/.test(f))).toEqual([]);
}

describe("the npm pack tarball", () => {
  it("holds what users need and nothing else", () => {
    const tarball = process.env.PULUMI_EVERFLOW_TARBALL;
    if (!tarball) throw new Error("run with jest.packed.config.js (npm run test:packed)");
    const files = tarballFiles(tarball);
    expectShippedOnly(files);
    // Every page the README links to under docs/ ships with it.
    for (const page of fs.readdirSync(path.join(repoRoot, "docs"))) expect(files).toContain(`docs/${page}`);
  });

  it(
    "is complete when packed in a fresh clone, which has no dist/ yet (prepack builds it)",
    async () => {
      const dir = cleanCheckout("pulumi-everflow-fresh-pack-");
      try {
        expect(fs.existsSync(path.join(dir, "dist"))).toBe(false);
        const pack = await run("npm", ["pack", "--json", "--pack-destination", dir], dir, process.env);
        expectExit(pack, 0);
        const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string }>;
        const files = tarballFiles(path.join(dir, packed!.filename));
        expectShippedOnly(files);
        expect(files).toEqual(tarballFiles(process.env.PULUMI_EVERFLOW_TARBALL!));
      } finally {
        fs.rmSync(path.dirname(dir), { recursive: true, force: true });
      }
    },
    STEP_TIMEOUT_MS,
  );
});
