// Server behaviours Everflow may show (we cannot know which), each off by default: the stored form of
// a write differing from what was sent, and the read form differing from what is stored. They sit
// beside the scripted faults (faults.ts) and are switched the same way, at start or at runtime.

import type { FacebookPixel, PixelInput } from "./types";

/** Stored-field overrides per delivery method, e.g. `{ html: { delay_ms: 0 } }`. */
export type MethodDefaults = Partial<
  Record<string, Partial<Record<"delay_ms" | "network_offer_payout_revenue_id", number>>>
>;

/** Longest stored value per string field; longer values are cut off silently. */
export type LengthLimits = Partial<Record<"postback_url" | "html_code", number>>;

export interface QuirkOptions {
  /** Per-delivery-method field defaults: what the server stores whatever was sent (default none). */
  methodDefaults?: MethodDefaults;
  /** Silent truncation to a maximum length (default none). */
  truncate?: LengthLimits;
  /** `&`, `<` and `"` in postback_url and html_code are HTML-escaped in every pixel returned (default off). */
  escapeOnRead?: boolean;
}

const ESCAPED_FIELDS = ["postback_url", "html_code"] as const;

function checkQuirks(q: QuirkOptions): QuirkOptions {
  for (const [field, max] of Object.entries(q.truncate ?? {})) {
    if (!Number.isInteger(max) || (max as number) < 0)
      throw new RangeError(`emulator quirks: truncate.${field} must be an integer >= 0, got ${max}`);
  }
  for (const [method, fields] of Object.entries(q.methodDefaults ?? {})) {
    for (const [field, value] of Object.entries(fields ?? {})) {
      if (!Number.isInteger(value))
        throw new RangeError(`emulator quirks: methodDefaults.${method}.${field} must be an integer`);
    }
  }
  return { ...q };
}

/** HTML escaping of the three characters a template engine would escape in an attribute. */
export function htmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
}

export class Quirks {
  private options: QuirkOptions;

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
    const defaults = this.options.methodDefaults?.[input.delivery_method];
    if (defaults) Object.assign(out, defaults);
    for (const [field, max] of Object.entries(this.options.truncate ?? {}) as [
      keyof LengthLimits,
      number,
    ][]) {
      if (out[field].length > max) out[field] = out[field].slice(0, max);
    }
    return out;
  }

  /** The form a stored pixel is returned in. */
  rendered<T extends { postback_url: string; html_code: string; facebook_pixel: FacebookPixel | null }>(
    pixel: T,
  ): T {
    if (!this.options.escapeOnRead) return pixel;
    const out = { ...pixel };
    for (const field of ESCAPED_FIELDS) {
      if (typeof out[field] === "string") out[field] = htmlEscape(out[field]) as T[typeof field];
    }
    return out;
  }
}
