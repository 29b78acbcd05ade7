// The in-memory pixel store. Ids come from one sequence for the whole emulator (starting at 1000), so
// they increase within every network, are never reused (not even after remove), and `get(id)` is
// unambiguous. Every method is synchronous: Node runs it to completion, so concurrent requests can
// never be given the same id.

import { extraFields, isPlainObject } from "./validate";
import type { FacebookPixel, Pixel, PixelFields, PixelInput, PixelRelationship } from "./types";

export const FIRST_PIXEL_ID = 1000;

export interface Owner {
  networkId: number;
  affiliateId: number;
}

const clone = <T>(value: T): T => structuredClone(value);

/** What `relationship` says of a pixel's fields (the offer and payout/revenue it is tied to). */
export function relationshipOf(pixel: PixelFields): PixelRelationship {
  const affiliate = {
    network_affiliate_id: pixel.network_affiliate_id,
    name: `Affiliate ${pixel.network_affiliate_id}`,
  };
  const payoutRevenue =
    pixel.network_offer_payout_revenue_id > 0
      ? { network_offer_payout_revenue_id: pixel.network_offer_payout_revenue_id }
      : null;
  if (pixel.network_offer_id > 0) {
    const offer = { network_offer_id: pixel.network_offer_id, name: `Offer ${pixel.network_offer_id}` };
    return { affiliate, offer, payout_revenue: payoutRevenue };
  }
  return { affiliate, payout_revenue: payoutRevenue };
}

function str(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}
function num(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}
function obj<T>(value: unknown, fallback: T | null): T | null {
  if (value === null) return null;
  return isPlainObject(value) ? (clone(value) as T) : fallback;
}

export class PixelStore {
  private readonly pixels = new Map<number, Pixel>();
  private nextId = FIRST_PIXEL_ID;

  constructor(private readonly nowMs: () => number) {}

  private nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /** Assemble a stored pixel in a stable key order: modelled fields first, then extras, then relationship. */
  private build(
    base: Omit<PixelFields, "tiktok_pixel" | "snapchat_pixel" | "rumble_pixel"> &
      Partial<Pick<PixelFields, "tiktok_pixel" | "snapchat_pixel" | "rumble_pixel">>,
    extras: Record<string, unknown>,
  ): Pixel {
    const core: PixelFields = {
      network_pixel_id: base.network_pixel_id,
      network_id: base.network_id,
      network_affiliate_id: base.network_affiliate_id,
      network_offer_id: base.network_offer_id,
      network_offer_payout_revenue_id: base.network_offer_payout_revenue_id,
      delivery_method: base.delivery_method,
      pixel_level: base.pixel_level,
      pixel_status: base.pixel_status,
      pixel_type: base.pixel_type,
      postback_url: base.postback_url,
      html_code: base.html_code,
      delay_ms: base.delay_ms,
      facebook_pixel: base.facebook_pixel,
      tiktok_pixel: base.tiktok_pixel === undefined ? {} : base.tiktok_pixel,
      snapchat_pixel: base.snapchat_pixel === undefined ? {} : base.snapchat_pixel,
      rumble_pixel: base.rumble_pixel === undefined ? {} : base.rumble_pixel,
      time_created: base.time_created,
      time_saved: base.time_saved,
    };
    // Extras never hold modelled keys (see extraFields), so they cannot overwrite the core fields.
    return { ...core, ...clone(extras), relationship: relationshipOf(core) };
  }

  /** Create from validated input (the API's POST). */
  create(owner: Owner, input: PixelInput, extras: Record<string, unknown>): Pixel {
    const now = this.nowSeconds();
    const pixel = this.build(
      {
        network_pixel_id: this.nextId++,
        network_id: owner.networkId,
        network_affiliate_id: owner.affiliateId,
        ...input,
        time_created: now,
        time_saved: now,
      },
      extras,
    );
    this.pixels.set(pixel.network_pixel_id, pixel);
    return clone(pixel);
  }

  /** Full replacement from validated input (the API's PUT): extras are replaced too. */
  replace(id: number, input: PixelInput, extras: Record<string, unknown>): Pixel {
    const old = this.mustGet(id);
    const pixel = this.build(
      {
        network_pixel_id: old.network_pixel_id,
        network_id: old.network_id,
        network_affiliate_id: old.network_affiliate_id,
        ...input,
        tiktok_pixel: old.tiktok_pixel,
        snapchat_pixel: old.snapchat_pixel,
        rumble_pixel: old.rumble_pixel,
        time_created: old.time_created,
        time_saved: this.nowSeconds(),
      },
      extras,
    );
    this.pixels.set(id, pixel);
    return clone(pixel);
  }

  /**
   * Out-of-band creation: wire fields, no validation, defaults for what is missing (a global, active,
   * conversion postback with an empty URL). `network_pixel_id`, `network_id` and `network_affiliate_id`
   * come from the store and the owner, never from `fields`; `time_created`/`time_saved` may be given.
   */
  seed(owner: Owner, fields: Record<string, unknown>): Pixel {
    const now = this.nowSeconds();
    const created = num(fields.time_created, now);
    const pixel = this.build(
      {
        network_pixel_id: this.nextId++,
        network_id: owner.networkId,
        network_affiliate_id: owner.affiliateId,
        network_offer_id: num(fields.network_offer_id, 0),
        network_offer_payout_revenue_id: num(fields.network_offer_payout_revenue_id, 0),
        delivery_method: str(fields.delivery_method, "postback"),
        pixel_level: str(fields.pixel_level, "global"),
        pixel_status: str(fields.pixel_status, "active"),
        pixel_type: str(fields.pixel_type, "conversion"),
        postback_url: str(fields.postback_url, ""),
        html_code: str(fields.html_code, ""),
        delay_ms: num(fields.delay_ms, 0),
        facebook_pixel: obj<FacebookPixel>(fields.facebook_pixel, null),
        tiktok_pixel: obj(fields.tiktok_pixel, {}),
        snapchat_pixel: obj(fields.snapchat_pixel, {}),
        rumble_pixel: obj(fields.rumble_pixel, {}),
        time_created: created,
        time_saved: num(fields.time_saved, created),
      },
      extraFields(fields),
    );
    this.pixels.set(pixel.network_pixel_id, pixel);
    return clone(pixel);
  }

  /**
   * Out-of-band change: shallow merge of wire fields, no validation. The id cannot change;
   * `time_saved` is bumped to now unless the patch sets it; `relationship` is recomputed.
   */
  update(id: number, patch: Record<string, unknown>): Pixel {
    const old = this.mustGet(id);
    const merged: Record<string, unknown> = { ...old };
    for (const [key, value] of Object.entries(patch)) {
      if (key === "__proto__" || key === "network_pixel_id" || key === "relationship") continue;
      if (value === undefined) delete merged[key];
      else merged[key] = clone(value);
    }
    if (typeof patch.time_saved !== "number") merged.time_saved = this.nowSeconds();
    const pixel = this.build(merged as Pixel, extraFields(merged));
    this.pixels.set(id, pixel);
    return clone(pixel);
  }

  /** Out-of-band removal (for example, deleted in the UI). Unknown ids are ignored. The id is not reused. */
  remove(id: number): void {
    this.pixels.delete(id);
  }

  get(id: number): Pixel | undefined {
    const pixel = this.pixels.get(id);
    return pixel ? clone(pixel) : undefined;
  }

  /** The pixel if it belongs to `owner`; undefined otherwise (another affiliate's pixel is "not found"). */
  getOwned(owner: Owner, id: number): Pixel | undefined {
    const pixel = this.pixels.get(id);
    if (!pixel || pixel.network_id !== owner.networkId || pixel.network_affiliate_id !== owner.affiliateId) {
      return undefined;
    }
    return clone(pixel);
  }

  /** The owner's pixels, by id ascending. */
  listOwned(owner: Owner): Pixel[] {
    return this.all().filter(
      (p) => p.network_id === owner.networkId && p.network_affiliate_id === owner.affiliateId,
    );
  }

  /** Every pixel of every network, by id ascending. */
  all(): Pixel[] {
    return [...this.pixels.values()].sort((a, b) => a.network_pixel_id - b.network_pixel_id).map(clone);
  }

  private mustGet(id: number): Pixel {
    const pixel = this.pixels.get(id);
    if (!pixel) throw new Error(`emulator store: no pixel with id ${id}`);
    return pixel;
  }
}
