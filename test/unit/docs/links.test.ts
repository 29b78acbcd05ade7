import * as fs from "node:fs";
import * as path from "node:path";
import { brokenLinks, links } from "../../support/markdown";

const repoRoot = path.resolve(__dirname, "..", "..", "..");

/** The Markdown a reader follows links through: the front page, CONTRIBUTING, docs/ and the examples. */
function documents(): string[] {
  const docs = fs.readdirSync(path.join(repoRoot, "docs")).filter((f) => f.endsWith(".md"));
  const examples = fs
    .readdirSync(path.join(repoRoot, "examples"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join("examples", d.name, "README.md"));
  return [
    "README.md",
    "CONTRIBUTING.md",
    ...docs.map((f) => path.join("docs", f)),
    path.join("examples", "README.md"),
    ...examples,
  ].filter((f) => fs.existsSync(path.join(repoRoot, f)));
}

describe("relative links in the documentation", () => {
  it("covers the front page, CONTRIBUTING and every page of docs/", () => {
    const files = documents();
    expect(files).toEqual(expect.arrayContaining(["README.md", "CONTRIBUTING.md", "docs/postback.md"]));
    // The front page links to every page of docs/, so no page is orphaned.
    const fromReadme = links(fs.readFileSync(path.join(repoRoot, "README.md"), "utf8")).map(
      (l) => l.target.split("#")[0],
    );
    for (const page of files.filter((f) => f.startsWith("docs/"))) expect(fromReadme).toContain(page);
  });

  it.each(documents())("%s: every relative link and #anchor resolves", (file) => {
    expect(brokenLinks(path.join(repoRoot, file))).toEqual([]);
  });
});
