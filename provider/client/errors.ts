// The one error type of the client. A caller tells the cases apart by `kind` (or the `notFound`
// boolean / `isNotFound()`), never by matching message text. Nothing here ever holds the API key: the
// messages are built from the operation, the id, the status and the server's (redacted) message.

import { ErrorBodySchema } from "./wire";
import { redactString } from "./redact";
import { withoutSentValues } from "./sent-values";
import { tunnelRefusal } from "./proxy";
import { tlsFailure, tlsReason } from "./tls-errors";

export type EverflowOperation = "list" | "get" | "create" | "update" | "deactivate";

export type EverflowErrorKind =
  /** 400: malformed or invalid body. */
  | "bad-request"
  /** 401: key missing, unknown or revoked. */
  | "unauthorized"
  /** 403: wrong key type, or the network disabled affiliate-created postbacks. */
  | "forbidden"
  /** 404: the pixel does not exist or belongs to another affiliate (or the route is unknown). */
  | "not-found"
  /** 429 after the retry budget was spent. */
  | "rate-limited"
  /** 5xx after the retry budget was spent. */
  | "server"
  /** Any other HTTP status. */
  | "http"
  /** Connection refused/reset, DNS failure, ...: no HTTP status. */
  | "network"
  /** Connect, headers or body timeout. */
  | "timeout"
  /** The TLS handshake failed: a certificate rejected, or no common protocol. Never retried. */
  | "tls"
  /** The proxy refused to open a tunnel to Everflow (407, 403, 502, ...): nothing reached Everflow. */
  | "proxy"
  /** The server answered 2xx with something the client cannot read (not JSON, or a field is wrong). */
  | "invalid-response"
  /** The request was refused locally before anything was sent (bad id, body of the wrong type). */
  | "invalid-request"
  /** A create whose outcome could not be determined (several matching candidates). */
  | "ambiguous-create"
  /** A listing that could not be read whole (see listing.ts): never a basis for a decision. */
  | "partial-listing"
  /** The engine cancelled the run: no request was sent after that (see cancel.ts). */
  | "cancelled";

export interface EverflowApiErrorInit {
  operation: EverflowOperation;
  kind: EverflowErrorKind;
  detail: string;
  pixelId?: number;
  status?: number;
  apiMessage?: string;
  code?: string;
  attempts?: number;
  candidateIds?: number[];
  retryable?: boolean;
  notSent?: boolean;
}

const API_MESSAGE_MAX = 500;

export class EverflowApiError extends Error {
  override readonly name = "EverflowApiError";
  readonly operation: EverflowOperation;
  readonly kind: EverflowErrorKind;
  /** The pixel (postback) id the operation was about, if any. */
  readonly pixelId: number | undefined;
  /** The HTTP status, or undefined for network errors and local failures. */
  readonly status: number | undefined;
  /** The server's message (from `error`, `Error` or the raw body), truncated and redacted. */
  readonly apiMessage: string | undefined;
  /** The network error code (ECONNRESET, UND_ERR_HEADERS_TIMEOUT, ...), if any. */
  readonly code: string | undefined;
  /** HTTP attempts made for the failing request, when known. */
  readonly attempts: number | undefined;
  /** For `ambiguous-create`: the ids of the matching pixels. */
  readonly candidateIds: number[] | undefined;
  /** True when the server said the pixel does not exist (404). */
  readonly notFound: boolean;
  /** True when trying again later may succeed (429, 5xx, network, timeout). */
  readonly retryable: boolean;
  /**
   * True when the request certainly never reached the server: it failed while the connection was being
   * made (TCP connect, TLS handshake, a proxy's tunnel), before a byte of it was written. A create that
   * failed so created nothing.
   */
  readonly notSent: boolean;

  constructor(init: EverflowApiErrorInit) {
    super(formatMessage(init.operation, init.pixelId, init.detail));
    this.operation = init.operation;
    this.kind = init.kind;
    this.pixelId = init.pixelId;
    this.status = init.status;
    this.apiMessage = init.apiMessage;
    this.code = init.code;
    this.attempts = init.attempts;
    this.candidateIds = init.candidateIds;
    this.notFound = init.kind === "not-found";
    this.notSent = init.notSent ?? false;
    this.retryable =
      init.retryable ??
      (init.kind === "rate-limited" ||
        init.kind === "server" ||
        init.kind === "network" ||
        init.kind === "timeout");
  }
}

/** `Everflow update of postback 1234 failed: <detail>`; `Everflow list of postbacks failed: ...`. */
export function formatMessage(
  operation: EverflowOperation,
  pixelId: number | undefined,
  detail: string,
): string {
  const subject =
    operation === "list" ? "postbacks" : pixelId === undefined ? "postback" : `postback ${pixelId}`;
  return `Everflow ${operation} of ${subject} failed: ${detail}`;
}

export function isEverflowApiError(err: unknown): err is EverflowApiError {
  return err instanceof EverflowApiError;
}

/** True for the client's not-found error (the pixel is gone), whatever the operation. */
export function isNotFound(err: unknown): boolean {
  return err instanceof EverflowApiError && err.notFound;
}

export function kindForStatus(status: number): EverflowErrorKind {
  if (status === 400 || status === 422) return "bad-request";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  // Only 404: the client never sends the DELETE that other statuses would answer, and a 405 or 410
  // must not pass for "already gone".
  if (status === 404) return "not-found";
  if (status === 429) return "rate-limited";
  if (status >= 500) return "server";
  return "http";
}

function truncate(text: string, max = API_MESSAGE_MAX): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The human-readable message of an error body: `error`, else `Error`, else the raw body (non-JSON, or
 * JSON of another shape), truncated, with the given secrets redacted and every value of the request
 * body `sent` replaced by its field's name (sent-values.ts). Undefined for an empty body.
 */
export function readApiMessage(
  bodyText: string,
  secrets: readonly (string | undefined)[],
  sent?: unknown,
): string | undefined {
  const raw = bodyText.trim();
  if (raw === "") return undefined;
  let message = raw;
  try {
    const parsed = ErrorBodySchema.safeParse(JSON.parse(raw));
    if (parsed.success) {
      const value = parsed.data.error ?? parsed.data.Error;
      if (typeof value === "string" && value.trim() !== "") message = value;
      else if (value !== undefined && value !== null && typeof value !== "string")
        message = JSON.stringify(value);
    }
  } catch {
    // Not JSON: the raw body is the message (an HTML error page from a proxy, plain text, ...).
  }
  return truncate(withoutSentValues(redactString(message, secrets), sent));
}

/** The error for a non-2xx response. */
export function httpError(args: {
  operation: EverflowOperation;
  pixelId?: number;
  status: number;
  bodyText: string;
  secrets: readonly (string | undefined)[];
  attempts?: number;
  /** The request body: its values never reach the message. */
  sent?: unknown;
}): EverflowApiError {
  const apiMessage = readApiMessage(args.bodyText, args.secrets, args.sent);
  const kind = kindForStatus(args.status);
  let detail = `HTTP ${args.status}${apiMessage ? `: ${apiMessage}` : ""}`;
  if ((kind === "rate-limited" || kind === "server") && args.attempts !== undefined && args.attempts > 1) {
    detail += ` (gave up after ${args.attempts} attempts)`;
  }
  return new EverflowApiError({
    operation: args.operation,
    pixelId: args.pixelId,
    kind,
    status: args.status,
    apiMessage,
    attempts: args.attempts,
    detail,
  });
}

const TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);

/** The error for a failure without an HTTP response (connection refused/reset, timeouts, DNS, TLS). */
export function networkError(args: {
  operation: EverflowOperation;
  pixelId?: number;
  cause: unknown;
  secrets: readonly (string | undefined)[];
  attempts?: number;
  /** It failed before a byte of the request was written (see EverflowApiError.notSent). */
  notSent?: boolean;
  /** The base URL, as a user may read it (no credentials): named by TLS and proxy failures. */
  target?: string;
  /** The proxy the request went through: its origin (never its credentials) and where it was set. */
  proxy?: { origin: string; variable: string };
}): EverflowApiError {
  const err = args.cause as { code?: unknown; message?: unknown; reason?: unknown } | null | undefined;
  const code = typeof err?.code === "string" ? err.code : undefined;
  const text =
    typeof err?.message === "string" ? redactString(err.message, args.secrets) : String(args.cause);
  const target = args.target ?? "the server";
  const proxy = args.proxy ? `proxy ${args.proxy.origin} (${args.proxy.variable})` : undefined;
  const gaveUp =
    args.attempts !== undefined && args.attempts > 1 ? ` (gave up after ${args.attempts} attempts)` : "";
  const refused = args.proxy ? tunnelRefusal(err) : undefined;
  if (proxy && refused !== undefined) {
    const hint =
      refused === 407
        ? `: the proxy wants credentials; check the user and password in ${args.proxy?.variable}`
        : "";
    return new EverflowApiError({
      operation: args.operation,
      pixelId: args.pixelId,
      kind: "proxy",
      status: refused,
      code,
      attempts: args.attempts,
      retryable: refused >= 500,
      notSent: true,
      detail: `${proxy} answered HTTP ${refused} to the tunnel (CONNECT) to ${target}${hint}; nothing was sent${gaveUp}`,
    });
  }
  const tls = tlsFailure(code);
  // A certificate is checked during the handshake, before the request; another TLS error counts as
  // the handshake's only when it came before the request was written (a record failing mid-exchange
  // is a network error of the exchange).
  const notSent = (args.notSent ?? false) || tls === "certificate";
  if (tls && notSent && err) {
    const reason = truncate(redactString(tlsReason(err), args.secrets), 200);
    const via = proxy ? `, through ${proxy},` : "";
    const detail =
      tls === "certificate"
        ? `TLS certificate of ${target}${via} rejected (${code}: ${reason}): nothing was sent, and a certificate ` +
          "error is not retried (a TLS-inspecting proxy's CA can be trusted with NODE_EXTRA_CA_CERTS)"
        : `TLS handshake with ${target}${via} failed (${code}: ${reason}): nothing was sent, not retried`;
    return new EverflowApiError({
      operation: args.operation,
      pixelId: args.pixelId,
      kind: "tls",
      code,
      attempts: args.attempts,
      retryable: false,
      notSent,
      detail,
    });
  }
  const kind: EverflowErrorKind = code !== undefined && TIMEOUT_CODES.has(code) ? "timeout" : "network";
  const where = proxy ? ` ${notSent ? "connecting through" : "through"} ${proxy}` : "";
  let detail = `${kind === "timeout" ? "timeout" : "network error"}${code ? ` (${code})` : ""}${where}: ${truncate(text, 200)}`;
  if (notSent) detail += "; nothing was sent";
  detail += gaveUp;
  return new EverflowApiError({
    operation: args.operation,
    pixelId: args.pixelId,
    kind,
    code,
    attempts: args.attempts,
    notSent,
    detail,
  });
}
