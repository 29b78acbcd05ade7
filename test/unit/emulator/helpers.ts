// Shared helpers for the emulator tests: a started emulator with a raised rate limit, and a small
// fetch wrapper. Deliberately independent of provider/ (the emulator is the check on the client).

import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "../../../emulator";

export const KEY = "test-api-key";

/** Start an emulator whose rate limit never gets in the way (unless the test sets one). */
export function start(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  return startEmulator({ rateLimit: { rate: 1_000_000, burst: 1_000_000 }, ...options });
}

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  body: any;
}

export interface CallOptions {
  /** API key to send; null sends no key. Default KEY. */
  key?: string | null;
  /** JSON-encoded as the body. */
  json?: unknown;
  /** Sent as is. */
  raw?: string;
  signal?: AbortSignal;
}

export async function call(
  h: EmulatorHandle,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Res> {
  const headers: Record<string, string> = {};
  const key = opts.key === undefined ? KEY : opts.key;
  if (key !== null) headers["X-Eflow-API-Key"] = key;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.json !== undefined) body = JSON.stringify(opts.json);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${h.url}${path}`, { method, headers, body, signal: opts.signal });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

export const postback = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  delivery_method: "postback",
  pixel_level: "global",
  pixel_status: "active",
  pixel_type: "conversion",
  postback_url: "https://tracker.example/pb?tid={transaction_id}",
  ...over,
});

export const html = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  delivery_method: "html",
  pixel_level: "specific",
  network_offer_id: 12,
  pixel_status: "active",
  pixel_type: "conversion",
  html_code: '<img src="https://tracker.example/p.gif?tid={transaction_id}">',
  ...over,
});

export const facebook = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  delivery_method: "facebook",
  pixel_level: "global",
  pixel_status: "active",
  pixel_type: "conversion",
  facebook_pixel: { pixel_id: "123456789", event_name: "Purchase", access_token: "EAAB-secret-token-9876" },
  ...over,
});

export const create = async (
  h: EmulatorHandle,
  body: Record<string, unknown>,
  key: string = KEY,
): Promise<Res> => call(h, "POST", "/affiliates/pixels", { json: body, key });
