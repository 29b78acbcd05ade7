// Paging anomalies of the list route, each a switch, all off by default. A server may show any of them
// (an off-by-one in its paging, a cache answering the same page, a count query out of step with the
// rows, rows shifted by a concurrent write, a cursor that never ends); a client must notice each rather
// than return a partial listing or page for ever.

import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Paging } from "./query";
import type { Pixel } from "./types";

export interface PagingQuirks {
  /** The list route pages even when the request names no page (page 1, 50 a page). */
  alwaysPaged: boolean;
  /** Pages count from 0: `page=N` answers rows N*size.., and a request without page gets page 0. */
  zeroBased: boolean;
  /** Every page answers with the first page's rows (the requested page number is echoed). */
  repeatFirstPage: boolean;
  /** Added to the reported `total_count` (may be negative). */
  totalOffset: number;
  /** 0 = off; else each page is cut to its first N rows while page_size echoes the request. */
  shortPages: number;
  /** Page size cap (the API's is about 2000): a smaller one is honest, reported in `page_size`. */
  maxPageSize: number;
  /** Each page after the first starts with the last row of the page before (rows shifted by a write). */
  duplicateAcrossPages: boolean;
  /** Past the real rows, pages of made-up pixels never end; the total reported is 1e9. */
  endless: boolean;
}

export const PAGING_QUIRK_NAMES = [
  "alwaysPaged",
  "zeroBased",
  "repeatFirstPage",
  "totalOffset",
  "shortPages",
  "maxPageSize",
  "duplicateAcrossPages",
  "endless",
] as const;

export function defaultPagingQuirks(): PagingQuirks {
  return {
    alwaysPaged: false,
    zeroBased: false,
    repeatFirstPage: false,
    totalOffset: 0,
    shortPages: 0,
    maxPageSize: MAX_PAGE_SIZE,
    duplicateAcrossPages: false,
    endless: false,
  };
}

/** Merge switches into `quirks`, checking each; unknown names and bad values throw. */
export function setPagingQuirks(quirks: PagingQuirks, patch: Partial<PagingQuirks>): void {
  for (const [name, value] of Object.entries(patch)) {
    if (!(PAGING_QUIRK_NAMES as readonly string[]).includes(name)) {
      throw new Error(
        `emulator paging: unknown switch ${JSON.stringify(name)} (${PAGING_QUIRK_NAMES.join(", ")})`,
      );
    }
    const current = quirks[name as keyof PagingQuirks];
    if (typeof current === "boolean" && typeof value !== "boolean") {
      throw new TypeError(`emulator paging: ${name} must be a boolean`);
    }
    if (typeof current === "number" && (typeof value !== "number" || !Number.isInteger(value))) {
      throw new TypeError(`emulator paging: ${name} must be an integer`);
    }
    if (
      (name === "shortPages" && (value as number) < 0) ||
      (name === "maxPageSize" && (value as number) < 1)
    ) {
      throw new RangeError(`emulator paging: ${name} out of range: ${String(value)}`);
    }
    (quirks as unknown as Record<string, unknown>)[name] = value;
  }
}

export const ENDLESS_TOTAL = 1_000_000_000;
const MADE_UP_ID_BASE = 900_000_000;

/**
 * One page of `rows` under the quirks. `requested` is the paging the request asked for (undefined when
 * it named none); answers undefined when the reply is the plain, unpaged list.
 */
export function pageOf(
  rows: Pixel[],
  requested: Paging | undefined,
  quirks: PagingQuirks,
): { items: Pixel[]; paging: Paging & { total_count: number } } | undefined {
  if (!requested && !quirks.alwaysPaged) return undefined;
  const asked = requested ?? { page: quirks.zeroBased ? 0 : 1, page_size: DEFAULT_PAGE_SIZE };
  const size = Math.min(asked.page_size, quirks.maxPageSize);
  const index = quirks.repeatFirstPage ? 0 : quirks.zeroBased ? asked.page : asked.page - 1;
  const start = Math.max(0, index * size - (quirks.duplicateAcrossPages && index > 0 ? index : 0));
  let items: Pixel[];
  if (quirks.endless) {
    items = Array.from({ length: size }, (_, i) => start + i).map((n) =>
      n < rows.length ? rows[n]! : madeUp(rows[0], MADE_UP_ID_BASE + n),
    );
  } else {
    items = rows.slice(start, start + size);
  }
  if (quirks.shortPages > 0) items = items.slice(0, quirks.shortPages);
  const total = quirks.endless ? ENDLESS_TOTAL : rows.length + quirks.totalOffset;
  return {
    items,
    paging: {
      page: asked.page,
      page_size: quirks.maxPageSize < asked.page_size ? size : asked.page_size,
      total_count: total,
    },
  };
}

/** A plausible pixel that does not exist, for endless paging. */
function madeUp(template: Pixel | undefined, id: number): Pixel {
  const base: Pixel = template ?? {
    network_pixel_id: 0,
    network_id: 1,
    network_affiliate_id: 1,
    network_offer_id: 0,
    network_offer_payout_revenue_id: 0,
    delivery_method: "postback",
    pixel_level: "global",
    pixel_status: "active",
    pixel_type: "conversion",
    postback_url: "https://made-up.example/cb",
    html_code: "",
    delay_ms: 0,
    facebook_pixel: null,
    tiktok_pixel: null,
    snapchat_pixel: null,
    rumble_pixel: null,
    time_created: 0,
    time_saved: 0,
    relationship: { affiliate: { network_affiliate_id: 1, name: "made up" }, payout_revenue: null },
  };
  return { ...base, network_pixel_id: id };
}
