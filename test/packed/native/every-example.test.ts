import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../support/engine";
import { runtimeOf } from "../../support/pulumi-project";

// Every example in another language than TypeScript is run by a test of its own, with the native plugin
// (the TypeScript ones: test/packed/every-example.test.ts). A new one must be added here.
const TESTED_BY: Record<string, string> = {
  "yaml-global-conversion": "test/packed/native/yaml-example.test.ts",
  "python-two-accounts": "test/packed/native/python-example.test.ts",
  // A Go program's first compile takes minutes: the slow suite runs it.
  "go-postbacks": "test/slow/go-example.test.ts",
};

it("runs every example of another language than TypeScript", () => {
  const examples = fs
    .readdirSync(path.join(repoRoot, "examples"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .filter((name) => (runtimeOf(path.join(repoRoot, "examples", name)) ?? "nodejs") !== "nodejs")
    .sort();
  expect(Object.keys(TESTED_BY).sort()).toEqual(examples);
  for (const [name, test] of Object.entries(TESTED_BY)) {
    expect({
      test,
      runs: fs.readFileSync(path.join(repoRoot, test), "utf8").includes(`"examples", "${name}"`),
    }).toEqual({
      test,
      runs: true,
    });
  }
  expect(examples.map((name) => runtimeOf(path.join(repoRoot, "examples", name)))).toEqual([
    "go",
    "python",
    "yaml",
  ]);
});
