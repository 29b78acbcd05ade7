// Connection pools: one keep-alive undici dispatcher per origin per process, shared by every client
// of that origin (the provider's, and the CLI's drift/adopt/recover commands alike): an Agent, or,
// when the environment names a proxy for the origin (proxy.ts), undici's ProxyAgent, which tunnels
// through it with CONNECT. Either way the transport's interceptors (retry, per-attempt) compose on top.

import type { LookupFunction } from "node:net";
import { Agent, Pool, ProxyAgent, type Dispatcher } from "undici";
import { displayUrl } from "./base-url";
import { proxyFor, type ProxyRoute } from "./proxy";
import type { TimeoutOptions } from "./transport";

export interface PoolStats {
  origin: string;
  /** TCP connections opened by the pool since it was created. */
  connectionsOpened: number;
  /** Connections closed (by either side). */
  disconnects: number;
  /** Failed connection attempts. */
  connectionErrors: number;
  /** Request attempts dispatched through the pool (retries included). */
  requests: number;
}

/**
 * Options of the connections themselves, for tests only: a CA to trust (a TLS server of the test's
 * own) and a resolver (a name of the test's own). Users give Node a CA with NODE_EXTRA_CA_CERTS.
 */
export interface PoolConnectOptions {
  ca?: string | Buffer | (string | Buffer)[];
  lookup?: LookupFunction;
}

export interface PoolEntry {
  agent: Dispatcher;
  stats: PoolStats;
  /** The base URL of the client that opened the pool, as a user may read it (for messages). */
  target: string;
  /** The proxy the pool goes through, if any (chosen from the environment when the pool opened). */
  proxy?: ProxyRoute;
}

const pools = new Map<string, PoolEntry>();

function isOpen(dispatcher: Dispatcher): boolean {
  const state = dispatcher as { closed?: boolean; destroyed?: boolean };
  return !state.closed && !state.destroyed;
}

/**
 * The process-wide pool of a base URL (keyed by its origin). Every client of the same origin shares it,
 * so every postback of a Pulumi program shares one set of keep-alive connections. The connect timeout and
 * the proxy are fixed by the first client; the headers and body timeouts are applied per request.
 */
export function poolFor(
  baseUrl: string,
  timeouts: Required<TimeoutOptions>,
  connect: PoolConnectOptions = {},
): PoolEntry {
  const url = new URL(baseUrl);
  const origin = url.origin;
  let entry = pools.get(origin);
  if (entry && isOpen(entry.agent)) return entry;
  const stats: PoolStats = { origin, connectionsOpened: 0, disconnects: 0, connectionErrors: 0, requests: 0 };
  const proxy = proxyFor(url);
  const common = {
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
  };
  let agent: Dispatcher;
  if (proxy) {
    const tls = { timeout: timeouts.connectMs, ...connect };
    agent = new ProxyAgent({
      ...common,
      uri: proxy.uri,
      // The connection to the proxy, and the TLS session to Everflow inside the tunnel: each within the
      // connect timeout, as is the proxy's answer to CONNECT (the headers of the proxy's pool).
      proxyTls: tls,
      requestTls: tls,
      clientFactory: (proxyUrl, options) =>
        new Pool(proxyUrl, { ...options, headersTimeout: timeouts.connectMs }),
      // The pool of tunnelled connections to Everflow: counted like a direct pool's.
      factory: (poolOrigin, options) => {
        const pool = new Pool(poolOrigin, options as Pool.Options);
        count(pool, stats);
        return pool;
      },
    });
  } else {
    agent = new Agent({ ...common, connect: { timeout: timeouts.connectMs, ...connect } });
    count(agent, stats);
  }
  entry = { agent, stats, target: displayUrl(url), ...(proxy ? { proxy } : {}) };
  pools.set(origin, entry);
  return entry;
}

/** Count the connections a dispatcher opens, loses and fails to open. */
function count(dispatcher: Dispatcher, stats: PoolStats): void {
  dispatcher.on("connect", () => {
    stats.connectionsOpened += 1;
  });
  dispatcher.on("disconnect", () => {
    stats.disconnects += 1;
  });
  dispatcher.on("connectionError", () => {
    stats.connectionErrors += 1;
  });
}

/** Stats of every pool (a copy). */
export function poolStats(): PoolStats[] {
  return [...pools.values()].map((entry) => ({ ...entry.stats }));
}

/** Destroy every pool's agent and forget it (tests). */
export async function resetPools(): Promise<void> {
  const entries = [...pools.values()];
  pools.clear();
  await Promise.all(entries.map((entry) => entry.agent.destroy().catch(() => undefined)));
}
