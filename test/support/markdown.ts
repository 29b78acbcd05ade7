/**
 * Reading this repository's Markdown the way GitHub renders it: headings and their anchors, relative
 * links, and the Quick Start's shell blocks. The docs tests use it to keep every relative link and
 * #anchor resolvable, and the packed suite to run the README's Quick Start exactly as written.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The lines of a Markdown text outside fenced code blocks, with their line numbers (1-based). */
function proseLines(markdown: string): Array<{ line: string; number: number }> {
  const out: Array<{ line: string; number: number }> = [];
  let fence: string | undefined;
  markdown.split("\n").forEach((line, i) => {
    const opener = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && opener) fence = opener;
    else if (fence !== undefined && opener && opener[0] === fence[0] && opener.length >= fence.length) {
      fence = undefined;
    } else if (fence === undefined) out.push({ line, number: i + 1 });
  });
  return out;
}

/** A heading's text as GitHub renders it: links become their text, inline HTML goes. */
function renderedText(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .trim();
}

/**
 * GitHub's anchor for a heading (github-slugger): lower-cased, punctuation removed (letters, digits,
 * marks, `-`, `_` and spaces stay), each space a `-`. Repeats of one slug get `-1`, `-2`, ... (see
 * {@link headingAnchors}).
 */
export function githubSlug(heading: string): string {
  return renderedText(heading)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor the headings of a Markdown text get on GitHub, in order. */
export function headingAnchors(markdown: string): string[] {
  const seen = new Map<string, number>();
  const anchors: string[] = [];
  for (const { line } of proseLines(markdown)) {
    const text = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (text === undefined) continue;
    const slug = githubSlug(text);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.push(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

export interface Link {
  target: string;
  line: number;
}

/** The targets of inline links and images outside code (fenced blocks and `inline code`). */
export function links(markdown: string): Link[] {
  const out: Link[] = [];
  for (const { line, number } of proseLines(markdown)) {
    const prose = line.replace(/(`+)[^`]*?\1/g, "");
    for (const match of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      out.push({ target: match[1]!, line: number });
    }
  }
  return out;
}

/**
 * The relative links of a Markdown file that do not resolve: a path that does not exist, or an #anchor
 * that no heading of the target Markdown file (or of this file, for `#anchor` alone) has. Links with a
 * scheme (https:, mailto:) are not checked.
 */
export function brokenLinks(file: string): string[] {
  const problems: string[] = [];
  const anchorsOf = (md: string) => headingAnchors(fs.readFileSync(md, "utf8"));
  for (const { target, line } of links(fs.readFileSync(file, "utf8"))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [rawPath = "", anchor] = target.split("#", 2);
    const resolved = rawPath === "" ? file : path.resolve(path.dirname(file), decodeURIComponent(rawPath));
    const where = `${file}:${line}: ${target}`;
    if (!fs.existsSync(resolved)) {
      problems.push(`${where}: ${path.relative(process.cwd(), resolved)} does not exist`);
    } else if (anchor !== undefined) {
      if (!resolved.endsWith(".md") || !fs.statSync(resolved).isFile()) {
        problems.push(`${where}: an anchor on something that is not a Markdown file`);
      } else if (!anchorsOf(resolved).includes(anchor)) {
        problems.push(`${where}: no heading of ${path.basename(resolved)} has the anchor #${anchor}`);
      }
    }
  }
  return problems;
}

/** One ```sh block of the Quick Start, and what its marker comment says about it. */
export interface QuickStartBlock {
  code: string;
  /** `<!-- quick-start: skip (why) -->`: a block the test does not run (it provides what it sets up). */
  skip: boolean;
  /** `<!-- quick-start: exit N -->`: the exit code the block must end with (default 0). */
  exit: number;
  /** The line of the opening fence in the README. */
  line: number;
}

const MARKER = /^<!--\s*quick-start:\s*(.*?)\s*-->$/;

/**
 * The ```sh blocks between the heading `## Quick start` and the next `## ` heading, in order. A block
 * may be preceded (on the line before its fence) by a marker comment, `<!-- quick-start: skip (...) -->`
 * or `<!-- quick-start: exit N -->`; any other marker, or a marker not followed by a ```sh fence, is an
 * error, so that a typo cannot silently change what the test runs.
 */
export function quickStartBlocks(markdown: string, heading = "Quick start"): QuickStartBlock[] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => l.trim() === `## ${heading}`);
  if (start < 0) throw new Error(`no "## ${heading}" heading`);
  const next = proseLines(lines.slice(start + 1).join("\n")).find(({ line }) => /^## /.test(line));
  const section = lines.slice(start + 1, next ? start + next.number : undefined);

  const blocks: QuickStartBlock[] = [];
  for (let i = 0; i < section.length; i++) {
    const line = section[i]!;
    const marker = MARKER.exec(line.trim());
    if (marker) {
      if (!/^```sh\s*$/.test(section[i + 1] ?? "")) {
        throw new Error(`line ${start + i + 2}: a quick-start marker must be right above a \`\`\`sh fence`);
      }
      continue;
    }
    const fence = /^(`{3,})(\S*)\s*$/.exec(line);
    if (!fence) continue;
    const close = section.findIndex((l, j) => j > i && l.trim() === fence[1]);
    if (close < 0) throw new Error(`line ${start + i + 2}: unclosed code fence`);
    if (fence[2] === "sh") {
      const said = MARKER.exec((section[i - 1] ?? "").trim())?.[1];
      let skip = false;
      let exit = 0;
      if (said !== undefined) {
        const exitCode = /^exit (\d+)$/.exec(said)?.[1];
        if (/^skip\b/.test(said)) skip = true;
        else if (exitCode !== undefined) exit = Number(exitCode);
        else throw new Error(`line ${start + i + 1}: unknown quick-start marker "${said}"`);
      }
      blocks.push({ code: section.slice(i + 1, close).join("\n") + "\n", skip, exit, line: start + i + 2 });
    }
    i = close;
  }
  return blocks;
}
