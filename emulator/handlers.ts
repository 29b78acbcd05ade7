// What each route does, given an authenticated affiliate. Pure request -> reply logic on the store:
// no HTTP, no auth, no faults (server.ts does those).

import { pageOf, type PagingQuirks } from "./paging";
import {
  matchesFilters,
  matchesTable,
  paginate,
  parseListFilters,
  parsePaging,
  parseTableBody,
} from "./query";
import type { RouteMatch } from "./routes";
import { shows, type AnswerKind, type AnswerScope, type Quirks } from "./quirks";
import { relationshipOf, type Owner, type PixelStore } from "./store";
import type { Pixel, PixelInput } from "./types";
import { validatePixelBody } from "./validate";

export interface Settings {
  creationDisabled: boolean;
  /** The answers in which facebook_pixel.access_token is masked; undefined = none. */
  maskAccessToken: AnswerScope | undefined;
  /** Paging anomalies of the list route (paging.ts), all off by default. */
  paging: PagingQuirks;
  /** Stored and returned forms that differ from what was sent (off by default). */
  quirks: Quirks;
}

export interface Reply {
  status: number;
  body: unknown;
}

export interface RouteRequest {
  match: RouteMatch;
  method: string;
  path: string;
  params: URLSearchParams;
  body: string;
}

export const error = (status: number, message: string): Reply => ({ status, body: { error: message } });

/** "****" plus the last 4 characters (all masked when the token is 4 characters or fewer). */
export function maskToken(token: string): string {
  return token.length > 4 ? `****${token.slice(-4)}` : "****";
}

/** `true` is every answer (the switch's older, boolean form), `false` none. */
export function maskScope(on: boolean | AnswerScope): AnswerScope | undefined {
  if (on === true || on === false) return on ? "all" : undefined;
  if (on !== "reads" && on !== "all") {
    throw new RangeError(`emulator: maskAccessToken must be a boolean, "reads" or "all", got ${String(on)}`);
  }
  return on;
}

/**
 * A pixel as sent on the wire in an answer of that kind: with the returned forms that show in it
 * applied, the access token masked when asked.
 */
export function render(stored: Pixel, settings: Settings, answer: AnswerKind): Pixel {
  const pixel = settings.quirks.rendered(stored, answer);
  if (!shows(settings.maskAccessToken, answer) || !pixel.facebook_pixel) return pixel;
  const token = pixel.facebook_pixel.access_token;
  return {
    ...pixel,
    facebook_pixel: {
      ...pixel.facebook_pixel,
      access_token: typeof token === "string" ? maskToken(token) : token,
    },
  };
}

type Json = { ok: true; value: unknown } | { ok: false; reply: Reply };

function parseJson(text: string, emptyAllowed: boolean): Json {
  if (text.trim() === "") {
    return emptyAllowed
      ? { ok: true, value: undefined }
      : { ok: false, reply: error(400, "request body is required: a JSON object") };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reply: error(400, "request body is not valid JSON") };
  }
}

function pixelId(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  const id = Number(raw);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

const notFound = (raw: string | undefined): Reply => error(404, `Pixel ${raw ?? ""} not found`);

export function handleRoute(req: RouteRequest, owner: Owner, store: PixelStore, settings: Settings): Reply {
  const out = (pixel: Pixel): unknown => render(pixel, settings, "read");
  const wrote = (stored: Pixel, sent: PixelInput): Reply => {
    const answer = settings.quirks.written(stored, sent);
    return {
      status: 200,
      body: render({ ...answer, relationship: relationshipOf(answer) }, settings, "write"),
    };
  };
  switch (req.match.route) {
    case "GET /v1/affiliates/pixels": {
      const filters = parseListFilters(req.params);
      if (!filters.ok) return error(400, filters.error);
      const paging = parsePaging(req.params, false);
      if (!paging.ok) return error(400, paging.error);
      const pixels = store.listOwned(owner).filter((p) => matchesFilters(p, filters.value));
      const page = pageOf(pixels, paging.value, settings.paging);
      if (!page) return { status: 200, body: { pixels: pixels.map(out) } };
      return { status: 200, body: { pixels: page.items.map(out), paging: page.paging } };
    }
    case "GET /v1/affiliates/pixels/:id": {
      const id = pixelId(req.match.id);
      const pixel = id === undefined ? undefined : store.getOwned(owner, id);
      return pixel ? { status: 200, body: out(pixel) } : notFound(req.match.id);
    }
    case "POST /v1/affiliates/pixels": {
      if (settings.creationDisabled) {
        return error(403, "The network has disabled the creation of postbacks by affiliates");
      }
      const json = parseJson(req.body, false);
      if (!json.ok) return json.reply;
      const valid = validatePixelBody(json.value);
      if (!valid.ok) return error(400, valid.error);
      return wrote(store.create(owner, settings.quirks.stored(valid.input), valid.extras), valid.input);
    }
    case "PUT /v1/affiliates/pixels/:id": {
      const id = pixelId(req.match.id);
      if (id === undefined || !store.getOwned(owner, id)) return notFound(req.match.id);
      const json = parseJson(req.body, false);
      if (!json.ok) return json.reply;
      const valid = validatePixelBody(json.value);
      if (!valid.ok) return error(400, valid.error);
      return wrote(store.replace(id, settings.quirks.stored(valid.input), valid.extras), valid.input);
    }
    case "POST /v1/affiliates/pixelstable": {
      const paging = parsePaging(req.params, true);
      if (!paging.ok) return error(400, paging.error);
      const json = parseJson(req.body, true);
      if (!json.ok) return json.reply;
      const query = parseTableBody(json.value);
      if (!query.ok) return error(400, query.error);
      const pixels = store.listOwned(owner).filter((p) => matchesTable(p, query.value));
      const page = paginate(pixels, paging.value ?? { page: 1, page_size: 50 });
      return { status: 200, body: { pixels: page.items.map(out), paging: page.paging } };
    }
    case "unknown":
      return unknownRoute(req);
  }
}

export function unknownRoute(req: Pick<RouteRequest, "method" | "path">): Reply {
  if (req.method === "DELETE" && /^\/v1\/affiliates\/pixels\/[^/]+\/?$/.test(req.path)) {
    return error(
      404,
      "Affiliate pixels cannot be deleted (no DELETE route): set pixel_status to inactive with a PUT instead",
    );
  }
  return error(404, `Route not found: ${req.method} ${req.path}`);
}
