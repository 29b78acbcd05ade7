// What the native lifecycle tests do as a user would: edit a postback "in the Everflow UI" (the
// emulator's admin route), and paste the code `pulumi import` prints into a YAML program.
import type { NativeStack } from "./native-stack";

/** A hand edit in Everflow: `PATCH <admin>/pixels/<id>` with wire fields, as docs/emulator.md shows. */
export async function editInEverflow(
  s: NativeStack,
  id: number,
  fields: Record<string, unknown>,
): Promise<void> {
  const response = await fetch(`${s.emulator.adminUrl}/pixels/${id}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fields),
  });
  if (!response.ok) throw new Error(`PATCH pixels/${id}: ${response.status} ${await response.text()}`);
}

/**
 * The resources `pulumi import` printed for a YAML project: the lines under its `resources:` key (the
 * CLI prints the code last, after "Please copy the following code into your Pulumi application").
 */
export function printedYamlResources(stdout: string): string {
  const lines = stdout.split("\n");
  const start = lines.lastIndexOf("resources:");
  if (start < 0) throw new Error(`pulumi import printed no YAML resources:\n${stdout}`);
  const block = lines.slice(start + 1);
  const end = block.findIndex((line) => line !== "" && !line.startsWith(" "));
  return (end < 0 ? block : block.slice(0, end)).join("\n").trimEnd();
}

/** A YAML program with `resources` pasted as the first entries of its `resources:` section. */
export function pastedUnderResources(program: string, resources: string): string {
  if (!/^resources:\n/m.test(program)) throw new Error("the program has no top-level resources: section");
  return program.replace(/^resources:\n/m, `resources:\n${resources}\n`);
}
