// Which proxy, if any, carries the requests of a base URL: HTTPS_PROXY / HTTP_PROXY / NO_PROXY and their
// lower-case forms, read as undici's EnvHttpProxyAgent reads them (the lower-case form first; an https
// URL falls back to HTTP_PROXY; NO_PROXY entries match a host and its subdomains, `*` matches all,
// `host:port` only that port), with one addition: loopback is never proxied, as Go's net/http (and so
// the Pulumi CLI) decides. A proxy cannot reach this machine's loopback (its own is another), and a
// user running the emulator behind a corporate proxy expects it to just work.
//
// Why not EnvHttpProxyAgent itself: it does not say which proxy it chose, and a failure must name it;
// the pool (pool.ts) hands the choice to undici's ProxyAgent.

import { isLoopbackHost } from "./base-url";

export interface ProxyRoute {
  /** The proxy URL as configured, credentials included: for undici only, never printed. */
  uri: string;
  /** The proxy's origin (scheme, host, port): what messages name. Never holds credentials. */
  origin: string;
  /** The variable it came from (`HTTPS_PROXY`, `https_proxy`, ...), so that a message says what to fix. */
  variable: string;
  /** The proxy's password and Basic token, to redact wherever they could show. */
  secrets: string[];
}

type Env = Record<string, string | undefined>;

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };

/** The first of `names` that is set (an empty value counts as set: it turns the proxy off). */
function firstSet(env: Env, names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) return { name, value };
  }
  return undefined;
}

/** The proxy for requests to `target`, or undefined for a direct connection. */
export function proxyFor(target: URL, env: Env = process.env): ProxyRoute | undefined {
  if (isLoopbackHost(target.hostname)) return undefined;
  const http = firstSet(env, ["http_proxy", "HTTP_PROXY"]);
  const chosen =
    target.protocol === "https:" ? (firstSet(env, ["https_proxy", "HTTPS_PROXY"]) ?? http) : http;
  if (!chosen || chosen.value.trim() === "") return undefined;
  if (bypassed(target, env)) return undefined;
  return parseProxy(chosen.name, chosen.value.trim());
}

/** NO_PROXY (or no_proxy) lists the host of `target`. */
function bypassed(target: URL, env: Env): boolean {
  const noProxy = firstSet(env, ["no_proxy", "NO_PROXY"])?.value ?? "";
  const entries = noProxy.split(/[,\s]/).filter((entry) => entry !== "");
  if (entries.length === 0) return false;
  if (noProxy.trim() === "*") return true;
  // `host` keeps the brackets of an IPv6 address; strip only the port.
  const hostname = target.host.replace(/:\d*$/, "").toLowerCase();
  const port = Number.parseInt(target.port, 10) || DEFAULT_PORTS[target.protocol] || 0;
  return entries.some((entry) => {
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const host = (parsed?.[1] ?? entry).replace(/^\*?\./, "").toLowerCase();
    const entryPort = parsed?.[2] ? Number.parseInt(parsed[2], 10) : 0;
    if (entryPort && entryPort !== port) return false;
    return hostname === host || hostname.endsWith(`.${host}`);
  });
}

/** A proxy URL without its credentials, for a message about a value that does not parse. */
function withoutUserinfo(value: string): string {
  return value.replace(/^([a-z][a-z\d+.-]*:\/\/)?[^@/]*@/i, "$1");
}

function parseProxy(variable: string, value: string): ProxyRoute {
  // `proxy.corp:3128` without a scheme means http, as curl reads it.
  const withScheme = /^[a-z][a-z\d+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    url = new URL("invalid:"); // reported below
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
    throw new TypeError(
      `EverflowClient: ${variable} is not an http(s) proxy URL (expected http://host:port): ${withoutUserinfo(value)}`,
    );
  }
  // The password and the Basic token undici builds from it. Not the user name: messages never print it
  // (they name the origin only), and redacting a common word would garble them.
  const user = decoded(url.username);
  const password = decoded(url.password);
  const secrets = [url.password, password].filter((s) => s !== "");
  if (password) secrets.push(Buffer.from(`${user}:${password}`).toString("base64"));
  return { uri: url.href, origin: url.origin, variable, secrets };
}

function decoded(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

/**
 * The status a proxy answered to CONNECT when it refused the tunnel, from undici's error
 * (`Proxy response (407) !== 200 when HTTP Tunneling`, its only record of it), else undefined.
 */
export function tunnelRefusal(err: unknown): number | undefined {
  const message = (err as { message?: unknown } | null | undefined)?.message;
  if (typeof message !== "string") return undefined;
  const match = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/.exec(message);
  return match?.[1] ? Number(match[1]) : undefined;
}
