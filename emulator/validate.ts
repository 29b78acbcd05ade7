// Validation of create/update bodies, by hand from the API reference's "Input fields" table. Every
// message names the field it is about. Fields that do not apply to the delivery method or level are
// cleared (the reference's "Emulator" choice), and unknown fields are returned separately to be kept.

import {
  DELIVERY_METHODS,
  MAX_DELAY_MS,
  PIXEL_LEVELS,
  PIXEL_STATUSES,
  PIXEL_TYPES,
  type FacebookPixel,
  type PixelInput,
} from "./types";

/** Input fields the emulator models (validated, normalised). */
export const INPUT_FIELDS = [
  "delivery_method",
  "pixel_level",
  "pixel_status",
  "pixel_type",
  "postback_url",
  "html_code",
  "network_offer_id",
  "delay_ms",
  "facebook_pixel",
  "network_offer_payout_revenue_id",
] as const;

/** Read-only response fields: ignored when a client sends them back (they are never stored as extras). */
export const READ_ONLY_FIELDS = [
  "network_pixel_id",
  "network_affiliate_pixel_id",
  "network_id",
  "network_affiliate_id",
  "time_created",
  "time_saved",
  "tiktok_pixel",
  "snapchat_pixel",
  "rumble_pixel",
  "relationship",
] as const;

const MODELED = new Set<string>([...INPUT_FIELDS, ...READ_ONLY_FIELDS]);

export type ValidationResult =
  { ok: true; input: PixelInput; extras: Record<string, unknown> } | { ok: false; error: string };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

function oneOf<T extends string>(
  body: Record<string, unknown>,
  field: string,
  allowed: readonly T[],
  errors: string[],
): T | undefined {
  const value = body[field];
  if (isAbsent(value) || value === "") {
    errors.push(`${field} is required`);
    return undefined;
  }
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    errors.push(`${field} must be one of: ${allowed.join(", ")}`);
    return undefined;
  }
  return value as T;
}

function optionalInteger(
  body: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
  rule: string,
  errors: string[],
): number {
  const value = body[field];
  if (isAbsent(value)) return 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    errors.push(`${field} must be ${rule}`);
    return 0;
  }
  return value;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

/** Copy of the unknown (unmodelled) fields of a body, skipping prototype-polluting keys. */
export function extraFields(body: Record<string, unknown>): Record<string, unknown> {
  const extras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (MODELED.has(key) || key === "__proto__") continue;
    extras[key] = value;
  }
  return extras;
}

function validateFacebookPixel(value: unknown, errors: string[]): FacebookPixel | null {
  if (isAbsent(value)) {
    errors.push("facebook_pixel is required when delivery_method is facebook");
    return null;
  }
  if (!isPlainObject(value)) {
    errors.push("facebook_pixel must be an object with pixel_id, event_name and access_token");
    return null;
  }
  let ok = true;
  for (const sub of ["pixel_id", "event_name", "access_token"] as const) {
    if (!nonEmptyString(value[sub])) {
      errors.push(`facebook_pixel.${sub} is required (a non-empty string) when delivery_method is facebook`);
      ok = false;
    }
  }
  if (!ok) return null;
  const copy: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (key !== "__proto__") copy[key] = v;
  return copy as FacebookPixel;
}

/**
 * Validate a create or full-replacement update body. All errors are reported, joined by "; ", so one
 * 400 names every offending field.
 */
export function validatePixelBody(body: unknown): ValidationResult {
  if (!isPlainObject(body)) return { ok: false, error: "request body must be a JSON object" };
  const errors: string[] = [];

  const delivery = oneOf(body, "delivery_method", DELIVERY_METHODS, errors);
  const level = oneOf(body, "pixel_level", PIXEL_LEVELS, errors);
  const status = oneOf(body, "pixel_status", PIXEL_STATUSES, errors);
  const type = oneOf(body, "pixel_type", PIXEL_TYPES, errors);

  let postbackUrl = "";
  let htmlCode = "";
  let facebookPixel: FacebookPixel | null = null;
  if (delivery === "postback") {
    const url = body.postback_url;
    if (isAbsent(url) || url === "") {
      errors.push("postback_url is required when delivery_method is postback");
    } else if (typeof url !== "string") {
      errors.push("postback_url must be a string");
    } else if (!/^https?:\/\//i.test(url)) {
      errors.push("postback_url must start with http:// or https://");
    } else {
      postbackUrl = url;
    }
  } else if (delivery === "html") {
    const html = body.html_code;
    if (isAbsent(html) || (typeof html === "string" && html.trim() === "")) {
      errors.push("html_code is required when delivery_method is html");
    } else if (typeof html !== "string") {
      errors.push("html_code must be a string");
    } else {
      htmlCode = html;
    }
  } else if (delivery === "facebook") {
    facebookPixel = validateFacebookPixel(body.facebook_pixel, errors);
  }

  let offerId = 0;
  if (level === "specific") {
    const value = body.network_offer_id;
    if (isAbsent(value) || value === 0) {
      errors.push("network_offer_id is required (an integer > 0) when pixel_level is specific");
    } else if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
      errors.push("network_offer_id must be an integer > 0 when pixel_level is specific");
    } else {
      offerId = value;
    }
  }

  const delayMs = optionalInteger(
    body,
    "delay_ms",
    0,
    MAX_DELAY_MS,
    `an integer between 0 and ${MAX_DELAY_MS}`,
    errors,
  );
  const payoutRevenueId = optionalInteger(
    body,
    "network_offer_payout_revenue_id",
    0,
    Number.MAX_SAFE_INTEGER,
    "an integer >= 0",
    errors,
  );

  if (errors.length > 0 || !delivery || !level || !status || !type) {
    return { ok: false, error: errors.join("; ") };
  }
  return {
    ok: true,
    input: {
      delivery_method: delivery,
      pixel_level: level,
      pixel_status: status,
      pixel_type: type,
      postback_url: postbackUrl,
      html_code: htmlCode,
      network_offer_id: offerId,
      delay_ms: delayMs,
      facebook_pixel: facebookPixel,
      network_offer_payout_revenue_id: payoutRevenueId,
    },
    extras: extraFields(body),
  };
}
