// Create reconciliation: a POST is not idempotent, so after an ambiguous failure the client looks for the
// pixel the failed attempt may have made (reconcile.ts) before it may POST again.

import { EverflowApiError, httpError } from "./errors";
import { reconcileCreate } from "./reconcile";
import { checkBody, errorInit, parseBody, parseJson, stripPrefix } from "./request-shape";
import { backoffDelay, certainlyNotSent, type RetryPolicy } from "./retry";
import { newBudget, type RequestBudget, type Transport } from "./transport";
import { PixelSchema, type Pixel, type PixelBody } from "./wire";

/** What a create needs of its client. */
export interface CreateContext {
  transport: Transport;
  policy: RetryPolicy;
  random: () => number;
  settleMs: number;
  clockSkewSec: number;
  /** The account's listing, for reconciliation. */
  listForCreate: () => Promise<Pixel[]>;
  /** Ids returned by this account's creates in this process: never adopted by another create. */
  claimed: Set<number>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Create a pixel. POST is not idempotent: it is repeated only when the request certainly did not reach
 * the server; after an ambiguous failure the client reconciles (see reconcile.ts) and adopts the
 * pixel the failed attempt created, so a create never leaves a duplicate behind.
 */
export async function createPixel(ctx: CreateContext, body: PixelBody): Promise<Pixel> {
  const intended = checkBody("create", body);
  const secrets = [intended.facebook_pixel?.access_token];
  const budget = newBudget();
  const startedAtMs = Date.now();

  // Why a loop of our own around the POST rather than undici's retry interceptor alone: the
  // interceptor does retry the POST, but only for failures where the request certainly did not reach
  // the server (connection refused or never made, 429; see RetryMode "create"). After an ambiguous
  // failure (timeout, reset after sending, 5xx, unreadable 2xx) the next step is not "send again" but
  // "list and compare", another request with its own retries, which a RetryHandler callback cannot
  // do. The attempt and time budget is shared with the interceptor's retries.
  for (;;) {
    const result = await createOnce(ctx, intended, budget, secrets);
    if (!(result instanceof EverflowApiError)) {
      ctx.claimed.add(result.network_pixel_id);
      return result;
    }
    const failure = result;
    // Ambiguous: the pixel may exist. If another POST is allowed, wait first (a request the server is
    // still processing gets time to land before the list), then look.
    const elapsed = performance.now() - budget.startedAt;
    const counted = budget.attempts - budget.throttled; // 429s count against the time budget only
    const delay = Math.max(ctx.settleMs, backoffDelay(counted, ctx.policy, ctx.random));
    const mayRetry = counted < ctx.policy.maxAttempts && elapsed + delay <= ctx.policy.maxElapsedMs;
    // Settle even when no retry is left: the listing decides between "adopted" and "failed".
    await sleep(mayRetry ? delay : ctx.settleMs);

    let outcome;
    try {
      outcome = await reconcileCreate({
        list: () => ctx.listForCreate(),
        intended,
        window: { startedAtMs, clockSkewSec: ctx.clockSkewSec, exclude: ctx.claimed },
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw ambiguousCreate(
        failure,
        budget.attempts,
        `the postback may have been created, and checking failed: ${stripPrefix(why)}`,
      );
    }

    ctx.transport.emit(
      {
        event: "reconcile",
        operation: "create",
        outcome: outcome.outcome,
        candidateIds:
          outcome.outcome === "adopted"
            ? [outcome.pixel.network_pixel_id]
            : outcome.outcome === "ambiguous"
              ? outcome.candidates.map((p) => p.network_pixel_id)
              : [],
        reason: stripPrefix(failure.message),
        attempt: budget.attempts,
      },
      secrets,
    );

    if (outcome.outcome === "adopted") {
      ctx.claimed.add(outcome.pixel.network_pixel_id);
      return outcome.pixel;
    }
    if (outcome.outcome === "ambiguous") {
      const ids = outcome.candidates.map((p) => p.network_pixel_id);
      throw ambiguousCreate(
        failure,
        budget.attempts,
        `${ids.length} postbacks matching the request were created since it started (ids ${ids.join(", ")}): cannot tell which one is this create's; remove the extra one(s) or import one`,
        ids,
      );
    }
    // None landed: a new POST cannot make a duplicate.
    if (!mayRetry) throw failure;
  }
}

/**
 * One POST (undici retries it only when it certainly was not sent: it failed before being written, or
 * was answered 429). Resolves with the created pixel, or with the error of an ambiguous failure (the pixel may
 * exist); rejects when the failure certainly created nothing.
 */
async function createOnce(
  ctx: CreateContext,
  intended: PixelBody,
  budget: RequestBudget,
  secrets: (string | undefined)[],
): Promise<Pixel | EverflowApiError> {
  let res;
  try {
    res = await ctx.transport.send({
      operation: "create",
      method: "POST",
      path: "/affiliates/pixels",
      body: intended,
      mode: "create",
      budget,
      secrets,
    });
  } catch (err) {
    if (!(err instanceof EverflowApiError)) throw err;
    // Failed before a byte was written (connect, DNS, TLS handshake, proxy tunnel), or given up unsent
    // on cancel: nothing was created, and there is nothing to look for.
    if (err.notSent || certainlyNotSent(err.code) || err.kind === "cancelled") throw err;
    return err;
  }
  const allSecrets = ctx.transport.secrets(secrets);
  if (res.status >= 200 && res.status <= 299) {
    const json = parseJson(res.text);
    if (!json.ok) {
      // The server said 2xx, so the pixel most likely exists, but the answer is unreadable: reconcile.
      return new EverflowApiError({
        operation: "create",
        kind: "invalid-response",
        status: res.status,
        attempts: res.attempts,
        detail: `unexpected response: HTTP ${res.status} with a body that is not JSON (${res.text.length} bytes)`,
      });
    }
    try {
      return parseBody("create", undefined, res.status, res.text, PixelSchema, "pixel");
    } catch (error) {
      // Created, but the answer does not fit the schema: the id, if readable, must reach the caller so
      // the postback is recorded rather than created again; without one, reconcile.
      const id = rawPixelId(json.value);
      if (error instanceof EverflowApiError && id !== undefined) {
        throw new EverflowApiError({ ...errorInit(error), pixelId: id });
      }
      if (error instanceof EverflowApiError) return error;
      throw error;
    }
  }
  const error = httpError({
    operation: "create",
    status: res.status,
    bodyText: res.text,
    secrets: allSecrets,
    attempts: res.attempts,
    sent: intended,
  });
  // A 5xx may come after the write: ambiguous. 4xx (including 429 once the budget is spent): rejected.
  if (res.status >= 500) return error;
  throw error;
}

/** A create whose outcome reconciliation could not settle: the first failure's facts, and why. */
function ambiguousCreate(
  failure: EverflowApiError,
  attempts: number,
  why: string,
  candidateIds?: number[],
): EverflowApiError {
  return new EverflowApiError({
    operation: "create",
    kind: "ambiguous-create",
    status: failure.status,
    apiMessage: failure.apiMessage,
    code: failure.code,
    attempts,
    retryable: false,
    detail: `${stripPrefix(failure.message)}; ${why}`,
    ...(candidateIds ? { candidateIds } : {}),
  });
}

/** The id of a created pixel from a response body that failed the schema, if it holds a usable one. */
function rawPixelId(body: unknown): number | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const id = record.network_pixel_id ?? record.network_affiliate_pixel_id;
  const n = typeof id === "string" ? Number(id) : id;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
}
