// Filters, search terms and paging for the list and pixelstable routes.
//
// List filters (GET /v1/affiliates/pixels): query parameters `network_offer_id`, `pixel_status`,
// `pixel_type`, `delivery_method` (and `pixel_level`), and the legacy `filter=field%3Dvalue` syntax,
// possibly repeated. Several values for one field match any of them; different fields must all match.
//
// pixelstable body: `{ "filters": { <field>: value | [values] }, "search_terms": [{ "search_type", "value" }] }`
// (both optional). Search types: `postback_url` and `html_code` (case-insensitive substring),
// `network_pixel_id` and `network_offer_id` (exact id), `any` (substring of the URL, the HTML code or
// the ids). Every search term must match.

import { isPlainObject } from "./validate";
import { DELIVERY_METHODS, PIXEL_LEVELS, PIXEL_STATUSES, PIXEL_TYPES, type Pixel } from "./types";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 2000;

const ENUM_FILTERS: Record<string, readonly string[]> = {
  pixel_status: PIXEL_STATUSES,
  pixel_type: PIXEL_TYPES,
  delivery_method: DELIVERY_METHODS,
  pixel_level: PIXEL_LEVELS,
};
const FILTER_FIELDS = ["network_offer_id", ...Object.keys(ENUM_FILTERS)];

/** field -> accepted values (strings; network_offer_id as decimal strings). */
export type Filters = Map<string, Set<string>>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function addFilter(filters: Filters, field: string, raw: unknown): string | undefined {
  if (!FILTER_FIELDS.includes(field)) {
    return `unsupported filter field ${JSON.stringify(field)} (supported: ${FILTER_FIELDS.join(", ")})`;
  }
  let value: string;
  if (field === "network_offer_id") {
    const text = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim() : "";
    if (!/^\d+$/.test(text)) return "network_offer_id filter must be an integer >= 0";
    value = String(Number(text));
  } else {
    const allowed = ENUM_FILTERS[field] ?? [];
    if (typeof raw !== "string" || !allowed.includes(raw)) {
      return `${field} filter must be one of: ${allowed.join(", ")}`;
    }
    value = raw;
  }
  let set = filters.get(field);
  if (!set) filters.set(field, (set = new Set()));
  set.add(value);
  return undefined;
}

/** Filters from the query string of the list route: plain parameters and legacy `filter=field=value`. */
export function parseListFilters(params: URLSearchParams): Parsed<Filters> {
  const filters: Filters = new Map();
  for (const [name, raw] of params) {
    let error: string | undefined;
    if (name === "filter") {
      const eq = raw.indexOf("=");
      if (eq <= 0)
        return { ok: false, error: `filter must be written field=value, got ${JSON.stringify(raw)}` };
      error = addFilter(filters, raw.slice(0, eq).trim(), raw.slice(eq + 1).trim());
    } else if (FILTER_FIELDS.includes(name)) {
      if (raw === "") continue;
      error = addFilter(filters, name, raw);
    }
    if (error) return { ok: false, error };
  }
  return { ok: true, value: filters };
}

export function matchesFilters(pixel: Pixel, filters: Filters): boolean {
  for (const [field, values] of filters) {
    if (!values.has(String(pixel[field]))) return false;
  }
  return true;
}

export interface Paging {
  page: number;
  page_size: number;
}

function parsePositive(params: URLSearchParams, name: string): Parsed<number | undefined> {
  const raw = params.get(name);
  if (raw === null || raw === "") return { ok: true, value: undefined };
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    return { ok: false, error: `${name} must be an integer >= 1` };
  }
  return { ok: true, value: Number(raw) };
}

/**
 * Paging from the query string: undefined when neither page nor page_size is given (and not required).
 * 1-based; default page size 50; page sizes over 2000 are capped at 2000.
 */
export function parsePaging(params: URLSearchParams, required: boolean): Parsed<Paging | undefined> {
  const page = parsePositive(params, "page");
  if (!page.ok) return page;
  const size = parsePositive(params, "page_size");
  if (!size.ok) return size;
  if (!required && page.value === undefined && size.value === undefined)
    return { ok: true, value: undefined };
  return {
    ok: true,
    value: { page: page.value ?? 1, page_size: Math.min(size.value ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE) },
  };
}

export function paginate<T>(
  items: T[],
  paging: Paging,
): { items: T[]; paging: Paging & { total_count: number } } {
  const start = (paging.page - 1) * paging.page_size;
  return {
    items: items.slice(start, start + paging.page_size),
    paging: { ...paging, total_count: items.length },
  };
}

export const SEARCH_TYPES = [
  "postback_url",
  "html_code",
  "network_pixel_id",
  "network_offer_id",
  "any",
] as const;
export interface SearchTerm {
  search_type: (typeof SEARCH_TYPES)[number];
  value: string;
}

export interface TableQuery {
  filters: Filters;
  searchTerms: SearchTerm[];
}

/** The JSON body of POST /v1/affiliates/pixelstable (already parsed; undefined for an empty body). */
export function parseTableBody(body: unknown): Parsed<TableQuery> {
  const filters: Filters = new Map();
  const searchTerms: SearchTerm[] = [];
  if (body === undefined || body === null) return { ok: true, value: { filters, searchTerms } };
  if (!isPlainObject(body)) return { ok: false, error: "request body must be a JSON object" };

  const rawFilters = body.filters;
  if (rawFilters !== undefined && rawFilters !== null) {
    if (!isPlainObject(rawFilters)) return { ok: false, error: "filters must be an object" };
    for (const [field, raw] of Object.entries(rawFilters)) {
      for (const value of Array.isArray(raw) ? raw : [raw]) {
        const error = addFilter(filters, field, value);
        if (error) return { ok: false, error: `filters.${error}` };
      }
    }
  }

  const rawTerms = body.search_terms;
  if (rawTerms !== undefined && rawTerms !== null) {
    if (!Array.isArray(rawTerms)) return { ok: false, error: "search_terms must be an array" };
    for (const [i, term] of rawTerms.entries()) {
      if (!isPlainObject(term)) return { ok: false, error: `search_terms[${i}] must be an object` };
      const type = term.search_type ?? "any";
      if (typeof type !== "string" || !(SEARCH_TYPES as readonly string[]).includes(type)) {
        return {
          ok: false,
          error: `search_terms[${i}].search_type must be one of: ${SEARCH_TYPES.join(", ")}`,
        };
      }
      const value = term.value;
      if (typeof value !== "string" && !(typeof value === "number" && Number.isFinite(value))) {
        return { ok: false, error: `search_terms[${i}].value must be a string or a number` };
      }
      searchTerms.push({ search_type: type as SearchTerm["search_type"], value: String(value) });
    }
  }
  return { ok: true, value: { filters, searchTerms } };
}

function matchesTerm(pixel: Pixel, term: SearchTerm): boolean {
  const needle = term.value.trim().toLowerCase();
  const contains = (text: string): boolean => text.toLowerCase().includes(needle);
  switch (term.search_type) {
    case "postback_url":
      return contains(pixel.postback_url);
    case "html_code":
      return contains(pixel.html_code);
    case "network_pixel_id":
      return String(pixel.network_pixel_id) === needle;
    case "network_offer_id":
      return String(pixel.network_offer_id) === needle;
    case "any":
      return [
        pixel.postback_url,
        pixel.html_code,
        String(pixel.network_pixel_id),
        String(pixel.network_offer_id),
      ].some(contains);
  }
}

export function matchesTable(pixel: Pixel, query: TableQuery): boolean {
  return matchesFilters(pixel, query.filters) && query.searchTerms.every((term) => matchesTerm(pixel, term));
}
