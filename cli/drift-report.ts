import type { EngineEvent } from "@pulumi/pulumi/automation";
import { APPLIED_KEY, drift as driftSinceLastAnswer } from "../provider/core/applied";
import { canonical, type CanonicalPostback } from "../provider/core/mapping";
import { changedUnits } from "../provider/core/rules";
import { EXIT_DRIFT, EXIT_OK } from "./args";
import { isPostbackType } from "./postback-types";

/**
 * The drift report: from the steps of a refresh-only preview to the fields that differ, and its text
 * and JSON renderings. Pure functions, no I/O.
 *
 * In a refresh step the OLD inputs are the declaration recorded in state (as last applied by
 * `pulumi up`) and the NEW inputs are the live postback: the provider's `read` returns the live pixel
 * mapped back to the declared shape as `inputs`. The dynamic provider host sends no list of changed keys,
 * so the differences are computed here with the provider's own canonical form.
 */

/** Shown instead of any secret value (the facebook access token). */
export const SECRET = "[secret]";
/** What `drift` compares against, as written in the JSON report. */
export const BASIS = "last-applied";

/** The signature key Pulumi uses to mark a secret value in events and state exports. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

type Props = Record<string, unknown>;

/** One postback as the refresh saw it. */
export interface RefreshedPostback {
  urn: string;
  /** The resource type: the dynamic or the native postback (postback-types.ts). */
  type?: string;
  /** The native postback's provider reference (credentials.ts); absent for the dynamic one. */
  provider?: string;
  /** The postback's id in Everflow (the resource id). */
  id: string;
  /** Inputs recorded in state: the declaration as last applied. */
  declared: Props;
  /** Inputs read back from Everflow; undefined when the postback no longer exists. */
  live: Props | undefined;
  /** Inputs that are secret in state or in the refresh (set by drift-secrets.ts): shown as "[secret]". */
  secret?: readonly string[];
  /**
   * The record of the last write kept in the stack's outputs (provider/applied.ts); absent in state
   * written before it existed. With it, drift is what Everflow changed since it answered that write.
   */
  applied?: unknown;
}

export interface FieldDrift {
  field: string;
  declared: unknown;
  live: unknown;
}

export interface PostbackDrift {
  urn: string;
  name: string;
  pixelId: number;
  fields: FieldDrift[];
}

export interface MissingPostback {
  urn: string;
  name: string;
  pixelId: number;
}

export interface DriftReport {
  stack: string;
  basis: typeof BASIS;
  /** Postbacks in the stack's state that the refresh looked at. */
  checked: number;
  drift: PostbackDrift[];
  missing: MissingPostback[];
}

/** A value Pulumi marks secret, with its contents hidden (events) or shown (`stack export --show-secrets`). */
export function isSecretValue(value: unknown): value is Props {
  return typeof value === "object" && value !== null && (value as Props)[SECRET_SIG] === SECRET_SIG_VALUE;
}

/** Top-level input names whose value is a secret (the engine's events never show their contents). */
export function secretKeys(props: Props | undefined): string[] {
  return props ? Object.keys(props).filter((k) => isSecretValue(props[k])) : [];
}

/**
 * The postbacks of a refresh-only preview, from its engine events. Each resource has a `refresh`
 * pre-event (old and new both the stored state) and, once read, an outputs event whose op says what
 * the refresh found: `delete` (gone from Everflow) or the refreshed state in `new`.
 */
export function refreshedPostbacks(events: readonly EngineEvent[]): RefreshedPostback[] {
  const byUrn = new Map<string, RefreshedPostback>();
  for (const event of events) {
    const meta = event.resOutputsEvent?.metadata ?? event.resourcePreEvent?.metadata;
    if (!meta || !isPostbackType(meta.type) || !meta.old) continue;
    const gone = meta.op === "delete" || meta.op === "discard" || !meta.new?.id;
    byUrn.set(meta.urn, {
      urn: meta.urn,
      type: meta.type,
      ...(meta.old.provider ? { provider: meta.old.provider } : {}),
      id: meta.old.id,
      declared: meta.old.inputs,
      live: gone ? undefined : meta.new?.inputs,
      applied: (meta.old.outputs as Props | undefined)?.[APPLIED_KEY],
    });
  }
  return [...byUrn.values()];
}

/**
 * The fields of one postback that drifted, secrets hidden: the facebook access token always, and every
 * field in `secret` (secret in state), on both sides. Drift is what the provider's diff sees: the live
 * value against Everflow's answer to the last write (`applied`), so a value the server stores in its own
 * form (a default, an escape) is not drift; without that record (older state), the live value against
 * the declaration.
 */
export function fieldDrift(
  declared: Props,
  live: Props,
  secret: readonly string[] = [],
  applied?: unknown,
): FieldDrift[] {
  const a = canonical(declared);
  const b = canonical(live);
  const drifted =
    applied === undefined
      ? changedUnits(declared, live)
      : driftSinceLastAnswer(live, { [APPLIED_KEY]: applied });
  const out: FieldDrift[] = [];
  let pixelShown = false;
  for (const unit of drifted) {
    if (!unit.startsWith("facebookPixel.")) {
      const field = unit as Exclude<keyof CanonicalPostback, "facebookPixel">;
      const hide = secret.includes(field);
      out.push({ field, declared: hide ? SECRET : a[field], live: hide ? SECRET : b[field] });
      continue;
    }
    const fa = a.facebookPixel;
    const fb = b.facebookPixel;
    if (fa && fb) {
      // Name the part that changed; the access token is compared but never shown.
      const part = unit.slice("facebookPixel.".length) as "pixelId" | "eventName" | "accessToken";
      const hide = part === "accessToken";
      out.push({ field: unit, declared: hide ? SECRET : fa[part], live: hide ? SECRET : fb[part] });
    } else if (!pixelShown) {
      // Added or removed as a whole (the delivery method changed): shown whole, once.
      pixelShown = true;
      out.push({ field: "facebookPixel", declared: shownPixel(fa), live: shownPixel(fb) });
    }
  }
  return out;
}

function shownPixel(pixel: CanonicalPostback["facebookPixel"]) {
  return pixel && { pixelId: pixel.pixelId, eventName: pixel.eventName, accessToken: SECRET };
}

/** The resource name: the last part of the URN. */
export function nameOf(urn: string): string {
  const at = urn.lastIndexOf("::");
  return at === -1 ? urn : urn.slice(at + 2);
}

const byNameThenUrn = (x: { name: string; urn: string }, y: { name: string; urn: string }) =>
  x.name < y.name ? -1 : x.name > y.name ? 1 : x.urn < y.urn ? -1 : x.urn > y.urn ? 1 : 0;

/**
 * The report of a stack. Every postback's inputs must be free of hidden secrets by now (see
 * drift-secrets.ts): a hidden value cannot be compared.
 */
export function buildReport(stack: string, postbacks: readonly RefreshedPostback[]): DriftReport {
  const drift: PostbackDrift[] = [];
  const missing: MissingPostback[] = [];
  for (const p of postbacks) {
    for (const props of [p.declared, p.live]) {
      const hidden = secretKeys(props);
      if (hidden.length > 0) throw new Error(`${p.urn}: secret input ${hidden.join(", ")} was not resolved`);
    }
    const head = { urn: p.urn, name: nameOf(p.urn), pixelId: Number(p.id) };
    if (p.live === undefined) {
      missing.push(head);
      continue;
    }
    const fields = fieldDrift(p.declared, p.live, p.secret, p.applied);
    if (fields.length > 0) drift.push({ ...head, fields });
  }
  drift.sort(byNameThenUrn);
  missing.sort(byNameThenUrn);
  return { stack, basis: BASIS, checked: postbacks.length, drift, missing };
}

export function exitCodeOf(report: DriftReport): number {
  return report.drift.length > 0 || report.missing.length > 0 ? EXIT_DRIFT : EXIT_OK;
}

/**
 * The `--json` rendering: keys in a fixed order, whatever order the report object was built in.
 *
 * `{ "stack", "basis": "last-applied", "checked", "drift": [{ "urn", "name", "pixelId",
 * "fields": [{ "field", "declared", "live" }] }], "missing": [{ "urn", "name", "pixelId" }] }`
 */
export function reportJson(report: DriftReport): string {
  const ordered = {
    stack: report.stack,
    basis: report.basis,
    checked: report.checked,
    drift: report.drift.map((d) => ({
      urn: d.urn,
      name: d.name,
      pixelId: d.pixelId,
      fields: d.fields.map((f) => ({ field: f.field, declared: f.declared, live: f.live })),
    })),
    missing: report.missing.map((m) => ({ urn: m.urn, name: m.name, pixelId: m.pixelId })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

const BASIS_TEXT =
  "compared with each postback's declaration as last applied by `pulumi up` " +
  "(a refresh-only preview: the program was not run, nothing was changed)";

export function reportText(report: DriftReport): string {
  const stack = JSON.stringify(report.stack);
  const count = (n: number) => `${n} postback${n === 1 ? "" : "s"}`;
  if (exitCodeOf(report) === EXIT_OK) {
    return `No drift in stack ${stack}: ${count(report.checked)} ${BASIS_TEXT}.\n`;
  }
  const lines = [`Drift in stack ${stack}: ${count(report.checked)} ${BASIS_TEXT}.`];
  for (const d of report.drift) {
    lines.push(`~ ${d.name} (postback ${d.pixelId})`);
    for (const f of d.fields)
      lines.push(`    ${f.field}: declared ${show(f.declared)}, live ${show(f.live)}`);
  }
  for (const m of report.missing) lines.push(`- ${m.name} (postback ${m.pixelId}): missing in Everflow`);
  lines.push(
    `${count(report.drift.length)} changed, ${report.missing.length} missing. ` +
      "`pulumi up --refresh` restores the declaration; or change the program to match Everflow.",
  );
  return `${lines.join("\n")}\n`;
}

function show(value: unknown): string {
  return value === SECRET ? SECRET : JSON.stringify(value);
}
