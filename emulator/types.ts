// Types shared by the emulator's modules. Written from the API reference (docs/everflow-api.md), not
// from the provider's code: the emulator is the independent check on the client.

/** The route names used for fault targeting, request counts and the request log. */
export const ROUTES = [
  "GET /v1/affiliates/pixels",
  "GET /v1/affiliates/pixels/:id",
  "POST /v1/affiliates/pixels",
  "PUT /v1/affiliates/pixels/:id",
  "POST /v1/affiliates/pixelstable",
] as const;

export type RouteName = (typeof ROUTES)[number];
/** A route as recorded in the log: one of ROUTES, or "unknown" for everything else. */
export type LoggedRoute = RouteName | "unknown";
/** A fault or latency target: one route, or "*" for every request. */
export type RouteTarget = RouteName | "*";

export const DELIVERY_METHODS = ["postback", "html", "facebook"] as const;
export const PIXEL_LEVELS = ["global", "specific"] as const;
export const PIXEL_STATUSES = ["active", "inactive"] as const;
/** `event` is the network docs' name of `post_conversion`: accepted and stored as sent. */
export const PIXEL_TYPES = ["conversion", "post_conversion", "event", "cpc"] as const;

export type DeliveryMethod = (typeof DELIVERY_METHODS)[number];
export type PixelLevel = (typeof PIXEL_LEVELS)[number];
export type PixelStatus = (typeof PIXEL_STATUSES)[number];
export type PixelType = (typeof PIXEL_TYPES)[number];

export const MAX_DELAY_MS = 300000;

export interface FacebookPixel {
  pixel_id: string;
  event_name: string;
  access_token: string;
  [extra: string]: unknown;
}

export interface PixelRelationship {
  affiliate: { network_affiliate_id: number; name: string };
  /** Present only when an offer is attached (pixel_level "specific"). */
  offer?: { network_offer_id: number; name: string };
  /** null when network_offer_payout_revenue_id is 0 (all payouts/revenues). */
  payout_revenue: { network_offer_payout_revenue_id: number } | null;
}

/** The modelled fields of a stored pixel (everything but `relationship` and unknown extras). */
export interface PixelFields {
  network_pixel_id: number;
  network_id: number;
  network_affiliate_id: number;
  network_offer_id: number;
  network_offer_payout_revenue_id: number;
  delivery_method: string;
  pixel_level: string;
  pixel_status: string;
  pixel_type: string;
  postback_url: string;
  html_code: string;
  delay_ms: number;
  facebook_pixel: FacebookPixel | null;
  tiktok_pixel: Record<string, unknown> | null;
  snapchat_pixel: Record<string, unknown> | null;
  rumble_pixel: Record<string, unknown> | null;
  time_created: number;
  time_saved: number;
}

/**
 * A pixel (UI: postback) as the API returns it. Fields typed loosely as `string` where a seeded or
 * out-of-band-changed pixel may hold a value outside the enums. Unknown fields sent by a client are kept.
 */
export interface Pixel extends PixelFields {
  relationship: PixelRelationship;
  [extra: string]: unknown;
}

/** The validated, mode-normalised input fields of a create or full-replacement update. */
export interface PixelInput {
  delivery_method: DeliveryMethod;
  pixel_level: PixelLevel;
  pixel_status: PixelStatus;
  pixel_type: PixelType;
  postback_url: string;
  html_code: string;
  network_offer_id: number;
  delay_ms: number;
  facebook_pixel: FacebookPixel | null;
  network_offer_payout_revenue_id: number;
}

export interface EmulatorAccount {
  apiKey: string;
  networkId: number;
  affiliateId: number;
  /** Shown in the request log instead of the key; default `affiliate:<id>`. */
  label?: string;
}

export interface NetworkKey {
  apiKey: string;
  networkId: number;
  /** Shown in the request log instead of the key; default `network:<id>`. */
  label?: string;
}

export type FaultKind = "fail" | "reset" | "malformed" | "slow";

export interface LogEntry {
  method: string;
  /** The path without the query string. */
  path: string;
  /** The raw query string including the leading "?", or "". */
  query: string;
  route: LoggedRoute;
  /** The status sent (for a reset connection: the status that would have been sent). */
  status: number;
  /** Server-side time including injected latency/slowness. */
  durationMs: number;
  /** When the request arrived, in ms from the emulator's clock (`now`). */
  time: number;
  /** The key's label (never the raw key); "unknown" for an unknown key; null when no key was sent. */
  key: string | null;
  networkId: number | null;
  affiliateId: number | null;
  /** The scripted faults applied to this request, if any. */
  faults: FaultKind[];
}
