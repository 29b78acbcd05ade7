import type { z } from "zod";
import { CheckedPostbackInputs, PostbackFields, postbackRules } from "./schema";

/** The value the engine passes during preview for an input that is not known yet. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const PROVIDER_KEY = "__provider";

/** A rule a declared value breaks: the property path and the reason, as the engine shows them. */
export interface CheckFailure {
  property: string;
  reason: string;
}

export type CheckResult =
  | { ok: true; inputs: CheckedPostbackInputs }
  | { ok: false; failures: CheckFailure[] }
  /** Some inputs are unknown until apply: what is known is valid, the rest is checked at `up`. */
  | { ok: "partial"; inputs: Record<string, unknown> };

const isUnknown = (v: unknown) => v === UNKNOWN;

/**
 * Validates a declaration against every rule at once, so `pulumi preview` lists every problem with its
 * property path before any API call. Values not known during preview are left out of the check (and
 * out of the rules that depend on them) rather than reported as missing.
 */
export function checkPostback(news: Record<string, unknown>): CheckResult {
  const { [PROVIDER_KEY]: _provider, ...declared } = news;
  const unknown = unknownPaths(declared);
  const probe = withoutUnknowns(declared);
  const parsed = PostbackFields.safeParse(probe);
  const failures = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap(toFailures)),
    ...postbackRules(probe).map((v) => ({ property: v.path, reason: `${v.path} ${v.message}` })),
  ].filter((f) => !unknown.some((u) => f.property === u || f.property.startsWith(`${u}.`)));
  if (failures.length > 0) return { ok: false, failures };
  if (unknown.length > 0 || !parsed.success) return { ok: "partial", inputs: declared };
  return { ok: true, inputs: parsed.data };
}

function toFailures(issue: z.core.$ZodIssue): CheckFailure[] {
  const at = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const property = at ? `${at}.${key}` : key;
      return { property, reason: `${property} is not a property of ${at ? at : "a Postback"}` };
    });
  }
  const property = at || "(inputs)";
  return [{ property, reason: `${property} ${issue.message}` }];
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

/** True when any declared value, at the top level or one level down, is not known yet. */
export function hasUnknowns(inputs: Record<string, unknown>): boolean {
  return unknownPaths(inputs).length > 0;
}
