// The wire format of the Everflow affiliate pixel API: the one source of the request and response types.
// Every type here is inferred from a zod schema (z.infer), never declared by hand a second time.
//
// Parsing follows the "Tolerate" column of the API reference (docs/everflow-api.md):
// - the id may come as `network_pixel_id` or (older docs) `network_affiliate_pixel_id`; it is normalised
//   to `network_pixel_id`;
// - `pixel_type` may be `event` (the network docs' name of `post_conversion`);
// - the list may be plain `{"pixels": [...]}` or paged (`paging`);
// - a facebook `access_token` may be read back as stored, empty, missing or masked;
// - unused scalars may come back zero-valued, null or missing; unused objects as null or missing.
// Unknown fields are kept (z.looseObject) so that a full-replacement PUT built from a read does not wipe
// fields this client does not model. Anything else fails with a message naming the field.

import { z } from "zod";
import {
  canonicalPixelType,
  DELIVERY_METHODS,
  PIXEL_LEVELS,
  PIXEL_STATUSES,
  WIRE_PIXEL_TYPES as PIXEL_TYPES,
} from "../core/rules";

// The enum lists live with the other rules (../rules.ts); the wire accepts the `event` alias too.
export { canonicalPixelType, DELIVERY_METHODS, PIXEL_LEVELS, PIXEL_STATUSES, PIXEL_TYPES };

export const DeliveryMethodSchema = z.enum(DELIVERY_METHODS);
export const PixelLevelSchema = z.enum(PIXEL_LEVELS);
export const PixelStatusSchema = z.enum(PIXEL_STATUSES);
export const PixelTypeSchema = z.enum(PIXEL_TYPES);

export type DeliveryMethod = z.infer<typeof DeliveryMethodSchema>;
export type PixelLevel = z.infer<typeof PixelLevelSchema>;
export type PixelStatus = z.infer<typeof PixelStatusSchema>;
export type PixelType = z.infer<typeof PixelTypeSchema>;

const integer = z.number().int();
/** A read-back integer: `null` or missing mean "unused", i.e. 0. */
const zeroInteger = integer.nullish().transform((value) => value ?? 0);
/** A read-back string: `null` or missing mean "unused", i.e. "". */
const zeroString = z
  .string()
  .nullish()
  .transform((value) => value ?? "");

// ---------------------------------------------------------------------------------------------------
// Request body (create and full-replacement update)

export const FacebookPixelBodySchema = z.looseObject({
  pixel_id: z.string(),
  event_name: z.string(),
  /** A Conversions API token: a secret. Never logged (see redact.ts). */
  access_token: z.string(),
});

/**
 * The snake_case body of `POST /affiliates/pixels` and `PUT /affiliates/pixels/{id}`. Only types are
 * checked here; the cross-field rules (postback_url required for postback delivery, delay_ms at most
 * 300000, ...) are the server's to enforce, and its 400 message is surfaced as is.
 */
export const PixelBodySchema = z.looseObject({
  delivery_method: DeliveryMethodSchema,
  pixel_level: PixelLevelSchema,
  pixel_status: PixelStatusSchema,
  pixel_type: PixelTypeSchema,
  postback_url: z.string().optional(),
  html_code: z.string().optional(),
  network_offer_id: integer.nonnegative().optional(),
  delay_ms: integer.nonnegative().optional(),
  network_offer_payout_revenue_id: integer.nonnegative().optional(),
  facebook_pixel: FacebookPixelBodySchema.nullable().optional(),
});

export type FacebookPixelBody = z.infer<typeof FacebookPixelBodySchema>;
export type PixelBody = z.infer<typeof PixelBodySchema>;

// ---------------------------------------------------------------------------------------------------
// Responses

/** facebook_pixel as read back: the token may be empty, missing or masked. */
export const FacebookPixelSchema = z.looseObject({
  pixel_id: zeroString,
  event_name: zeroString,
  access_token: zeroString,
});

const PixelObjectSchema = z.looseObject({
  network_pixel_id: integer.positive(),
  network_id: zeroInteger,
  network_affiliate_id: zeroInteger,
  delivery_method: DeliveryMethodSchema,
  pixel_level: PixelLevelSchema,
  pixel_status: PixelStatusSchema,
  pixel_type: PixelTypeSchema,
  postback_url: zeroString,
  html_code: zeroString,
  network_offer_id: zeroInteger,
  delay_ms: zeroInteger,
  network_offer_payout_revenue_id: zeroInteger,
  facebook_pixel: FacebookPixelSchema.nullish().transform((value) => value ?? null),
  time_created: zeroInteger,
  time_saved: zeroInteger,
});

/** Older docs name the id `network_affiliate_pixel_id`: copy it to `network_pixel_id`. */
function normaliseIdAlias(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  if (record.network_pixel_id === undefined && record.network_affiliate_pixel_id !== undefined) {
    return { ...record, network_pixel_id: record.network_affiliate_pixel_id };
  }
  return value;
}

/** One pixel as returned by GET/POST/PUT (not wrapped). */
export const PixelSchema = z.preprocess(normaliseIdAlias, PixelObjectSchema);

export const PagingSchema = z.looseObject({
  page: integer.nonnegative(),
  page_size: integer.nonnegative(),
  total_count: integer.nonnegative(),
});

/** `GET /affiliates/pixels` (plain) or a paged variant with `paging`. A null list is an empty one. */
export const PixelListSchema = z.looseObject({
  pixels: z
    .array(PixelSchema)
    .nullable()
    .transform((value) => value ?? []),
  paging: PagingSchema.nullish(),
});

/** Error bodies: `{"error": "..."}`, or `{"Error": "..."}` in places. Non-JSON bodies are read raw. */
export const ErrorBodySchema = z.looseObject({
  error: z.unknown().optional(),
  Error: z.unknown().optional(),
});

export type FacebookPixel = z.infer<typeof FacebookPixelSchema>;
export type Pixel = z.infer<typeof PixelSchema>;
export type Paging = z.infer<typeof PagingSchema>;
export type PixelList = z.infer<typeof PixelListSchema>;
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

// ---------------------------------------------------------------------------------------------------
// Helpers

/**
 * Fields the server owns (the reference's read-only fields: ids, timestamps, the other platforms'
 * pixel objects and `relationship`): stripped from a read before it is sent back as a full-replacement
 * body. Every other field, modelled or not, is sent back unchanged.
 */
export const SERVER_OWNED_FIELDS = [
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

/** The full-replacement body equivalent to a pixel as read: everything but the server-owned fields. */
export function toPixelBody(pixel: Pixel): PixelBody {
  const body: Record<string, unknown> = { ...pixel };
  for (const field of SERVER_OWNED_FIELDS) delete body[field];
  return body as PixelBody;
}

/** `pixels[3].facebook_pixel.pixel_id`-style rendering of an issue path. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(root)" : out;
}

/**
 * One line naming every offending field: `pixels[2].delivery_method: Invalid option: ...`. Input values
 * are never included (a value may be a secret such as an access token).
 */
export function describeZodError(error: z.ZodError): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const issue of error.issues) {
    const line = `${formatPath(issue.path)}: ${issue.message}`;
    if (seen.has(line)) continue;
    seen.add(line);
    parts.push(line);
    if (parts.length >= 5) {
      const more = error.issues.length - parts.length;
      if (more > 0) parts.push(`and ${more} more`);
      break;
    }
  }
  return parts.join("; ");
}

export type WireResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parse with a schema, turning a failure into a one-line message that names the fields. */
export function parseWire<S extends z.ZodType>(schema: S, data: unknown): WireResult<z.infer<S>> {
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data as z.infer<S> };
  return { ok: false, message: describeZodError(result.error) };
}
