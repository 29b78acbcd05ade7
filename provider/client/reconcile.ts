// Reconciliation of an ambiguous create. POST /affiliates/pixels is not idempotent: after a timeout, a
// connection reset after the request was sent, or a 5xx, the pixel may or may not exist. Instead of
// retrying blindly (and risking a duplicate postback that fires twice for every conversion), the client
// lists the affiliate's pixels and looks for one created since the create started that matches the
// intended body:
//   - exactly one: it is adopted (returned as the create's result);
//   - none: the create certainly did not land (yet), so it is safe to POST again;
//   - several: the client cannot tell which is its own and fails, naming every candidate id.
// Ids already returned by a create in this process are excluded (two resources with identical bodies
// must not adopt each other's pixel).

import { comparable, type ComparablePixel } from "../core/rules";
import type { Pixel, PixelBody } from "./wire";

// The comparison is the rules module's: one canonical form for diff, drift and reconciliation.
export { comparable, type ComparablePixel };

/** A token read back empty or masked (`****abcd`, `•••`) cannot be compared. */
export function isUnreadableToken(token: string): boolean {
  return token === "" || /[*•…]/.test(token);
}

/** Does a read pixel match the intended body on every modelled field? */
export function matchesIntended(pixel: Pixel, intended: PixelBody): boolean {
  const a = comparable(pixel);
  const b = comparable(intended);
  const scalars = [
    "delivery_method",
    "pixel_level",
    "pixel_status",
    "pixel_type",
    "postback_url",
    "html_code",
    "network_offer_id",
    "delay_ms",
    "network_offer_payout_revenue_id",
  ] as const;
  for (const key of scalars) if (a[key] !== b[key]) return false;
  if (a.facebook_pixel === null || b.facebook_pixel === null) return a.facebook_pixel === b.facebook_pixel;
  if (a.facebook_pixel.pixel_id !== b.facebook_pixel.pixel_id) return false;
  if (a.facebook_pixel.event_name !== b.facebook_pixel.event_name) return false;
  const readBack = a.facebook_pixel.access_token;
  return isUnreadableToken(readBack) || readBack === b.facebook_pixel.access_token;
}

export interface CandidateWindow {
  /** When the create started (the first POST), Unix ms of the client clock. */
  startedAtMs: number;
  /** Allowed difference between the client's and the server's clock, seconds. */
  clockSkewSec: number;
  /** Ids that must not be adopted (already returned by a create in this process). */
  exclude?: ReadonlySet<number>;
}

/** The pixels that may be the result of the ambiguous create: recent enough, matching, not excluded. */
export function createdCandidates(
  pixels: readonly Pixel[],
  intended: PixelBody,
  window: CandidateWindow,
): Pixel[] {
  const since = Math.floor(window.startedAtMs / 1000) - window.clockSkewSec;
  const seen = new Set<number>();
  return pixels.filter((pixel) => {
    if (seen.has(pixel.network_pixel_id)) return false;
    seen.add(pixel.network_pixel_id);
    if (window.exclude?.has(pixel.network_pixel_id)) return false;
    if (pixel.time_created < since) return false;
    return matchesIntended(pixel, intended);
  });
}

export type ReconcileOutcome =
  { outcome: "adopted"; pixel: Pixel } | { outcome: "none" } | { outcome: "ambiguous"; candidates: Pixel[] };

/** List the affiliate's pixels and decide what an ambiguous create did. */
export async function reconcileCreate(args: {
  list: () => Promise<Pixel[]>;
  intended: PixelBody;
  window: CandidateWindow;
}): Promise<ReconcileOutcome> {
  const pixels = await args.list();
  const candidates = createdCandidates(pixels, args.intended, args.window);
  const [only] = candidates;
  if (candidates.length === 0 || only === undefined) return { outcome: "none" };
  if (candidates.length === 1) return { outcome: "adopted", pixel: only };
  return { outcome: "ambiguous", candidates };
}
