// Out-of-band administration over HTTP, outside the /v1 API namespace: what someone does in the
// Everflow UI (edit or delete a postback), and a look at the whole store, for a user who runs the
// emulator from a shell and has no in-process handle. It is not Everflow traffic: no API key, no
// rate-limit token, no scripted faults or latency, and no entry in the request log, so the log's counts
// stay the client's calls alone.
//
//   GET    /_emulator/pixels       every pixel of every affiliate, as stored: {"pixels": [...]}
//   GET    /_emulator/pixels/:id   one pixel as stored
//   PATCH  /_emulator/pixels/:id   shallow merge of wire fields, like store.update; bumps time_saved
//   DELETE /_emulator/pixels/:id   remove it, like store.remove; answers the pixel as it was
//
// A PATCH is checked for the type of each field, not for the API's rules: an edit made elsewhere may
// leave a pixel the API would refuse to create (an unknown delivery method, an html pixel without
// code), which is what a client's drift check has to cope with. Read-only fields (the id, owner, times,
// relationship) and fields the API does not have are refused, so a typo is not stored silently.

import { error, type Reply } from "./handlers";
import type { PixelStore } from "./store";
import { INPUT_FIELDS, isPlainObject, READ_ONLY_FIELDS } from "./validate";

export const ADMIN_PREFIX = "/_emulator";

const STRING_FIELDS = new Set<string>([
  "delivery_method",
  "pixel_level",
  "pixel_status",
  "pixel_type",
  "postback_url",
  "html_code",
]);
const INTEGER_FIELDS = new Set<string>(["network_offer_id", "delay_ms", "network_offer_payout_revenue_id"]);

/** True for a path under /_emulator (a trailing slash is ignored, as on /v1). */
export function isAdminPath(path: string): boolean {
  return path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`);
}

/** The problems of a PATCH body, each naming its field; empty when it may be merged. */
export function checkPatch(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const readOnly: string[] = [];
  const unknown: string[] = [];
  for (const [field, value] of Object.entries(body)) {
    if ((READ_ONLY_FIELDS as readonly string[]).includes(field)) readOnly.push(field);
    else if (!(INPUT_FIELDS as readonly string[]).includes(field)) unknown.push(field);
    else if (STRING_FIELDS.has(field) && typeof value !== "string")
      problems.push(`${field} must be a string`);
    else if (INTEGER_FIELDS.has(field) && !Number.isSafeInteger(value))
      problems.push(`${field} must be an integer`);
    else if (field === "facebook_pixel" && value !== null && !isPlainObject(value))
      problems.push("facebook_pixel must be an object or null");
  }
  if (readOnly.length > 0) problems.push(`read-only, not editable: ${readOnly.join(", ")}`);
  if (unknown.length > 0) {
    problems.push(`unknown field(s): ${unknown.join(", ")} (editable: ${INPUT_FIELDS.join(", ")})`);
  }
  return problems;
}

function parseId(raw: string): number | undefined {
  if (!/^\d+$/.test(raw)) return undefined;
  const id = Number(raw);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

export function handleAdmin(method: string, rawPath: string, bodyText: string, store: PixelStore): Reply {
  const path = rawPath.length > 1 && rawPath.endsWith("/") ? rawPath.slice(0, -1) : rawPath;
  if (path === `${ADMIN_PREFIX}/pixels` && method === "GET") {
    return { status: 200, body: { pixels: store.all() } };
  }
  const m = new RegExp(`^${ADMIN_PREFIX}/pixels/([^/]+)$`).exec(path);
  if (!m || !["GET", "PATCH", "DELETE"].includes(method)) {
    return error(
      404,
      `Route not found: ${method} ${rawPath} (emulator admin routes: ${ADMIN_PREFIX}/pixels)`,
    );
  }
  const id = parseId(m[1]!);
  const pixel = id === undefined ? undefined : store.get(id);
  if (id === undefined || !pixel) return error(404, `Pixel ${m[1]} not found`);
  if (method === "GET") return { status: 200, body: pixel };
  if (method === "DELETE") {
    store.remove(id);
    return { status: 200, body: pixel };
  }
  let patch: unknown;
  try {
    patch = JSON.parse(bodyText);
  } catch {
    return error(400, "request body is not valid JSON: send an object of the fields to change");
  }
  if (!isPlainObject(patch)) return error(400, "request body must be a JSON object of the fields to change");
  const problems = checkPatch(patch);
  if (problems.length > 0) return error(400, problems.join("; "));
  return { status: 200, body: store.update(id, patch) };
}
