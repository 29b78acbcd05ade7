// The request log: one entry per request that got a response (or a reset connection), recorded when the
// response is decided (before injected delays), so a test sees it as soon as the request was handled.
// It names the key by its label, never by the raw key.

import { ROUTES, type LogEntry } from "./types";

export class RequestLog {
  private list: LogEntry[] = [];

  add(entry: LogEntry): void {
    this.list.push(entry);
  }

  /** Copies of the entries, oldest first. */
  entries(): LogEntry[] {
    return this.list.map((e) => ({ ...e, faults: [...e.faults] }));
  }

  /** Requests per route: every known route (0 when none) and "unknown". */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const route of ROUTES) counts[route] = 0;
    counts.unknown = 0;
    for (const entry of this.list) counts[entry.route] = (counts[entry.route] ?? 0) + 1;
    return counts;
  }

  /** Requests to one route; "*" counts every request. */
  count(route: string): number {
    if (route === "*") return this.list.length;
    return this.list.filter((e) => e.route === route).length;
  }

  reset(): void {
    this.list = [];
  }
}
