import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { brokenLinks, githubSlug, headingAnchors, links, quickStartBlocks } from "../../support/markdown";

describe("githubSlug", () => {
  it.each([
    ["Quick start", "quick-start"],
    ["What `up` does to hand edits", "what-up-does-to-hand-edits"],
    ["`EBADENGINE` for `@pulumi/pulumi`", "ebadengine-for-pulumipulumi"],
    ["Node.js too old", "nodejs-too-old"],
    [
      "npm 11: install scripts not covered by `allowScripts`",
      "npm-11-install-scripts-not-covered-by-allowscripts",
    ],
    ["Malformed `everflow:accounts` or limits", "malformed-everflowaccounts-or-limits"],
    ["A [linked](other.md) heading", "a-linked-heading"],
    ["snake_case and   spaces", "snake_case-and---spaces"],
    ["Ünïcode lêtters", "ünïcode-lêtters"],
  ])("%s -> #%s", (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it("numbers repeated headings, and ignores headings inside code fences", () => {
    const md = ["# Title", "## Usage", "```sh", "## not a heading", "```", "## Usage", "### Usage"].join(
      "\n",
    );
    expect(headingAnchors(md)).toEqual(["title", "usage", "usage-1", "usage-2"]);
  });
});

describe("links", () => {
  it("finds inline links and images outside code, with their lines", () => {
    const md = [
      "See [a](docs/a.md#x) and ![img](pic.png).",
      "`[not](a-link.md)` and:",
      "```md",
      "[not](either.md)",
      "```",
      '[titled](b.md "Title")',
    ].join("\n");
    expect(links(md)).toEqual([
      { target: "docs/a.md#x", line: 1 },
      { target: "pic.png", line: 1 },
      { target: "b.md", line: 6 },
    ]);
  });

  it("reports a missing file, a missing anchor, and an anchor on a directory", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-everflow-links-"));
    try {
      fs.mkdirSync(path.join(dir, "sub"));
      fs.writeFileSync(path.join(dir, "other.md"), "# Other\n\n## Has `code`\n");
      fs.writeFileSync(
        path.join(dir, "doc.md"),
        [
          "# Doc",
          "[ok](other.md#has-code) [ok](#doc) [ok](sub) [ok](https://example.com/x#y)",
          "[gone](missing.md) [bad](other.md#nope) [bad](#nope) [bad](sub#x)",
        ].join("\n"),
      );
      const problems = brokenLinks(path.join(dir, "doc.md"));
      expect(problems).toHaveLength(4);
      expect(problems[0]).toMatch(/doc\.md:3: missing\.md: .* does not exist$/);
      expect(problems[1]).toMatch(/other\.md#nope: no heading of other\.md has the anchor #nope$/);
      expect(problems[2]).toMatch(/#nope: no heading of doc\.md has the anchor #nope$/);
      expect(problems[3]).toMatch(/sub#x: an anchor on something that is not a Markdown file$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("quickStartBlocks", () => {
  const readme = (...body: string[]) =>
    ["# T", "## Quick start", ...body, "## Next", "```sh", "no", "```"].join("\n");

  it("returns the sh blocks of the section in order, with their markers", () => {
    const blocks = quickStartBlocks(
      readme(
        "<!-- quick-start: skip (the test provides it) -->",
        "```sh",
        "git clone x",
        "```",
        "```ts",
        "not shell",
        "```",
        "```sh",
        "cat > f <<'EOF'",
        "## not a heading",
        "EOF",
        "```",
        "<!-- quick-start: exit 7 -->",
        "```sh",
        "pulumi preview",
        "```",
      ),
    );
    expect(blocks).toEqual([
      { code: "git clone x\n", skip: true, exit: 0, line: 4 },
      { code: "cat > f <<'EOF'\n## not a heading\nEOF\n", skip: false, exit: 0, line: 10 },
      { code: "pulumi preview\n", skip: false, exit: 7, line: 16 },
    ]);
  });

  it("refuses an unknown marker, and a marker that is not right above a sh fence", () => {
    expect(() => quickStartBlocks(readme("<!-- quick-start: exits 7 -->", "```sh", "x", "```"))).toThrow(
      /unknown quick-start marker "exits 7"/,
    );
    expect(() => quickStartBlocks(readme("<!-- quick-start: exit 7 -->", "", "```sh", "x", "```"))).toThrow(
      /must be right above/,
    );
    expect(() => quickStartBlocks("# T\n## Other\n")).toThrow(/no "## Quick start" heading/);
  });
});
