import type { z } from "zod";
import { CheckedPostbackInputs, PostbackFields, postbackRules } from "./schema";
import { isSecretPath, secretInputs } from "./secrecy";

/** The value the engine passes during preview for an input that is not known yet. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A rule a declared value breaks: the property path and the reason, as the engine shows them. */
export interface CheckFailure {
  property: string;
  reason: string;
}

export type CheckResult =
  | { ok: true; inputs: CheckedPostbackInputs }
  | { ok: false; failures: CheckFailure[] }
  /**
   * Some inputs are unknown until apply: what is known is valid and in checked form (defaults filled,
   * so a preview shows no default as removed); the unknown values are passed on as they came.
   */
  | { ok: "partial"; inputs: Record<string, unknown> };

const isUnknown = (v: unknown) => v === UNKNOWN;

/**
 * Validates a declaration against every rule at once, so `pulumi preview` lists every problem with its
 * property path before any API call. Values not known during preview are left out of the check (and
 * out of the rules that depend on them) rather than reported as missing. A failure quotes the value it
 * is about, unless that value is secret (secrecy.ts: `marked` by the program, or always secret): then
 * it names the property only.
 */
export function checkPostback(declared: Record<string, unknown>, marked: Iterable<string> = []): CheckResult {
  const secrets = secretInputs(marked);
  const unknown = unknownPaths(declared);
  const probe = withoutUnknowns(declared);
  const parsed = PostbackFields.safeParse(probe, { reportInput: true });
  const failures = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap((issue) => toFailures(issue, secrets))),
    ...postbackRules(probe).map((v) => ({ property: v.path, reason: `${v.path} ${v.message}` })),
  ].filter((f) => !unknown.some((u) => under(f.property, u)));
  if (failures.length > 0) return { ok: false, failures };
  if (unknown.length === 0 && parsed.success) return { ok: true, inputs: parsed.data };
  return { ok: "partial", inputs: partialInputs(declared, probe, unknown) };
}

/** The known values in checked form (defaults filled), beside the unknown ones as declared. */
function partialInputs(
  declared: Record<string, unknown>,
  probe: Record<string, unknown>,
  unknown: string[],
): Record<string, unknown> {
  const withUnknowns = new Set(unknown.map((path) => path.split(".")[0]));
  const known = Object.fromEntries(Object.entries(probe).filter(([key]) => !withUnknowns.has(key)));
  const parsed = PostbackFields.partial().safeParse(known);
  const checked = parsed.success ? parsed.data : known;
  const pending = Object.fromEntries(Object.entries(declared).filter(([key]) => withUnknowns.has(key)));
  return { ...checked, ...pending };
}

/** `path` is `parent` or lies below it. */
const under = (path: string, parent: string) => path === parent || path.startsWith(`${parent}.`);

function toFailures(issue: z.core.$ZodIssue, secrets: ReadonlySet<string>): CheckFailure[] {
  const at = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const property = at ? `${at}.${key}` : key;
      return { property, reason: `${property} is not a property of ${at ? at : "a Postback"}` };
    });
  }
  const property = at || "(inputs)";
  const quote = isSecretPath(property, secrets) ? "" : quoted(issue);
  return [{ property, reason: `${property} ${issue.message}${quote}` }];
}

/**
 * What was declared, for a failure about a value of the wrong type or outside a list: the message says
 * what it must be, this says what it was. Lengths and bounds say enough without the value.
 */
function quoted(issue: z.core.$ZodIssue): string {
  if (issue.code !== "invalid_type" && issue.code !== "invalid_value") return "";
  if (issue.input === undefined) return "";
  return ` (got ${JSON.stringify(issue.input)})`;
}

function unknownPaths(declared: Record<string, unknown>): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(declared)) {
    if (isUnknown(value)) paths.push(key);
    else if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [inner, v] of Object.entries(value)) if (isUnknown(v)) paths.push(`${key}.${inner}`);
    }
  }
  return paths;
}

function withoutUnknowns(declared: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(declared)) {
    if (isUnknown(value)) continue;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      out[key] = Object.fromEntries(Object.entries(value).filter(([, v]) => !isUnknown(v)));
    } else out[key] = value;
  }
  return out;
}

/** The declared fields holding a value not known yet (at the top level or one level down). */
export function unknownFields(inputs: Record<string, unknown>): string[] {
  return [...new Set(unknownPaths(inputs).map((path) => path.split(".")[0] ?? path))];
}
