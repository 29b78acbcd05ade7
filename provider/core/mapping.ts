import { isUnreadableToken } from "../client";
import type { Pixel, PixelBody } from "../client";
import { applies, canonical, changedFields, fromWire, toWire, type CanonicalPostback } from "./rules";
import type { CheckedPostbackInputs, PostbackState } from "./schema";
import { ownerOutputs } from "./ownership";

// The comparison lives in rules.ts; re-exported here where the drift report and recovery look for it.
export { canonical, changedFields, type CanonicalPostback };

/**
 * Translation between the declared postback (camelCase, as in stack programs and state) and the wire
 * pixel (snake_case). What is compared, and how, is rules.ts's.
 */

const str = (v: unknown): string => (typeof v === "string" ? v : "");

export type PostbackOutputs = Omit<CheckedPostbackInputs, "importId"> & PostbackState;

/** The create/update body for a checked declaration. */
export function declaredBody(inputs: CheckedPostbackInputs): PixelBody {
  return toWire(canonical(inputs)) as PixelBody;
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
    ...fromWire(pixel),
    // A token the API masks on read is replaced by the one state knows.
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
  const on = (field: "postbackUrl" | "htmlCode" | "facebookPixel" | "networkOfferId") =>
    applies(field, c.deliveryMethod, c.pixelLevel) && c[field] !== null;
  if (on("postbackUrl")) declared.postbackUrl = c.postbackUrl;
  if (on("htmlCode")) declared.htmlCode = c.htmlCode;
  if (on("facebookPixel")) declared.facebookPixel = c.facebookPixel;
  if (on("networkOfferId")) declared.networkOfferId = c.networkOfferId;
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
