// What a program loads with the SDK: the Postback class registers resources and checks nothing itself
// (the provider checks, at preview), so neither zod nor undici is loaded into the program.
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const repoRoot = path.resolve(__dirname, "../../..");

it("importing the SDK (as built) loads neither the schemas' zod nor the client's undici", () => {
  const script =
    "require('./dist/sdk');" +
    "const loaded = Object.keys(require.cache).map((f) => f.split(require('path').sep).join('/'));" +
    "console.log(JSON.stringify(loaded.filter((f) => /node_modules\\/(zod|undici)\\//.test(f) || /dist\\/provider\\/(schema|client)/.test(f))));";
  const out = execFileSync(process.execPath, ["-e", script], { cwd: repoRoot, encoding: "utf8" });
  expect(JSON.parse(out)).toEqual([]);
});
