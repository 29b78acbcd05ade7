import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..", "..");

describe("the CLI as the package ships it", () => {
  it("imports nothing the package leaves out (package.json files: !dist/provider/native/)", () => {
    const files = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).files as string[];
    const excluded = files.filter((f) => f.startsWith("!dist/")).map((f) => f.slice("!dist/".length));
    expect(excluded).toContain("provider/native/");
    for (const file of fs.readdirSync(path.join(root, "cli")).filter((f) => f.endsWith(".ts"))) {
      const source = fs.readFileSync(path.join(root, "cli", file), "utf8");
      for (const [, target] of source.matchAll(/from "(\.\.?\/[^"]+)"/g)) {
        const resolved = path.relative(root, path.resolve(root, "cli", target!)) + "/";
        for (const dir of excluded.filter((d) => d.endsWith("/"))) {
          expect({ file, imports: target, shipped: !resolved.startsWith(dir) }).toEqual({
            file,
            imports: target,
            shipped: true,
          });
        }
      }
    }
  });
});
