import { z } from "zod";
import {
  DELIVERY_METHODS,
  MAX_DELAY_MS,
  MAX_LENGTH,
  METHOD_FIELD,
  MODELLED_FIELDS,
  PIXEL_LEVELS,
  PIXEL_STATUSES,
  PIXEL_TYPES,
} from "./rules";

/**
 * The declared shape of a postback: the one schema behind the SDK's `PostbackArgs`, the provider's
 * `check`, and the normalisation that `diff` compares. Field docs here are the docs users see.
 */

export { DELIVERY_METHODS, MAX_DELAY_MS, MODELLED_FIELDS, PIXEL_LEVELS, PIXEL_STATUSES, PIXEL_TYPES };
export const DEFAULT_ACCOUNT = "default";

// Messages name no field and quote no value: check() prefixes each with the property path it applies
// to, and quotes the value unless it is secret.
const expected = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? "is required" : `must be ${what}`;

const enumOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: expected(`one of ${values.join(", ")}`) });

const nonEmpty = () =>
  z
    .string({ error: expected("a string") })
    .trim()
    .min(1, { error: "must not be empty" });

const tooLong = (max: number) => (issue: { input?: unknown }) =>
  `must be at most ${max} characters (got ${typeof issue.input === "string" ? issue.input.length : "more"}): ` +
  "Everflow cuts longer values off";

const wholeNumber = () => z.number({ error: expected("a number") }).int({ error: "must be a whole number" });

export const FacebookPixelSchema = z.strictObject({
  /** The Facebook (Meta) pixel id. */
  pixelId: nonEmpty(),
  /** The Conversions API event to send, for example `Purchase` or `Lead`. */
  eventName: nonEmpty(),
  /** A Conversions API access token. Stored as a secret in state; keep it in secret config. */
  accessToken: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .trim()
    .min(1, { error: "must not be empty" }),
});

const PostbackFields = z.strictObject({
  /**
   * How Everflow delivers the event: `postback` (a server-to-server URL), `html` (an HTML/JavaScript
   * pixel) or `facebook` (the Conversions API). Required.
   */
  deliveryMethod: enumOf(DELIVERY_METHODS),
  /** `global` fires for every offer; `specific` for the one offer in `networkOfferId`. Required. */
  pixelLevel: enumOf(PIXEL_LEVELS),
  /** `active` (the default) or `inactive`. Destroying a postback sets it `inactive`. */
  pixelStatus: enumOf(PIXEL_STATUSES).default("active"),
  /**
   * `conversion`, `post_conversion` (post-conversion events) or `cpc` (clicks; only for offers with a
   * CPC payout). Required.
   */
  pixelType: enumOf(PIXEL_TYPES),
  /**
   * The URL Everflow calls. Required when `deliveryMethod` is `postback` and not allowed otherwise; must
   * start with `http://` or `https://`; may hold macros such as `{transaction_id}` (unknown macros warn).
   */
  postbackUrl: z
    .string({ error: expected("a string") })
    .trim()
    .regex(/^https?:\/\/\S+$/i, { error: "must start with http:// or https:// and contain no spaces" })
    .max(MAX_LENGTH.postbackUrl, { error: tooLong(MAX_LENGTH.postbackUrl) })
    .optional(),
  /** The HTML or JavaScript snippet. Required when `deliveryMethod` is `html` and not allowed otherwise. */
  htmlCode: nonEmpty()
    .max(MAX_LENGTH.htmlCode, { error: tooLong(MAX_LENGTH.htmlCode) })
    .optional(),
  /**
   * The offer the postback belongs to: a positive integer, required when `pixelLevel` is `specific` and
   * not allowed when it is `global`.
   */
  networkOfferId: wholeNumber().positive({ error: "must be a positive offer id" }).optional(),
  /** Delay before firing, in milliseconds: 0 (the default) to 300000 (5 minutes). */
  delayMs: wholeNumber()
    .min(0, { error: "must be at least 0" })
    .max(MAX_DELAY_MS, { error: `must be at most ${MAX_DELAY_MS} (5 minutes)` })
    .default(0),
  /**
   * Ties the postback to one payout/revenue entry of the offer (`pixelLevel` `specific` only); 0 (the
   * default) means all entries.
   */
  networkOfferPayoutRevenueId: wholeNumber().min(0, { error: "must be 0 or a payout/revenue id" }).default(0),
  /** The Facebook pixel: required when `deliveryMethod` is `facebook` and not allowed otherwise. */
  facebookPixel: FacebookPixelSchema.optional(),
  /**
   * Which configured Everflow account manages this postback (`default` unless set; see "Several
   * accounts" in docs/configuration.md). Changing it replaces the postback.
   */
  account: z
    .string({ error: expected("a string") })
    .regex(/^[A-Za-z][A-Za-z0-9_-]{0,62}$/, {
      error: "must start with a letter and hold only letters, digits, - and _",
    })
    .default(DEFAULT_ACCOUNT),
  /**
   * Set by the SDK from the `import` resource option: the id of an existing postback to adopt instead of
   * creating one. Not part of the postback itself.
   */
  importId: z
    .string()
    .regex(/^[1-9][0-9]*$/, { error: "must be a postback id (a positive integer)" })
    .optional(),
});

export interface RuleViolation {
  path: string;
  message: string;
}

/**
 * The API's cross-field rules, each reported on the field the user has to change. Written over raw
 * values so that check can report them next to field errors, not only once every field is valid.
 */
export function postbackRules(p: Record<string, unknown>): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const rule = (path: string, ok: boolean, message: string) => {
    if (!ok) violations.push({ path, message });
  };
  const has = (key: string) => p[key] !== undefined;
  const method = p.deliveryMethod;
  if (typeof method === "string" && (DELIVERY_METHODS as readonly string[]).includes(method)) {
    for (const [m, field] of Object.entries(METHOD_FIELD)) {
      if (m === method) rule(field, has(field), `required when deliveryMethod is ${method}`);
      else rule(field, !has(field), `not allowed when deliveryMethod is ${method}`);
    }
  }
  const level = p.pixelLevel;
  if (level === "specific")
    rule("networkOfferId", has("networkOfferId"), "required when pixelLevel is specific");
  if (level === "global") {
    rule("networkOfferId", !has("networkOfferId"), "not allowed when pixelLevel is global");
    rule(
      "networkOfferPayoutRevenueId",
      !p.networkOfferPayoutRevenueId,
      "only applies when pixelLevel is specific",
    );
  }
  return violations;
}

/** What Everflow adds to a postback: its outputs beside the declared fields. */
export const PostbackStateFields = z.strictObject({
  /** The postback's id in Everflow (the API's `network_pixel_id`). */
  pixelId: z.number().int(),
  /** When Everflow created the postback, in Unix seconds. */
  timeCreated: z.number().int(),
  /** When Everflow last saved the postback, in Unix seconds. */
  timeSaved: z.number().int(),
  /** The Everflow network that owns the postback: a refresh checks the API key against it. */
  networkId: z.number().int(),
  /** The Everflow affiliate that owns the postback: a refresh checks the API key against it. */
  networkAffiliateId: z.number().int(),
});

export const PostbackInputsSchema = PostbackFields.superRefine((p, ctx) => {
  for (const v of postbackRules(p)) ctx.addIssue({ code: "custom", path: [v.path], message: v.message });
});

/** The field-by-field part of the schema, for check to combine with {@link postbackRules}. */
export { PostbackFields };

/** What a stack program declares (defaults optional). */
export type PostbackInputs = z.input<typeof PostbackInputsSchema>;
/** The declaration after `check`: defaults filled in. */
export type CheckedPostbackInputs = z.output<typeof PostbackInputsSchema>;
export type FacebookPixel = z.output<typeof FacebookPixelSchema>;
/** The outputs Everflow adds to a postback. */
export type PostbackState = z.output<typeof PostbackStateFields>;
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number];
