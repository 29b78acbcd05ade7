// Request shaping: what the client checks before sending (ids, bodies) and how it reads what comes back
// (JSON, schemas), so every operation fails the same way on the same kind of fault.

import type { z } from "zod";
import { EverflowApiError, type EverflowOperation } from "./errors";
import { parseWire, PixelBodySchema, SERVER_OWNED_FIELDS, type PixelBody } from "./wire";

export type JsonResult = { ok: true; value: unknown } | { ok: false };

export function parseJson(text: string): JsonResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

export function checkId(operation: EverflowOperation, id: number): void {
  if (!Number.isSafeInteger(id) || id <= 0) {
    throw new EverflowApiError({
      operation,
      kind: "invalid-request",
      detail: `invalid postback id ${JSON.stringify(id)} (expected a positive integer)`,
    });
  }
}

export function checkBody(operation: EverflowOperation, body: PixelBody, pixelId?: number): PixelBody {
  const parsed = parseWire(PixelBodySchema, body);
  if (!parsed.ok) {
    throw new EverflowApiError({
      operation,
      pixelId,
      kind: "invalid-request",
      detail: `invalid request body: ${parsed.message}`,
    });
  }
  return parsed.value;
}

export function parseBody<S extends z.ZodType>(
  operation: EverflowOperation,
  pixelId: number | undefined,
  status: number,
  text: string,
  schema: S,
  what: string,
): z.infer<S> {
  const json = parseJson(text);
  if (!json.ok) {
    throw new EverflowApiError({
      operation,
      pixelId,
      kind: "invalid-response",
      status,
      detail: `unexpected response: HTTP ${status} with a body that is not JSON (${text.length} bytes)`,
    });
  }
  const parsed = parseWire(schema, json.value);
  if (!parsed.ok) {
    throw new EverflowApiError({
      operation,
      pixelId,
      kind: "invalid-response",
      status,
      detail: `unexpected ${what} in response: ${parsed.message}`,
    });
  }
  return parsed.value;
}

/** The fields of an error, to build a copy with more facts. */
export function errorInit(error: EverflowApiError) {
  return {
    operation: error.operation,
    kind: error.kind,
    detail: stripPrefix(error.message),
    ...definedOnly({
      status: error.status,
      apiMessage: error.apiMessage,
      code: error.code,
      attempts: error.attempts,
    }),
  };
}

export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function withoutServerOwned(body: PixelBody): PixelBody {
  const out: Record<string, unknown> = { ...body };
  for (const field of SERVER_OWNED_FIELDS) delete out[field];
  return out as PixelBody;
}

/** "Everflow create of postback failed: X" → "X" (to compose messages). */
export function stripPrefix(message: string): string {
  return message.replace(/^Everflow \w+ of postbacks? ?\d* failed: /, "");
}
