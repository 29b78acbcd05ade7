// Listing every pixel of an account: complete, or an error that says what is missing.
//
// The server's paging is not trusted. A provider that acts on a listing (a refresh dropping a postback
// the listing lacks, a create adopting one it finds, `adopt` writing a program) must never act on a
// partial one, and a listing must never run on for ever. So:
// - one large page is asked for (the API's maximum is about 2000), so one request usually suffices;
// - every page must be the one asked for (a server counting pages from 0, or answering another page,
//   is caught on the first page), and no id may appear twice (a repeated page, or rows shifted by a
//   concurrent write);
// - the reported total must hold still and be reached exactly: an empty page before it, or more
//   postbacks than it, is an error ("listed 70 of 120 postbacks");
// - the whole listing is bounded by a page count and a time budget, and stops on cancellation.

import { EverflowApiError, type EverflowOperation } from "./errors";
import type { Pixel, PixelList } from "./wire";

export interface ListingOptions {
  /** Page size asked for. Default 2000 (the API's maximum); a server may cap it lower. */
  pageSize?: number;
  /** Most pages one listing follows. Default 500. */
  maxPages?: number;
  /** Most time one listing may take, in ms (rate-limit waits included). Default 120 000. */
  maxMs?: number;
}

export const DEFAULT_LISTING: Required<ListingOptions> = { pageSize: 2000, maxPages: 500, maxMs: 120_000 };

/** One request of the listing: `page` is 1-based, as the API documents. */
export type FetchPage = (page: number, pageSize: number) => Promise<PixelList>;

export interface ListContext {
  operation: EverflowOperation;
  limits?: ListingOptions;
  /** Clock in ms (tests). Default performance.now. */
  now?: () => number;
}

/** Every pixel the server lists, in its order; rejects with a `partial-listing` error otherwise. */
export async function listAll(fetchPage: FetchPage, context: ListContext): Promise<Pixel[]> {
  const limits = { ...DEFAULT_LISTING, ...definedOnly(context.limits ?? {}) };
  const now = context.now ?? (() => performance.now());
  const started = now();
  const pageOf = new Map<number, number>();
  const out: Pixel[] = [];
  let total: number | undefined;

  const fail = (why: string): never => {
    const listed = total === undefined ? `${out.length}` : `${out.length} of ${total}`;
    throw new EverflowApiError({
      operation: context.operation,
      kind: "partial-listing",
      retryable: false,
      detail: `listed ${listed} postbacks: ${why}; nothing was decided on this partial listing`,
    });
  };

  for (let page = 1; ; page++) {
    const answer = await fetchPage(page, limits.pageSize);
    const paging = answer.paging;
    if (!paging) {
      // A plain list is the whole list by definition, but only on the first request.
      if (page > 1) fail(`page ${page} came back without paging information`);
      addPage(answer.pixels, page, pageOf, out, fail);
      return out;
    }
    if (paging.page !== page) {
      fail(
        `asked for page ${page}, the server answered page ${paging.page}` +
          (paging.page === page - 1 ? " (its pages seem to count from 0)" : ""),
      );
    }
    if (total !== undefined && paging.total_count !== total) {
      fail(`the reported total changed from ${total} to ${paging.total_count} during the listing`);
    }
    total = paging.total_count;
    addPage(answer.pixels, page, pageOf, out, fail);
    if (out.length === total) return out;
    if (out.length > total) fail(`the server reported a total of ${total} but listed more`);
    if (answer.pixels.length === 0) fail(`page ${page} came back empty`);
    if (page >= limits.maxPages) fail(`stopped after ${page} pages (the limit)`);
    const elapsed = now() - started;
    if (elapsed >= limits.maxMs) fail(`stopped after ${Math.round(elapsed / 1000)} s (the time limit)`);
  }
}

function addPage(
  pixels: readonly Pixel[],
  page: number,
  pageOf: Map<number, number>,
  out: Pixel[],
  fail: (why: string) => never,
): void {
  for (const pixel of pixels) {
    const id = pixel.network_pixel_id;
    const seen = pageOf.get(id);
    if (seen !== undefined) {
      fail(
        seen === page
          ? `page ${page} lists postback ${id} twice`
          : `page ${page} repeats postback ${id} of page ${seen} (a repeated page, or rows shifted by a write during the listing)`,
      );
    }
    pageOf.set(id, page);
    out.push(pixel);
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
