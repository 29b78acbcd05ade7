import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The language runtime a Pulumi project names in its Pulumi.yaml (`runtime: nodejs`, or
 * `runtime: { name: python, options: ... }`), or undefined when the directory holds no project.
 */
export function runtimeOf(dir: string): string | undefined {
  const file = path.join(dir, "Pulumi.yaml");
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, "utf8");
  const match = /^runtime:[ \t]*(\S+)?[ \t]*\n(?:[ \t]+name:[ \t]*(\S+))?/m.exec(text);
  if (!match) throw new Error(`${file} names no runtime`);
  return match[1] ?? match[2];
}
