// Which base URLs a client accepts. The API key travels in a header of every request, so plain http is
// allowed only where the bytes never leave the machine: loopback (the emulator, a local tunnel).

import { BlockList, isIP } from "node:net";
import { redactString } from "./redact";

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/**
 * True for a host whose traffic cannot leave the machine: `localhost` (with or without the root's
 * trailing dot), 127.0.0.0/8 and ::1, in any spelling the URL parser normalises to these (`127.1`,
 * `0x7f000001`, `[0:0:0:0:0:0:0:1]`, IPv4-mapped `[::ffff:127.0.0.1]`). Names under `.localhost` are not
 * counted: whether they resolve to loopback is up to the resolver, which may ask a DNS server.
 * `0.0.0.0` is not counted either: it is "any address", not loopback.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (host === "localhost" || host === "localhost.") return true;
  const family = isIP(host);
  if (family === 0) return false;
  return loopback.check(host, family === 4 ? "ipv4" : "ipv6");
}

/** The URL as a user may read it: without a username or password (never printed). */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}${url.search}`;
}

/**
 * The base URL without trailing slashes, or a TypeError saying why it is refused: not a URL, not
 * http(s), or plain http to a host that is not loopback (the API key would cross the network in clear).
 */
export function checkBaseUrl(raw: string, apiKey: string): string {
  const baseUrl = raw.replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`EverflowClient: baseUrl is not a URL: ${redactString(baseUrl, [apiKey])}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError("EverflowClient: baseUrl must be an http(s) URL");
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new TypeError(
      `EverflowClient: baseUrl ${redactString(displayUrl(url), [apiKey])} would send the API key unencrypted; ` +
        "use https:// (plain http is allowed only for loopback: localhost, 127.0.0.0/8, ::1)",
    );
  }
  return baseUrl;
}
