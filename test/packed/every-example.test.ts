import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../support/engine";
import { runtimeOf } from "../support/pulumi-project";
import { EXAMPLES } from "./packed-example";

// A new example must be added to EXAMPLES (what it needs to run) and get a test file of its own. Examples
// in other languages run with the native plugin: test/packed/native/every-example.test.ts.
it("runs every TypeScript project in examples/", () => {
  const projects = fs
    .readdirSync(path.join(repoRoot, "examples"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && runtimeOf(path.join(repoRoot, "examples", d.name)) === "nodejs")
    .map((d) => d.name)
    .sort();
  expect(Object.keys(EXAMPLES).sort()).toEqual(projects);
  for (const name of projects) {
    expect(fs.readFileSync(path.join(__dirname, `${name}.test.ts`), "utf8")).toContain(
      `describePackedExample(${JSON.stringify(name)})`,
    );
  }
});
