// Route matching. Everything lives under /v1; a trailing slash is ignored. Paths are matched
// case-sensitively, like the real API.

import type { LoggedRoute } from "./types";

export interface RouteMatch {
  route: LoggedRoute;
  /** The raw `{id}` segment of the get/put routes. */
  id?: string;
  /** The realm a path belongs to, for the "Out of realm" check. */
  realm: "affiliates" | "networks" | "advertisers" | "other";
}

function realmOf(path: string): RouteMatch["realm"] {
  if (path.startsWith("/v1/affiliates/") || path === "/v1/affiliates") return "affiliates";
  if (path.startsWith("/v1/networks/") || path === "/v1/networks") return "networks";
  if (path.startsWith("/v1/advertisers/") || path === "/v1/advertisers") return "advertisers";
  return "other";
}

export function matchRoute(method: string, rawPath: string): RouteMatch {
  const path = rawPath.length > 1 && rawPath.endsWith("/") ? rawPath.slice(0, -1) : rawPath;
  const realm = realmOf(path);
  if (path === "/v1/affiliates/pixels") {
    if (method === "GET") return { route: "GET /v1/affiliates/pixels", realm };
    if (method === "POST") return { route: "POST /v1/affiliates/pixels", realm };
  } else if (path === "/v1/affiliates/pixelstable") {
    if (method === "POST") return { route: "POST /v1/affiliates/pixelstable", realm };
  } else {
    const m = /^\/v1\/affiliates\/pixels\/([^/]+)$/.exec(path);
    if (m?.[1] !== undefined) {
      if (method === "GET") return { route: "GET /v1/affiliates/pixels/:id", id: m[1], realm };
      if (method === "PUT") return { route: "PUT /v1/affiliates/pixels/:id", id: m[1], realm };
    }
  }
  return { route: "unknown", realm };
}
