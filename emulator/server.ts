// The HTTP side: read the request, authenticate, rate limit, apply scripted faults, run the route, log,
// wait out injected latency, then respond (or reset the connection, or send a truncated body).
//
// Order of checks for every request:
//   1. 401 when the X-Eflow-API-Key header is missing or the key is unknown. Such requests take no
//      token (there is no network to charge); their X-RateLimit-* headers show a full bucket.
//   2. 429 when the network's bucket is empty (every authenticated request takes a token, network keys
//      included, whatever the route).
//   3. 403 "Out of realm": a network key on an /v1/affiliates/ route, an affiliate key on a
//      /v1/networks/ or /v1/advertisers/ route.
//   4. 413 for a body over 1 MiB.
//   5. a scripted `fail` fault; otherwise the route (404 for unknown routes) with the post-route faults.
// Paths under /_emulator (admin.ts) skip all of it: they are not Everflow traffic.

import * as http from "node:http";
import { performance } from "node:perf_hooks";

import type { Accounts, Caller } from "./accounts";
import { handleAdmin, isAdminPath } from "./admin";
import type { Faults, RequestFaults } from "./faults";
import { error, handleRoute, unknownRoute, type Reply, type Settings } from "./handlers";
import type { RequestLog } from "./log";
import type { RateDecision, RateLimiter } from "./rate-limit";
import { quoteRequest } from "./quote";
import { matchRoute, type RouteMatch } from "./routes";
import type { PixelStore } from "./store";
import type { FaultKind } from "./types";

export const MAX_BODY_BYTES = 1024 * 1024;

/** Timers that `stop()` can cut short, so a pending slow response does not hold the process. */
export class Sleeper {
  private readonly pending = new Set<() => void>();

  sleep(ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.pending.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.pending.add(done);
    });
  }

  cancelAll(): void {
    for (const done of [...this.pending]) done();
  }
}

export interface ServerDeps {
  accounts: Accounts;
  store: PixelStore;
  limiter: RateLimiter;
  faults: Faults;
  log: RequestLog;
  settings: Settings;
  now: () => number;
  sleeper: Sleeper;
}

interface Body {
  text: string;
  tooLarge: boolean;
}

function readBody(req: http.IncomingMessage): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () =>
      resolve({ text: Buffer.concat(chunks).toString("utf8"), tooLarge: size > MAX_BODY_BYTES }),
    );
    req.on("error", reject);
    req.on("aborted", () => reject(new Error("request aborted")));
  });
}

function networkOf(caller: Caller): number {
  return caller.kind === "affiliate" ? caller.account.networkId : caller.networkId;
}

function outOfRealm(caller: Caller, match: RouteMatch): boolean {
  if (caller.kind === "network") return match.realm === "affiliates";
  return match.realm === "networks" || match.realm === "advertisers";
}

interface Outcome {
  reply: Reply;
  rate: RateDecision;
  caller?: Caller;
  keyLabel: string | null;
  after: RequestFaults;
  applied: FaultKind[];
}

const NO_FAULTS: RequestFaults = { reset: false, malformed: false, slowMs: 0 };

function decide(
  deps: ServerDeps,
  req: http.IncomingMessage,
  match: RouteMatch,
  url: URL,
  body: Body,
): Outcome {
  const auth = deps.accounts.authenticate(req.headers["x-eflow-api-key"]);
  if (!auth.ok) {
    return {
      reply: error(401, auth.error),
      rate: deps.limiter.peek(null),
      keyLabel: auth.label,
      after: NO_FAULTS,
      applied: [],
    };
  }
  const { caller } = auth;
  const base = { caller, keyLabel: caller.label, after: NO_FAULTS, applied: [] as FaultKind[] };
  const rate = deps.limiter.take(networkOf(caller));
  if (!rate.allowed) {
    return {
      ...base,
      rate,
      reply: error(429, "Rate limit exceeded: too many requests, slow down and retry"),
    };
  }
  if (outOfRealm(caller, match)) return { ...base, rate, reply: error(403, "Out of realm") };
  if (body.tooLarge) {
    return { ...base, rate, reply: error(413, `request body is larger than ${MAX_BODY_BYTES} bytes`) };
  }
  const fail = deps.faults.takeFail(match.route);
  if (fail) {
    const message = quoteRequest(fail.message, body.text);
    return { ...base, rate, reply: error(fail.status, message), applied: ["fail"] };
  }

  const after = deps.faults.takeAfter(match.route);
  const applied: FaultKind[] = [];
  if (after.slowMs > 0) applied.push("slow");
  if (after.malformed) applied.push("malformed");
  if (after.reset) applied.push("reset");
  const method = req.method ?? "GET";
  const reply =
    caller.kind === "affiliate"
      ? handleRoute(
          { match, method, path: url.pathname, params: url.searchParams, body: body.text },
          { networkId: caller.account.networkId, affiliateId: caller.account.affiliateId },
          deps.store,
          deps.settings,
        )
      : unknownRoute({ method, path: url.pathname });
  return { ...base, rate, reply, after, applied };
}

async function handle(deps: ServerDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const started = performance.now();
  const time = deps.now();
  const method = req.method ?? "GET";
  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://emulator.invalid");
  } catch {
    url = new URL("http://emulator.invalid/");
  }
  const match = matchRoute(method, url.pathname);

  let body: Body;
  try {
    body = await readBody(req);
  } catch {
    return; // the client went away before sending its body: nothing to answer
  }

  if (isAdminPath(url.pathname)) {
    const reply = body.tooLarge
      ? error(413, `request body is larger than ${MAX_BODY_BYTES} bytes`)
      : handleAdmin(method, url.pathname, body.text, deps.store);
    send(res, reply.status, JSON.stringify(reply.body), {});
    return;
  }

  let outcome: Outcome;
  try {
    outcome = decide(deps, req, match, url, body);
  } catch (err) {
    outcome = {
      reply: error(500, `Internal emulator error: ${err instanceof Error ? err.message : String(err)}`),
      rate: deps.limiter.peek(null),
      keyLabel: null,
      after: NO_FAULTS,
      applied: [],
    };
  }

  const { reply, rate, after } = outcome;
  const delay = deps.faults.latencyFor(match.route) + after.slowMs;
  deps.log.add({
    method,
    path: url.pathname,
    query: url.search,
    route: match.route,
    status: reply.status,
    durationMs: performance.now() - started + delay,
    time,
    key: outcome.keyLabel,
    networkId: outcome.caller ? networkOf(outcome.caller) : null,
    affiliateId: outcome.caller?.kind === "affiliate" ? outcome.caller.account.affiliateId : null,
    faults: outcome.applied,
  });

  await deps.sleeper.sleep(delay);
  if (res.destroyed || res.writableEnded || req.socket.destroyed) return;
  if (after.reset) {
    // The write (if any) is in the store; the client sees a reset connection and no response.
    req.socket.destroy();
    return;
  }
  let text = JSON.stringify(reply.body);
  if (after.malformed) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  send(res, reply.status, text, {
    "X-RateLimit-Limit": String(rate.limit),
    "X-RateLimit-Remaining": String(rate.remaining),
  });
}

function send(res: http.ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  const payload = Buffer.from(text, "utf8");
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": payload.length,
    ...headers,
  });
  res.end(payload);
}

export function createServer(deps: ServerDeps): http.Server {
  const server = http.createServer((req, res) => {
    res.on("error", () => undefined);
    void handle(deps, req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        const rate = deps.limiter.peek(null);
        res.writeHead(500, {
          "Content-Type": "application/json; charset=utf-8",
          "X-RateLimit-Limit": String(rate.limit),
          "X-RateLimit-Remaining": String(rate.remaining),
        });
        res.end(JSON.stringify({ error: "Internal emulator error" }));
      }
    });
  });
  return server;
}
