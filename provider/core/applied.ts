import { createHash } from "node:crypto";
import {
  canonical,
  fieldOf,
  fromUnits,
  MODELLED_FIELDS,
  sameValue,
  unitValues,
  WRITE_UNITS,
  type CanonicalPostback,
  type ModelledField,
  type WriteUnit,
} from "./rules";
import { isSecretPath } from "./secrecy";

/**
 * The write model. Each postback's outputs keep, under {@link APPLIED_KEY}, what the last write applied
 * and what Everflow answered to it, so that `diff` can ask two separate questions:
 *   - program changes: the declaration now against the last applied declaration;
 *   - drift: the live postback (after a refresh) against Everflow's last answer.
 * The declaration is never compared with the server's stored form, so a server that normalises what it
 * stores (a default, an escape) does not make every `up` write. Both questions are asked per write unit
 * (rules.ts: each field, the facebook pixel by its parts), and a write takes from the declaration only
 * the units the program changed or that drifted: a unit changed by hand in Everflow that the program did
 * not change keeps its live value, at any depth.
 *
 * Compact on purpose (state size per postback matters): the last applied declaration is kept as one
 * short digest per unit, and only the units Everflow answered differently are kept as values (the
 * token as a digest). The record is secret whenever the postback holds a secret (secrecy.ts).
 *
 * Everflow may also present what it stores in another form in its read answers only (HTML-escaped text,
 * onelogin/terraform-provider-onelogin#258): see {@link readForm}.
 */
export const APPLIED_KEY = "lastApplied";

export interface AppliedRecord {
  /** 2: `d` holds a digest per WRITE_UNITS entry. Absent (state before the split): per MODELLED_FIELDS entry. */
  v?: 2;
  /** Digests of the last applied declaration, "."-joined, in the order `v` says. */
  d: string;
  /** Units (fields, before v2) Everflow answered differently: [declared, answered], canonical values. */
  x?: Partial<Record<string, [unknown, unknown]>>;
  /** Everflow was seen presenting text HTML-escaped in its read answers (readForm). */
  r?: "html";
}

type Fields = Record<string, unknown>;

/** Digests by the JSON of their value; see {@link digest}. */
const digests = new Map<string, string>();
/** Bound on {@link digests}: past it the cache starts over (a few hundred KB at most). */
const DIGEST_CACHE_SIZE = 4096;

/**
 * 8 base64url characters of SHA-256: enough to tell "changed", too short to recover a value. Cached:
 * a refresh digests every unit of every postback twice (the declaration and the live value), and most
 * values ("postback", "global", 0, "") are the same across postbacks.
 */
function digest(value: unknown): string {
  const json = JSON.stringify(value ?? null);
  let hash = digests.get(json);
  if (hash === undefined) {
    hash = createHash("sha256").update(json).digest("base64url").slice(0, 8);
    if (digests.size >= DIGEST_CACHE_SIZE) digests.clear();
    digests.set(json, hash);
  }
  return hash;
}

const TOKEN: WriteUnit = "facebookPixel.accessToken";

/** A unit's value safe to keep in the record: the token becomes its digest. */
function keepable(unit: WriteUnit, value: unknown): unknown {
  return unit === TOKEN && typeof value === "string" ? `sha256:${digest(value)}` : value;
}

/**
 * The record of a write: `declared` was applied, Everflow answered `answered` (both declared shape).
 * `readEscaped`: the postback was seen presenting text escaped in read answers.
 */
export function appliedRecord(declared: Fields, answered: Fields, readEscaped = false): AppliedRecord {
  const c = unitValues(canonical(declared));
  const a = unitValues(canonical(answered));
  const x: NonNullable<AppliedRecord["x"]> = {};
  for (const u of WRITE_UNITS) {
    if (!sameValue(c[u], a[u])) x[u] = [keepable(u, c[u]), keepable(u, a[u])];
  }
  const record: AppliedRecord = { v: 2, d: WRITE_UNITS.map((u) => digest(c[u])).join(".") };
  if (Object.keys(x).length > 0) record.x = x;
  if (readEscaped) record.r = "html";
  return record;
}

/** The record kept in outputs, if any: state written before issue 10 has none. */
export function appliedOf(outputs: Fields): AppliedRecord | undefined {
  const r = outputs[APPLIED_KEY] as AppliedRecord | undefined;
  return r && typeof r === "object" && typeof r.d === "string" ? r : undefined;
}

/**
 * What a postback's state knows of the last write, asked unit by unit: is a value what Everflow
 * answered to it, and what did the program declare then. Reads the record once.
 */
interface LastWrite {
  /** Whether `value` of `unit` (in `whole`, a canonical postback) is Everflow's answer to the last write. */
  answered(unit: WriteUnit, value: unknown, whole: CanonicalPostback): boolean;
  /** Whether `value` of `unit` is what the last write declared. */
  declared(unit: WriteUnit, value: unknown, whole: CanonicalPostback): boolean;
  /** The declared value of a unit Everflow answered differently (its form as sent), if recorded. */
  sentForm(unit: WriteUnit): { value: unknown } | undefined;
  readEscaped: boolean;
}

function lastWrite(olds: Fields): LastWrite {
  const record = appliedOf(olds);
  if (!record) {
    // Legacy state: the outputs were Everflow's answer, and the declaration as far as anyone knows.
    const outputs = unitValues(canonical(olds));
    const same = (unit: WriteUnit, value: unknown) => sameValue(value, outputs[unit]);
    return {
      answered: same,
      declared: same,
      sentForm: () => undefined,
      readEscaped: false,
    };
  }
  const parts = record.d.split(".");
  // v2: a digest per unit; before: per field, the facebook pixel as a whole.
  const recorded =
    record.v === 2
      ? (unit: WriteUnit, value: unknown) => parts[WRITE_UNITS.indexOf(unit)] === digest(value)
      : (unit: WriteUnit, _value: unknown, whole: CanonicalPostback) =>
          parts[MODELLED_FIELDS.indexOf(fieldOf(unit))] === digest(whole[fieldOf(unit)]);
  const differs = (unit: WriteUnit): [unknown, unknown] | undefined =>
    record.v === 2 ? record.x?.[unit] : legacyDiffers(record, unit);
  return {
    answered(unit, value, whole) {
      const d = differs(unit);
      if (d) return sameValue(keepable(unit, value), d[1]);
      return recorded(unit, value, whole);
    },
    declared: recorded,
    sentForm(unit) {
      const d = differs(unit);
      // The token is kept only as a digest: the live (or known) token is the one to send.
      return d && unit !== TOKEN ? { value: d[0] } : undefined;
    },
    readEscaped: record.r === "html",
  };
}

/** Before v2, the record's differences were per field: a facebook pixel's part read from its field's. */
function legacyDiffers(record: AppliedRecord, unit: WriteUnit): [unknown, unknown] | undefined {
  const field = fieldOf(unit);
  const d = record.x?.[field];
  if (!d || field !== "facebookPixel") return d;
  const part = unit.slice("facebookPixel.".length) as "pixelId" | "eventName";
  const of = (v: unknown) => (v && typeof v === "object" ? (v as Record<string, unknown>)[part] : null);
  return unit === TOKEN ? undefined : [of(d[0]), of(d[1])];
}

/** What the program changed: the units of the declaration now that differ from the last applied one. */
export function programChanges(news: Fields, olds: Fields): WriteUnit[] {
  const last = lastWrite(olds);
  const c = canonical(news);
  const values = unitValues(c);
  return WRITE_UNITS.filter((u) => !last.declared(u, values[u], c));
}

/** Does a live unit hold what Everflow answered to the last write? */
export function matchesLastAnswer(unit: WriteUnit, live: Fields, olds: Fields): boolean {
  const c = canonical(live);
  return lastWrite(olds).answered(unit, unitValues(c)[unit], c);
}

/** What Everflow changed: the units of `live` (refreshed outputs) that differ from its last answer. */
export function drift(live: Fields, olds: Fields = live): WriteUnit[] {
  const last = lastWrite(olds);
  const c = canonical(live);
  const values = unitValues(c);
  return WRITE_UNITS.filter((u) => !last.answered(u, values[u], c));
}

/**
 * The value to send back for a unit the write does not mean to change, given the live value: what the
 * last write sent when the live value is still Everflow's answer to it (a server that escapes what it
 * answers must not get its escaped text back), otherwise the live value (a change made outside Pulumi).
 */
export function unchangedValue(unit: WriteUnit, live: Fields, olds: Fields): unknown {
  const c = canonical(live);
  const value = unitValues(c)[unit];
  const last = lastWrite(olds);
  const sent = last.sentForm(unit);
  return sent && last.answered(unit, value, c) ? sent.value : value;
}

// ---------------------------------------------------------------------------------------------------
// Read forms

/** Units whose text a server may present escaped in its read answers. */
const TEXT_UNITS: readonly WriteUnit[] = [
  "postbackUrl",
  "htmlCode",
  "facebookPixel.pixelId",
  "facebookPixel.eventName",
];

const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * One pass of HTML entity decoding: the five named entities any escaper emits and numeric ones (what
 * escapers of Go, PHP, Ruby and JavaScript produce for `& < > " '`). Deliberately not a full HTML
 * entity table: a server presenting stored text escaped escapes these, and decoding more would take
 * text a user wrote literally for an escape.
 */
export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, body: string) => {
    if (body[0] === "#") {
      const code =
        body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}

/** What {@link readForm} makes of a live postback. */
export interface ReadForm {
  /** The live postback with text Everflow merely presents escaped in the form it stores. */
  live: Fields;
  /** The record of the last write, marked when the postback was seen presenting text escaped. */
  record: AppliedRecord | undefined;
}

/**
 * A live postback (declared shape, as read) in the form Everflow stores, and the record marked with
 * what the read showed. Everflow may present stored text HTML-escaped in its read answers while its
 * answers to writes carry the text as sent (onelogin/terraform-provider-onelogin#258): a text unit
 * that is not Everflow's last answer as read, but is once its HTML entities are decoded, is that answer
 * in a read form, neither drift nor a value to write back. Once a postback has shown such a form (now,
 * or in its record), every text unit of it is taken decoded, changes made in Everflow included:
 * written back as read, the escapes would be stored.
 *
 * A read form that is no transformation of the text (a stored default a write's answer does not show)
 * cannot be told from a change made in Everflow: it is drift, which is what it is to the declaration.
 */
export function readForm(live: Fields, olds: Fields): ReadForm {
  const record = appliedOf(olds);
  const last = lastWrite(olds);
  const c = canonical(live);
  const values = unitValues(c);
  const decoded = { ...values };
  let escaped = last.readEscaped;
  for (const unit of TEXT_UNITS) {
    const value = values[unit];
    if (typeof value !== "string" || last.answered(unit, value, c)) continue;
    const plain = decodeHtmlEntities(value);
    if (plain === value) continue;
    decoded[unit] = plain;
    if (last.answered(unit, plain, c)) escaped = true;
  }
  if (!escaped) return { live, record };
  const shape = fromUnits(decoded);
  const out: Fields = { ...live };
  for (const field of MODELLED_FIELDS) {
    if (out[field] !== undefined) out[field] = shape[field];
  }
  return { live: out, record: record && { ...record, r: "html" } };
}

// ---------------------------------------------------------------------------------------------------
// Messages

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
  /** Other differences, each a unit and both values: one warning each. */
  notes: string[];
}

/**
 * Everflow's answer to a write against what was sent. A string that came back as a shorter prefix of
 * what was sent was cut off, which changes the postback's meaning; anything else is the server's form.
 * `previous` are the differences the last write already reported (reported once only). A unit at a
 * `secrets` path is named without its values.
 */
export function checkAnswer(
  sent: Fields,
  answered: Fields,
  secrets: ReadonlySet<string>,
  previous?: AppliedRecord,
  units: readonly WriteUnit[] = WRITE_UNITS,
): AnswerCheck {
  const s = unitValues(canonical(sent));
  const a = unitValues(canonical(answered));
  const out: AnswerCheck = { broken: [], notes: [] };
  for (const u of units) {
    if (sameValue(s[u], a[u])) continue;
    const [sv, av] = [s[u], a[u]];
    const what = isSecretPath(u, secrets)
      ? `${u} (secret, values not shown)`
      : `${u}: sent ${shown(sv)}, Everflow answered ${shown(av)}`;
    if (typeof sv === "string" && typeof av === "string" && av.length < sv.length && sv.startsWith(av)) {
      out.broken.push(`${what} (cut off at ${av.length} of ${sv.length} characters)`);
      continue;
    }
    const known = previous?.v === 2 ? previous.x?.[u] : undefined;
    if (known && sameValue(known[0], keepable(u, sv)) && sameValue(known[1], keepable(u, av))) continue;
    out.notes.push(what);
  }
  return out;
}

export type { WriteUnit, ModelledField };
