import { isUnreadableToken } from "./client";
import type { Pixel, PixelBody } from "./client";
import { MODELLED_FIELDS, type CheckedPostbackInputs } from "./schema";
import { ownerOutputs, type Owner } from "./ownership";

/**
 * Translation between the declared postback (camelCase, as in stack programs and state) and the wire
 * pixel (snake_case), and the one canonical form that `diff`, `read` and the drift report compare.
 */

export type PostbackOutputs = Omit<CheckedPostbackInputs, "importId"> &
  Owner & {
    /** The API's `network_pixel_id`. */
    pixelId: number;
    timeCreated: number;
    timeSaved: number;
  };

/** The modelled fields, with what does not apply to the delivery method and level cleared as the API does. */
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

/** Canonical form of a declaration, of state outputs, or of refreshed inputs: all share field names. */
export function canonical(fields: Record<string, unknown>): CanonicalPostback {
  const method = str(fields.deliveryMethod);
  const level = str(fields.pixelLevel);
  const fb = fields.facebookPixel as Record<string, unknown> | null | undefined;
  return {
    deliveryMethod: method,
    pixelLevel: level,
    pixelStatus: str(fields.pixelStatus) || "active",
    // The network docs call post-conversion events `event`; both mean the same postback type.
    pixelType: str(fields.pixelType) === "event" ? "post_conversion" : str(fields.pixelType),
    postbackUrl: method === "postback" ? str(fields.postbackUrl) : "",
    htmlCode: method === "html" ? str(fields.htmlCode) : "",
    networkOfferId: level === "specific" ? num(fields.networkOfferId) : 0,
    delayMs: num(fields.delayMs),
    networkOfferPayoutRevenueId: num(fields.networkOfferPayoutRevenueId),
    facebookPixel:
      method === "facebook" && fb
        ? { pixelId: str(fb.pixelId), eventName: str(fb.eventName), accessToken: str(fb.accessToken) }
        : null,
  };
}

/** The fields whose values differ between two postbacks, in a stable order. */
export function changedFields(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const ca = canonical(a);
  const cb = canonical(b);
  return MODELLED_FIELDS.filter((f) => JSON.stringify(ca[f]) !== JSON.stringify(cb[f]));
}

/** The create/update body for a checked declaration. */
export function declaredBody(inputs: CheckedPostbackInputs): PixelBody {
  const c = canonical(inputs);
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
  } as PixelBody;
}

/**
 * The declared shape of a live pixel: what `read` returns as inputs, so that after a refresh the engine
 * compares the declaration with what is really there. A token the API hides is taken from `knownToken`.
 */
export function toDeclaredShape(
  pixel: Pixel,
  account: string,
  knownToken?: string,
): Omit<PostbackOutputs, "pixelId" | "timeCreated" | "timeSaved"> {
  const fb = pixel.facebook_pixel;
  const token = fb ? str(fb.access_token) : "";
  const c = canonical({
    deliveryMethod: pixel.delivery_method,
    pixelLevel: pixel.pixel_level,
    pixelStatus: pixel.pixel_status,
    pixelType: pixel.pixel_type,
    postbackUrl: pixel.postback_url,
    htmlCode: pixel.html_code,
    networkOfferId: pixel.network_offer_id,
    delayMs: pixel.delay_ms,
    networkOfferPayoutRevenueId: pixel.network_offer_payout_revenue_id,
    facebookPixel: fb && {
      pixelId: fb.pixel_id,
      eventName: fb.event_name,
      accessToken: isUnreadableToken(token) && knownToken !== undefined ? knownToken : token,
    },
  });
  const declared: Record<string, unknown> = {
    deliveryMethod: c.deliveryMethod,
    pixelLevel: c.pixelLevel,
    pixelStatus: c.pixelStatus,
    pixelType: c.pixelType,
    delayMs: c.delayMs,
    networkOfferPayoutRevenueId: c.networkOfferPayoutRevenueId,
    account,
  };
  if (c.deliveryMethod === "postback") declared.postbackUrl = c.postbackUrl;
  if (c.deliveryMethod === "html") declared.htmlCode = c.htmlCode;
  if (c.deliveryMethod === "facebook" && c.facebookPixel) declared.facebookPixel = c.facebookPixel;
  if (c.pixelLevel === "specific") declared.networkOfferId = c.networkOfferId;
  return declared as Omit<PostbackOutputs, "pixelId" | "timeCreated" | "timeSaved">;
}

/** The outputs recorded in state for a live pixel. */
export function toOutputs(pixel: Pixel, account: string, knownToken?: string): PostbackOutputs {
  return {
    ...toDeclaredShape(pixel, account, knownToken),
    pixelId: pixel.network_pixel_id,
    timeCreated: pixel.time_created,
    timeSaved: pixel.time_saved,
    ...ownerOutputs(pixel), // ownership.ts: which affiliate owns it
  };
}
