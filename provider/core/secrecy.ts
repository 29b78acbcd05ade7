/**
 * Which values are secret. A program marks inputs secret (paths such as `postbackUrl` or
 * `facebookPixel.accessToken`); the facebook pixel is secret whatever the program says, since it holds
 * a Conversions API token. Anything derived from a secret is secret too: the output of the same name
 * (Everflow's form of the value), and the record of the last write, which keeps digests of every field
 * and Everflow's answers where they differ. Messages about a secret value name its field, never the
 * value.
 */

/** Secret whatever the program declares. */
export const ALWAYS_SECRET: readonly string[] = ["facebookPixel"];

/** The secret paths of a declaration: what the program marked, and what is always secret. */
export function secretInputs(marked: Iterable<string>): Set<string> {
  return new Set([...marked, ...ALWAYS_SECRET]);
}

/** Whether `path` is secret under `secrets` (itself, or below a secret parent). */
export function isSecretPath(path: string, secrets: ReadonlySet<string>): boolean {
  for (const s of secrets) if (path === s || path.startsWith(`${s}.`)) return true;
  return false;
}

/** Whether any secret path of `secrets` holds a value in `props`. */
export function holdsSecret(props: Record<string, unknown>, secrets: Iterable<string>): boolean {
  for (const path of secrets) if (valueAt(props, path) !== undefined) return true;
  return false;
}

function valueAt(props: Record<string, unknown>, path: string): unknown {
  let value: unknown = props;
  for (const key of path.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The paths marked secret on one side only (what is always secret aside): a change of the state's marks. */
export function markChanges(before: Iterable<string>, after: Iterable<string>): string[] {
  const a = new Set(before);
  const b = new Set(after);
  return [...new Set([...a, ...b])]
    .filter((p) => a.has(p) !== b.has(p) && !isSecretPath(p, new Set(ALWAYS_SECRET)))
    .sort();
}
