// Scripted faults and latency, settable at runtime. A fault targets one route name or "*" (every
// request, unknown routes included) and fires for the next N matching requests; faults of one kind are
// consumed in the order they were added.
//
// Where they act (see server.ts): requests that fail authentication (401), are rate limited (429) or
// are out of realm (403) never consume a scripted fault. `fail` replaces the response; `reset`,
// `malformed` and `slow` act after the route has run (a write is applied first).

import { ROUTES, type LoggedRoute, type RouteTarget } from "./types";

interface Scripted {
  route: RouteTarget;
  remaining: number;
}
interface FailFault extends Scripted {
  status: number;
  message: string;
}
interface SlowFault extends Scripted {
  delayMs: number;
}
export interface Latency {
  fixedMs: number;
  jitterMs: number;
}

/** The faults that apply to one request, taken (consumed) together. */
export interface RequestFaults {
  fail?: { status: number; message: string };
  reset: boolean;
  malformed: boolean;
  slowMs: number;
}

function checkRoute(route: string): RouteTarget {
  if (route === "*" || (ROUTES as readonly string[]).includes(route)) return route as RouteTarget;
  throw new Error(
    `emulator faults: unknown route ${JSON.stringify(route)}; use "*" or one of ${ROUTES.join(", ")}`,
  );
}
function checkCount(n: number): number {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`emulator faults: count must be an integer >= 0, got ${n}`);
  return n;
}
function checkMs(ms: number, what: string): number {
  if (!Number.isFinite(ms) || ms < 0)
    throw new RangeError(`emulator faults: ${what} must be >= 0, got ${ms}`);
  return ms;
}

function matches(target: RouteTarget, route: LoggedRoute): boolean {
  return target === "*" || target === route;
}

function takeFrom<T extends Scripted>(list: T[], route: LoggedRoute): T | undefined {
  const found = list.find((f) => f.remaining > 0 && matches(f.route, route));
  if (found) found.remaining -= 1;
  return found;
}

export class Faults {
  private fails: FailFault[] = [];
  private resets: Scripted[] = [];
  private malformeds: Scripted[] = [];
  private slows: SlowFault[] = [];
  private latencies = new Map<RouteTarget, Latency>();

  /** @param baseLatency latency for "*" from the start options; `clear()` returns to it. */
  constructor(private readonly baseLatency: Latency = { fixedMs: 0, jitterMs: 0 }) {
    this.clear();
  }

  failNext(route: string, n: number, status: number, message?: string): void {
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new RangeError(`emulator faults: status must be an HTTP status (100-599), got ${status}`);
    }
    this.fails.push({
      route: checkRoute(route),
      remaining: checkCount(n),
      status,
      message: message ?? `Injected fault: status ${status}`,
    });
  }

  resetAfterWrite(route: string, n: number): void {
    this.resets.push({ route: checkRoute(route), remaining: checkCount(n) });
  }

  malformedJson(route: string, n: number): void {
    this.malformeds.push({ route: checkRoute(route), remaining: checkCount(n) });
  }

  slow(route: string, n: number, delayMs: number): void {
    this.slows.push({
      route: checkRoute(route),
      remaining: checkCount(n),
      delayMs: checkMs(delayMs, "delayMs"),
    });
  }

  /** Latency of a route (or "*"): fixed plus a uniform random jitter. A route's own setting overrides "*". */
  latency(route: string, fixedMs: number, jitterMs = 0): void {
    this.latencies.set(checkRoute(route), {
      fixedMs: checkMs(fixedMs, "fixedMs"),
      jitterMs: checkMs(jitterMs, "jitterMs"),
    });
  }

  /** Remove every scripted fault and per-route latency; "*" latency returns to the start option. */
  clear(): void {
    this.fails = [];
    this.resets = [];
    this.malformeds = [];
    this.slows = [];
    this.latencies = new Map([["*", { ...this.baseLatency }]]);
  }

  /** Take a `fail` fault for this request, if one is pending. */
  takeFail(route: LoggedRoute): { status: number; message: string } | undefined {
    const fault = takeFrom(this.fails, route);
    return fault ? { status: fault.status, message: fault.message } : undefined;
  }

  /** Take the post-route faults (reset, malformed, slow) for this request. */
  takeAfter(route: LoggedRoute): RequestFaults {
    return {
      reset: takeFrom(this.resets, route) !== undefined,
      malformed: takeFrom(this.malformeds, route) !== undefined,
      slowMs: takeFrom(this.slows, route)?.delayMs ?? 0,
    };
  }

  /** The latency to add to this request's response, in ms. */
  latencyFor(route: LoggedRoute): number {
    const own = route === "unknown" ? undefined : this.latencies.get(route);
    const latency = own ?? this.latencies.get("*");
    if (!latency) return 0;
    return latency.fixedMs + (latency.jitterMs > 0 ? Math.random() * latency.jitterMs : 0);
  }
}
