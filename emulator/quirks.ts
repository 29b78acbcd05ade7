// Server behaviours Everflow may show (we cannot know which), each off by default: the stored form of
// a write differing from what was sent, and the returned form differing from what is stored. They sit
// beside the scripted faults (faults.ts) and are switched the same way, at start or at runtime.
//
// A returned form may show in some answers only: a server that renders pixels through a template for
// its GET answers but echoes the request in its write answers escapes in reads alone. So each returned
// form names the answers that show it (an AnswerScope) instead of being a plain on/off switch.

import type { FacebookPixel, PixelInput } from "./types";

/** Stored-field overrides per delivery method, e.g. `{ html: { delay_ms: 0 } }`. */
export type MethodDefaults = Partial<
  Record<string, Partial<Record<"delay_ms" | "network_offer_payout_revenue_id", number>>>
>;

/** Longest stored value per string field; longer values are cut off silently. */
export type LengthLimits = Partial<Record<"postback_url" | "html_code", number>>;

/** The fields `truncate` may limit, and those a method default may set. */
export const TRUNCATED_FIELDS = ["postback_url", "html_code"] as const;
const ESCAPED_FIELDS = ["postback_url", "html_code"] as const;
export const METHOD_DEFAULT_FIELDS = ["delay_ms", "network_offer_payout_revenue_id"] as const;

/**
 * Which answers show a form: `"reads"` the answers of `GET /v1/affiliates/pixels`,
 * `GET /v1/affiliates/pixels/:id` and `POST /v1/affiliates/pixelstable`; `"all"` those and the answers of
 * the writes (`POST /v1/affiliates/pixels`, `PUT /v1/affiliates/pixels/:id`).
 */
export type AnswerScope = "reads" | "all";
export const ANSWER_SCOPES = ["reads", "all"] as const;

/** The kind of answer a pixel is returned in. */
export type AnswerKind = "read" | "write";

/** Whether a form switched on for `scope` (undefined = off) shows in an answer of that kind. */
export function shows(scope: AnswerScope | undefined, answer: AnswerKind): boolean {
  return scope === "all" || (scope === "reads" && answer === "read");
}

export interface QuirkOptions {
  /** Per-delivery-method field defaults: what the server stores whatever was sent (default none). */
  methodDefaults?: MethodDefaults;
  /** Silent truncation to a maximum length (default none). */
  truncate?: LengthLimits;
  /**
   * `&`, `<` and `"` in postback_url and html_code are HTML-escaped in the answers named (default off);
   * the store keeps the text.
   */
  escape?: AnswerScope;
  /** @deprecated The same as `escape: "all"` (true) or no escaping (false); give one of the two. */
  escapeOnRead?: boolean;
  /**
   * The answers that show the stored form where `methodDefaults` or `truncate` made it differ from what
   * was sent. `"all"` (the default): write answers return the pixel as stored. `"reads"`: write answers
   * echo the request as validated, and the stored form shows only from the next read.
   */
  storedForm?: AnswerScope;
}

const QUIRK_NAMES = ["methodDefaults", "truncate", "escape", "escapeOnRead", "storedForm"] as const;

interface CheckedQuirks {
  methodDefaults: MethodDefaults;
  truncate: LengthLimits;
  escape?: AnswerScope;
  storedForm: AnswerScope;
}

function checkScope(name: string, value: unknown): AnswerScope | undefined {
  if (value === undefined) return undefined;
  if (!(ANSWER_SCOPES as readonly unknown[]).includes(value)) {
    throw new RangeError(`emulator quirks: ${name} must be "reads" or "all", got ${JSON.stringify(value)}`);
  }
  return value as AnswerScope;
}

function checkQuirks(q: QuirkOptions): CheckedQuirks {
  for (const name of Object.keys(q)) {
    if (!(QUIRK_NAMES as readonly string[]).includes(name)) {
      throw new RangeError(
        `emulator quirks: unknown switch ${JSON.stringify(name)} (${QUIRK_NAMES.join(", ")})`,
      );
    }
  }
  for (const [field, max] of Object.entries(q.truncate ?? {})) {
    if (!(TRUNCATED_FIELDS as readonly string[]).includes(field))
      throw new RangeError(`emulator quirks: truncate.${field}: only ${TRUNCATED_FIELDS.join(", ")}`);
    if (!Number.isInteger(max) || (max as number) < 0)
      throw new RangeError(`emulator quirks: truncate.${field} must be an integer >= 0, got ${max}`);
  }
  for (const [method, fields] of Object.entries(q.methodDefaults ?? {})) {
    for (const [field, value] of Object.entries(fields ?? {})) {
      if (!(METHOD_DEFAULT_FIELDS as readonly string[]).includes(field))
        throw new RangeError(
          `emulator quirks: methodDefaults.${method}.${field}: only ${METHOD_DEFAULT_FIELDS.join(", ")}`,
        );
      if (!Number.isInteger(value))
        throw new RangeError(`emulator quirks: methodDefaults.${method}.${field} must be an integer`);
    }
  }
  if (q.escapeOnRead !== undefined && typeof q.escapeOnRead !== "boolean")
    throw new RangeError("emulator quirks: escapeOnRead must be a boolean");
  if (q.escape !== undefined && q.escapeOnRead !== undefined)
    throw new RangeError('emulator quirks: give escape ("reads" or "all") or escapeOnRead, not both');
  const escape = checkScope("escape", q.escape) ?? (q.escapeOnRead ? "all" : undefined);
  return {
    methodDefaults: q.methodDefaults ?? {},
    truncate: q.truncate ?? {},
    ...(escape ? { escape } : {}),
    storedForm: checkScope("storedForm", q.storedForm) ?? "all",
  };
}

/** HTML escaping of the three characters a template engine would escape in an attribute. */
export function htmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
}

type Returned = { postback_url: string; html_code: string; facebook_pixel: FacebookPixel | null };

export class Quirks {
  private options: CheckedQuirks;

  constructor(options: QuirkOptions = {}) {
    this.options = checkQuirks(options);
  }

  /** Replace the switches (an empty object turns every quirk off). */
  set(options: QuirkOptions): void {
    this.options = checkQuirks(options);
  }

  /** The form a validated write is stored in. */
  stored(input: PixelInput): PixelInput {
    const out: PixelInput = { ...input };
    const defaults = this.options.methodDefaults[input.delivery_method];
    if (defaults) Object.assign(out, defaults);
    for (const [field, max] of Object.entries(this.options.truncate) as [keyof LengthLimits, number][]) {
      if (out[field].length > max) out[field] = out[field].slice(0, max);
    }
    return out;
  }

  /**
   * The pixel a write answers with, before the returned forms: the stored pixel, or (when the stored
   * form shows in reads only) the stored pixel with the validated request's fields over it (the caller
   * recomputes `relationship` from them).
   */
  written<T extends Returned>(stored: T, sent: PixelInput): T {
    return shows(this.options.storedForm, "write") ? stored : { ...stored, ...sent };
  }

  /** The form a pixel is returned in, in an answer of that kind. */
  rendered<T extends Returned>(pixel: T, answer: AnswerKind): T {
    if (!shows(this.options.escape, answer)) return pixel;
    const out = { ...pixel };
    for (const field of ESCAPED_FIELDS) {
      if (typeof out[field] === "string") out[field] = htmlEscape(out[field]) as T[typeof field];
    }
    return out;
  }
}
