import { createHash } from "node:crypto";
import { canonical, MODELLED_FIELDS, sameValue, type CanonicalPostback, type ModelledField } from "./rules";
import { isSecretPath } from "./secrecy";

/**
 * The write model. Each postback's outputs keep, under {@link APPLIED_KEY}, what the last write applied
 * and what Everflow answered to it, so that `diff` can ask two separate questions:
 *   - program changes: the declaration now against the last applied declaration;
 *   - drift: the live postback (after a refresh) against Everflow's last answer.
 * The declaration is never compared with the server's stored form, so a server that normalises what it
 * stores (a default, an escape) does not make every `up` write.
 *
 * Compact on purpose (state size per postback matters): the last applied declaration is kept as one
 * short digest per field, and only the fields Everflow answered differently are kept as values. A
 * digest also keeps a secret (the Conversions API token) out of this record.
 */
export const APPLIED_KEY = "lastApplied";

export interface AppliedRecord {
  /** Digest of each modelled field of the last applied declaration, in MODELLED_FIELDS order, "."-joined. */
  d: string;
  /** Fields Everflow answered differently from the declaration: [declared, answered], canonical values. */
  x?: Partial<Record<ModelledField, [unknown, unknown]>>;
}

type Fields = Record<string, unknown>;

/** Digests by the JSON of their value; see {@link digest}. */
const digests = new Map<string, string>();
/** Bound on {@link digests}: past it the cache starts over (a few hundred KB at most). */
const DIGEST_CACHE_SIZE = 4096;

/**
 * 8 base64url characters of SHA-256: enough to tell "changed", too short to recover a value. Cached:
 * a refresh digests every field of every postback twice (the declaration and the live value), and most
 * values ("postback", "global", 0, "") are the same across postbacks.
 */
function digest(value: unknown): string {
  const json = JSON.stringify(value);
  let hash = digests.get(json);
  if (hash === undefined) {
    hash = createHash("sha256").update(json).digest("base64url").slice(0, 8);
    if (digests.size >= DIGEST_CACHE_SIZE) digests.clear();
    digests.set(json, hash);
  }
  return hash;
}

/** A canonical value safe to keep in plain state: the facebook token is replaced by its digest. */
function keepable(field: ModelledField, value: unknown): unknown {
  if (field !== "facebookPixel" || value === null || typeof value !== "object") return value;
  const fb = value as NonNullable<CanonicalPostback["facebookPixel"]>;
  return { ...fb, accessToken: `sha256:${digest(fb.accessToken)}` };
}

/** The record of a write: `declared` was applied, Everflow answered `answered` (both declared shape). */
export function appliedRecord(declared: Fields, answered: Fields): AppliedRecord {
  const c = canonical(declared);
  const a = canonical(answered);
  const x: NonNullable<AppliedRecord["x"]> = {};
  for (const f of MODELLED_FIELDS) {
    if (!sameValue(c[f], a[f])) x[f] = [keepable(f, c[f]), keepable(f, a[f])];
  }
  const record: AppliedRecord = { d: MODELLED_FIELDS.map((f) => digest(c[f])).join(".") };
  if (Object.keys(x).length > 0) record.x = x;
  return record;
}

/** The record kept in outputs, if any: state written before issue 10 has none. */
export function appliedOf(outputs: Fields): AppliedRecord | undefined {
  const r = outputs[APPLIED_KEY] as AppliedRecord | undefined;
  return r && typeof r === "object" && typeof r.d === "string" ? r : undefined;
}

function digestsOf(record: AppliedRecord): Map<ModelledField, string> {
  const parts = record.d.split(".");
  return new Map(MODELLED_FIELDS.map((f, i) => [f, parts[i] ?? ""]));
}

/** What the program changed: the declaration now against the last applied one (legacy: the outputs). */
export function programChanges(news: Fields, olds: Fields): ModelledField[] {
  const record = appliedOf(olds);
  if (!record) return changedFieldsOf(news, olds);
  const digests = digestsOf(record);
  const c = canonical(news);
  return MODELLED_FIELDS.filter((f) => digests.get(f) !== digest(c[f]));
}

/** Does a live field hold what Everflow answered to the last write? (Legacy: the outputs were that answer.) */
export function matchesLastAnswer(field: ModelledField, live: Fields, olds: Fields): boolean {
  return lastAnswerTest(olds)(field, canonical(live)[field]);
}

/** What Everflow changed: the fields of `live` (refreshed outputs) that differ from its last answer. */
export function drift(live: Fields, olds: Fields = live): ModelledField[] {
  const matches = lastAnswerTest(olds);
  const value = canonical(live);
  return MODELLED_FIELDS.filter((f) => !matches(f, value[f]));
}

/** Whether a canonical live value is Everflow's last answer, with the record of `olds` read once. */
function lastAnswerTest(olds: Fields): (field: ModelledField, value: unknown) => boolean {
  const record = appliedOf(olds);
  if (!record) {
    const answered = canonical(olds);
    return (field, value) => sameValue(value, answered[field]);
  }
  const recorded = digestsOf(record);
  return (field, value) => {
    const differs = record.x?.[field];
    if (differs) return sameValue(keepable(field, value), differs[1]);
    return recorded.get(field) === digest(value);
  };
}

/**
 * The value to send back for a field the write does not mean to change, given the live value: what the
 * last write sent when the live value is still Everflow's answer to it (a server that escapes on read
 * must not get its escaped text back), otherwise the live value (a change made outside Pulumi).
 */
export function unchangedValue(field: ModelledField, live: Fields, olds: Fields): unknown {
  const value = canonical(live)[field];
  const record = appliedOf(olds);
  const differs = record?.x?.[field];
  if (!differs || !matchesLastAnswer(field, live, olds)) return value;
  // The token is kept only as a digest: the live (or known) token is the one to send.
  return field === "facebookPixel" ? value : differs[0];
}

function changedFieldsOf(a: Fields, b: Fields): ModelledField[] {
  const ca = canonical(a);
  const cb = canonical(b);
  return MODELLED_FIELDS.filter((f) => !sameValue(ca[f], cb[f]));
}

/** A value shortened for a message: long strings keep their start and end. */
export function shown(value: unknown, max = 60): string {
  const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value ?? null);
  if (text.length <= max) return text;
  const keep = Math.floor((max - 1) / 2);
  return `${text.slice(0, keep)}…${text.slice(-keep)} (${text.length} chars)`;
}

export interface AnswerCheck {
  /** Differences that change what the postback does (a value cut off): the write must fail. */
  broken: string[];
  /** Other differences, each a field and both values: one warning each. */
  notes: string[];
}

/**
 * Everflow's answer to a write against what was sent. A string that came back as a shorter prefix of
 * what was sent was cut off, which changes the postback's meaning; anything else is the server's form.
 * `previous` are the differences the last write already reported (reported once only). A field at a
 * `secrets` path is named without its values.
 */
export function checkAnswer(
  sent: Fields,
  answered: Fields,
  secrets: ReadonlySet<string>,
  previous?: AppliedRecord,
  fields: readonly ModelledField[] = MODELLED_FIELDS,
): AnswerCheck {
  const s = canonical(sent);
  const a = canonical(answered);
  const out: AnswerCheck = { broken: [], notes: [] };
  for (const f of fields) {
    if (sameValue(s[f], a[f])) continue;
    const [sv, av] = [s[f], a[f]];
    const what = isSecretPath(f, secrets)
      ? `${f} (secret, values not shown)`
      : `${f}: sent ${shown(sv)}, Everflow answered ${shown(av)}`;
    if (typeof sv === "string" && typeof av === "string" && av.length < sv.length && sv.startsWith(av)) {
      out.broken.push(`${what} (cut off at ${av.length} of ${sv.length} characters)`);
      continue;
    }
    const known = previous?.x?.[f];
    if (known && sameValue(known[0], keepable(f, sv)) && sameValue(known[1], keepable(f, av))) continue;
    out.notes.push(what);
  }
  return out;
}
