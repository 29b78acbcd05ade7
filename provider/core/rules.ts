/**
 * The one home of Everflow's postback rules as this provider understands them: the enum lists, the
 * known limits, which fields apply to which delivery method and pixel level, and the comparison built on
 * them. The declared schema (schema.ts), the wire schemas (client/wire.ts), create reconciliation
 * (client/reconcile.ts), diff and the drift report all call this module; none keeps a copy of a rule.
 * The emulator keeps its own copy on purpose: it is the independent check on these.
 */

export const DELIVERY_METHODS = ["postback", "html", "facebook"] as const;
export const PIXEL_LEVELS = ["global", "specific"] as const;
export const PIXEL_STATUSES = ["active", "inactive"] as const;
/** The pixel types a program declares. */
export const PIXEL_TYPES = ["conversion", "post_conversion", "cpc"] as const;
/** The pixel types the API may send: `event` is the network docs' name of `post_conversion`. */
export const WIRE_PIXEL_TYPES = ["conversion", "post_conversion", "event", "cpc"] as const;

/** `delay_ms` upper bound (5 minutes), from the API reference. */
export const MAX_DELAY_MS = 300_000;
/**
 * Longest values Everflow is known to store whole; longer ones are cut off, which changes what the
 * postback does, so `check` refuses them at preview.
 */
export const MAX_LENGTH = { postbackUrl: 2_048, htmlCode: 65_535 } as const;

/** The fields of a postback that the provider manages and compares, in a stable order. */
export const MODELLED_FIELDS = [
  "deliveryMethod",
  "pixelLevel",
  "pixelStatus",
  "pixelType",
  "postbackUrl",
  "htmlCode",
  "networkOfferId",
  "delayMs",
  "networkOfferPayoutRevenueId",
  "facebookPixel",
] as const;
export type ModelledField = (typeof MODELLED_FIELDS)[number];

/** The parts of the facebook pixel, each written on its own (a program may change, or ignore, one). */
export const FACEBOOK_PARTS = ["pixelId", "eventName", "accessToken"] as const;

/**
 * What the write model compares and writes, one by one: each modelled field, and the facebook pixel by
 * its parts. A unit the program did not change keeps its live value in a write (applied.ts), so a part
 * changed in the Everflow UI (a rotated token) survives a change of another part.
 */
export type WriteUnit =
  Exclude<ModelledField, "facebookPixel"> | `facebookPixel.${(typeof FACEBOOK_PARTS)[number]}`;
export const WRITE_UNITS: readonly WriteUnit[] = MODELLED_FIELDS.flatMap((f): WriteUnit[] =>
  f === "facebookPixel" ? FACEBOOK_PARTS.map((part) => `facebookPixel.${part}` as const) : [f],
);

/** The modelled field a unit belongs to. */
export const fieldOf = (unit: WriteUnit): ModelledField => unit.split(".")[0] as ModelledField;

/** The value of each unit of a canonical postback (the parts of an absent facebook pixel are null). */
export function unitValues(c: CanonicalPostback): Record<WriteUnit, unknown> {
  const fb = c.facebookPixel;
  return {
    deliveryMethod: c.deliveryMethod,
    pixelLevel: c.pixelLevel,
    pixelStatus: c.pixelStatus,
    pixelType: c.pixelType,
    postbackUrl: c.postbackUrl,
    htmlCode: c.htmlCode,
    networkOfferId: c.networkOfferId,
    delayMs: c.delayMs,
    networkOfferPayoutRevenueId: c.networkOfferPayoutRevenueId,
    "facebookPixel.pixelId": fb ? fb.pixelId : null,
    "facebookPixel.eventName": fb ? fb.eventName : null,
    "facebookPixel.accessToken": fb ? fb.accessToken : null,
  };
}

/** A canonical postback from the values of its units. */
export function fromUnits(values: Record<WriteUnit, unknown>): CanonicalPostback {
  const text = (u: WriteUnit) => (typeof values[u] === "string" ? (values[u] as string) : "");
  const fb = FACEBOOK_PARTS.some((part) => values[`facebookPixel.${part}`] !== null);
  return canonical({
    deliveryMethod: values.deliveryMethod,
    pixelLevel: values.pixelLevel,
    pixelStatus: values.pixelStatus,
    pixelType: values.pixelType,
    postbackUrl: values.postbackUrl,
    htmlCode: values.htmlCode,
    networkOfferId: values.networkOfferId,
    delayMs: values.delayMs,
    networkOfferPayoutRevenueId: values.networkOfferPayoutRevenueId,
    facebookPixel: fb
      ? {
          pixelId: text("facebookPixel.pixelId"),
          eventName: text("facebookPixel.eventName"),
          accessToken: text("facebookPixel.accessToken"),
        }
      : null,
  });
}

/** The units whose canonical values differ between two postbacks (declared names), in a stable order. */
export function changedUnits(a: Record<string, unknown>, b: Record<string, unknown>): WriteUnit[] {
  const ua = unitValues(canonical(a));
  const ub = unitValues(canonical(b));
  return WRITE_UNITS.filter((u) => !sameValue(ua[u], ub[u]));
}

/** The API name of each modelled field. */
export const WIRE_NAMES = {
  deliveryMethod: "delivery_method",
  pixelLevel: "pixel_level",
  pixelStatus: "pixel_status",
  pixelType: "pixel_type",
  postbackUrl: "postback_url",
  htmlCode: "html_code",
  networkOfferId: "network_offer_id",
  delayMs: "delay_ms",
  networkOfferPayoutRevenueId: "network_offer_payout_revenue_id",
  facebookPixel: "facebook_pixel",
} as const satisfies Record<ModelledField, string>;

/**
 * Fields that only mean something for one delivery method or pixel level. Everflow may clear them
 * otherwise, so they are never compared (nor sent) outside their mode.
 */
const MODE_FIELDS: Partial<Record<ModelledField, { deliveryMethod?: string; pixelLevel?: string }>> = {
  postbackUrl: { deliveryMethod: "postback" },
  htmlCode: { deliveryMethod: "html" },
  facebookPixel: { deliveryMethod: "facebook" },
  networkOfferId: { pixelLevel: "specific" },
};

/** Does `field` apply to a postback of this delivery method and pixel level? */
export function applies(field: ModelledField, deliveryMethod: unknown, pixelLevel: unknown): boolean {
  const mode = MODE_FIELDS[field];
  if (!mode) return true;
  if (mode.deliveryMethod !== undefined && mode.deliveryMethod !== deliveryMethod) return false;
  if (mode.pixelLevel !== undefined && mode.pixelLevel !== pixelLevel) return false;
  return true;
}

/** The field that carries a delivery method's target, and so is required for it. */
export const METHOD_FIELD = { postback: "postbackUrl", html: "htmlCode", facebook: "facebookPixel" } as const;

/** `event` and `post_conversion` are one type under two names. */
export function canonicalPixelType<T extends string>(type: T): Exclude<T, "event"> | "post_conversion" {
  return (type === "event" ? "post_conversion" : type) as Exclude<T, "event">;
}

/** The modelled fields (declared names), with what does not apply to the mode cleared as the API does. */
export interface CanonicalPostback {
  deliveryMethod: string;
  pixelLevel: string;
  pixelStatus: string;
  pixelType: string;
  postbackUrl: string;
  htmlCode: string;
  networkOfferId: number;
  delayMs: number;
  networkOfferPayoutRevenueId: number;
  facebookPixel: { pixelId: string; eventName: string; accessToken: string } | null;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/**
 * The canonical form of a postback in declared names (a declaration, state outputs, refreshed inputs):
 * absent values read as the API's zero values, `event` as `post_conversion`, and fields outside the
 * mode cleared.
 */
export function canonical(fields: Record<string, unknown>): CanonicalPostback {
  const method = str(fields.deliveryMethod);
  const level = str(fields.pixelLevel);
  const on = (field: ModelledField) => applies(field, method, level);
  const fb = fields.facebookPixel as Record<string, unknown> | null | undefined;
  return {
    deliveryMethod: method,
    pixelLevel: level,
    pixelStatus: str(fields.pixelStatus) || "active",
    pixelType: canonicalPixelType(str(fields.pixelType)),
    postbackUrl: on("postbackUrl") ? str(fields.postbackUrl) : "",
    htmlCode: on("htmlCode") ? str(fields.htmlCode) : "",
    networkOfferId: on("networkOfferId") ? num(fields.networkOfferId) : 0,
    delayMs: num(fields.delayMs),
    networkOfferPayoutRevenueId: num(fields.networkOfferPayoutRevenueId),
    facebookPixel:
      on("facebookPixel") && fb
        ? { pixelId: str(fb.pixelId), eventName: str(fb.eventName), accessToken: str(fb.accessToken) }
        : null,
  };
}

/** The fields whose canonical values differ between two postbacks (declared names), in a stable order. */
export function changedFields(a: Record<string, unknown>, b: Record<string, unknown>): ModelledField[] {
  const ca = canonical(a);
  const cb = canonical(b);
  return MODELLED_FIELDS.filter((f) => !sameValue(ca[f], cb[f]));
}

/** Equality of two canonical field values (scalars, or the facebook pixel object). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A pixel or request body in wire names, as far as the rules need it. */
export interface WireFields {
  delivery_method: string;
  pixel_level: string;
  pixel_status: string;
  pixel_type: string;
  postback_url?: string | null;
  html_code?: string | null;
  network_offer_id?: number | null;
  delay_ms?: number | null;
  network_offer_payout_revenue_id?: number | null;
  facebook_pixel?: { pixel_id?: string; event_name?: string; access_token?: string } | null;
}

/** The declared-name view of a wire pixel or body (modelled fields only). */
export function fromWire(pixel: WireFields): Record<ModelledField, unknown> {
  const fb = pixel.facebook_pixel;
  return {
    deliveryMethod: pixel.delivery_method,
    pixelLevel: pixel.pixel_level,
    pixelStatus: pixel.pixel_status,
    pixelType: pixel.pixel_type,
    postbackUrl: pixel.postback_url,
    htmlCode: pixel.html_code,
    networkOfferId: pixel.network_offer_id,
    delayMs: pixel.delay_ms,
    networkOfferPayoutRevenueId: pixel.network_offer_payout_revenue_id,
    facebookPixel: fb && { pixelId: fb.pixel_id, eventName: fb.event_name, accessToken: fb.access_token },
  };
}

/** The modelled fields of a pixel in wire names, after the rules' normalisation. */
export interface ComparablePixel {
  delivery_method: string;
  pixel_level: string;
  pixel_status: string;
  pixel_type: string;
  postback_url: string;
  html_code: string;
  network_offer_id: number;
  delay_ms: number;
  network_offer_payout_revenue_id: number;
  facebook_pixel: { pixel_id: string; event_name: string; access_token: string } | null;
}

/** The canonical form in wire names: {@link canonical}, applied to a wire pixel or body. */
export function comparable(pixel: WireFields): ComparablePixel {
  return toWire(canonical(fromWire(pixel)));
}

/** A canonical postback in wire names: what a write sends and what {@link comparable} compares. */
export function toWire(c: CanonicalPostback): ComparablePixel {
  return {
    delivery_method: c.deliveryMethod,
    pixel_level: c.pixelLevel,
    pixel_status: c.pixelStatus,
    pixel_type: c.pixelType,
    postback_url: c.postbackUrl,
    html_code: c.htmlCode,
    network_offer_id: c.networkOfferId,
    delay_ms: c.delayMs,
    network_offer_payout_revenue_id: c.networkOfferPayoutRevenueId,
    facebook_pixel: c.facebookPixel && {
      pixel_id: c.facebookPixel.pixelId,
      event_name: c.facebookPixel.eventName,
      access_token: c.facebookPixel.accessToken,
    },
  };
}
