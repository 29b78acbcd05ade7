// Client-side rate limiting: a token bucket per Everflow account per process, so that a run of many
// operations stays under the account's limit (5 requests/s, burst 20) instead of discovering it with
// 429s. Every request attempt (first tries and retries alike) takes a token, and reports back when it
// ends (`Permit.done`).
//
// The limit belongs to the account, not to the process: several processes (stacks deployed in parallel,
// another tool) share it, and each one alone would send at the full rate. So the bucket is adaptive, as
// in the AWS SDKs' "adaptive" retry mode: it starts at the documented rate and burst (a process alone is
// never slowed), and on a 429 its fill rate drops to half of what it was, then climbs back along a
// cubic curve (cubic.ts). Processes sharing the account get the same kind of signal and cut by the same
// factor, so they converge on equal shares whose sum is the account's rate. Its capacity (the burst it
// may send after an idle spell) shrinks in proportion to the rate, so that the shares' bursts together
// fit the account's burst. Only one cut per round of requests: a 429 answering a request sent before
// the last cut is the same congestion, already acted on.
//
// Two refinements keep the local bucket behind the server's, so that no request arrives early:
// - Anchoring. A full server bucket does not gain tokens while it is full: it starts refilling only once
//   it has *processed* the first request of a burst, later than the client sent it (connection set-up,
//   TLS, latency, a busy server). So when a request is taken from a (nearly) full bucket, the local
//   bucket stops refilling until the first response to that burst arrives, which the server sent after
//   processing at least one of its requests (or until every request of it ended without an answer, or
//   `anchorTimeoutMs`). From then on each local refill happens at or after the server's, whatever the
//   latency of later requests; the burst's requests still on the wire spend server tokens the local
//   bucket has already taken. (It used to wait for the whole burst to end, which cost a second of
//   refill at the start of every run.)
// - Listening. `X-RateLimit-Remaining` caps the local token count (other processes and keys share the
//   account); when it reaches 0 the bucket keeps only its partial token, i.e. the next request waits
//   for the next refill; a 429 empties it; a `Retry-After` pauses it.

import { createHash } from "node:crypto";
import { CubicRate } from "./cubic";

export interface RateLimitOptions {
  /** Sustained requests per second. Default 5. */
  rate?: number;
  /** Bucket size (requests that may be sent at once after an idle period). Default 20. */
  burst?: number;
  /** Time source, injectable for tests. Default: the process's monotonic clock and setTimeout. */
  clock?: LimiterClock;
  /** Longest wait for a burst to end before refilling resumes anyway. Default 2000 ms. */
  anchorTimeoutMs?: number;
  /** Adapt the rate to throttles (see above). Default true; false keeps a fixed rate and burst. */
  adaptive?: boolean;
  /** The lowest rate a throttle can bring the bucket to. Default rate / 10. */
  minRate?: number;
}

export const DEFAULT_RATE_LIMIT = { rate: 5, burst: 20 } as const;

export interface LimiterClock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Resolve after `ms` milliseconds of this clock, or as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: LimiterClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/** One request attempt's token. `done` reports how the attempt ended; call it once. */
export interface Permit {
  /** The response's status and X-RateLimit-Remaining; nothing for a failure without a response. */
  done(status?: number, remaining?: number): void;
}

/** What a waiter needs of a cancellation (cancel.ts's Cancellation). */
export interface CancelScope {
  onCancel(callback: () => void): () => void;
}

/** The permit of a wait given up on cancel: no token was taken, so there is nothing to report. */
const NO_TOKEN: Permit = { done: () => undefined };

export interface LimiterStats {
  /** The configured (highest) rate and burst. */
  rate: number;
  burst: number;
  /** The adaptive rate and capacity now (the configured ones until the first throttle). */
  currentRate: number;
  currentCapacity: number;
  /** Rate cuts made on throttles. */
  cuts: number;
  /** Tokens handed out (request attempts let through). */
  acquired: number;
  /** Acquisitions that had to wait for a token. */
  waited: number;
  /** Times the local tokens were cut because the server reported 0 remaining. */
  drainedByServer: number;
  /** 429 responses observed. */
  rateLimited: number;
  /** Requests currently waiting for a token. */
  queued: number;
}

interface Anchor {
  since: number;
  /** Requests of the burst still running. */
  running: number;
}

export class TokenBucket {
  readonly rate: number;
  readonly burst: number;
  private readonly clock: LimiterClock;
  private readonly anchorTimeoutMs: number;
  private tokens: number;
  /** Refill reference time. */
  private last: number;
  /** Set from a burst taken from a (nearly) full bucket until its first answer: no refill meanwhile. */
  private anchor: Anchor | undefined;
  private pausedUntil = 0;
  private readonly queue: ((permit: Permit) => void)[] = [];
  /** The armed wake-up (due time and its canceller); a newer, earlier one replaces it. */
  private timer: { due: number; cancel: AbortController } | undefined;
  private readonly counters = { acquired: 0, waited: 0, drainedByServer: 0, rateLimited: 0, cuts: 0 };
  /** The fill rate over time; absent when the bucket is not adaptive. */
  private readonly cubic: CubicRate | undefined;

  constructor(options: RateLimitOptions = {}) {
    this.rate = options.rate ?? DEFAULT_RATE_LIMIT.rate;
    this.burst = options.burst ?? DEFAULT_RATE_LIMIT.burst;
    if (!(this.rate > 0) || !Number.isFinite(this.rate)) throw new RangeError("rateLimit.rate must be > 0");
    if (!(this.burst >= 1) || !Number.isFinite(this.burst))
      throw new RangeError("rateLimit.burst must be >= 1");
    this.clock = options.clock ?? systemClock;
    this.anchorTimeoutMs = options.anchorTimeoutMs ?? 2000;
    this.cubic =
      options.adaptive === false
        ? undefined
        : new CubicRate({ ceiling: this.rate, ...(options.minRate ? { floor: options.minRate } : {}) });
    this.tokens = this.burst;
    this.last = this.clock.now();
  }

  /** The fill rate at `now` (requests/s). */
  private fillRate(now: number): number {
    return this.cubic ? this.cubic.rate(now) : this.rate;
  }

  /** The bucket's size at `now`: the burst, scaled down with the rate after a throttle (at least 1). */
  private capacity(now: number): number {
    return Math.max(1, (this.burst * this.fillRate(now)) / this.rate);
  }

  /**
   * Resolves with a permit when the caller may send one request. FIFO. When `cancel` is cancelled while
   * the caller waits, it leaves the queue at once and gets a permit that holds no token (its caller
   * sends nothing): a cancelled run neither spends the account's tokens nor waits for them.
   */
  acquire(cancel?: CancelScope): Promise<Permit> {
    if (this.queue.length === 0) {
      const permit = this.tryTake();
      if (permit) return Promise.resolve(permit);
    }
    this.counters.waited++;
    return new Promise<Permit>((resolve) => {
      // Registered after the waiter is queued: a scope already cancelled calls back at once.
      const registration: { unregister?: () => void } = {};
      const waiter = (permit: Permit): void => {
        registration.unregister?.();
        resolve(permit);
      };
      this.queue.push(waiter);
      registration.unregister = cancel?.onCancel(() => {
        const at = this.queue.indexOf(waiter);
        if (at < 0) return;
        this.queue.splice(at, 1);
        resolve(NO_TOKEN);
        this.pump();
      });
      this.pump();
    });
  }

  /**
   * Feed back what a response says about the server's bucket: `X-RateLimit-Remaining` caps the local
   * tokens (0 leaves only the partial token: the next request waits for the next refill); a 429
   * empties the bucket and cuts its rate.
   */
  observe(status: number | undefined, remaining: number | undefined, sentAt?: number): void {
    this.refill();
    if (remaining !== undefined && Number.isFinite(remaining) && remaining >= 0) {
      const whole = Math.floor(remaining);
      const partial = this.tokens - Math.floor(this.tokens);
      if (this.tokens >= whole + 1) {
        if (whole === 0) this.counters.drainedByServer++;
        this.tokens = whole + partial;
      }
    }
    if (status === 429) {
      this.counters.rateLimited++;
      this.tokens = Math.min(this.tokens, 0);
      this.throttled(sentAt);
    }
    this.pump();
  }

  /**
   * Cut the rate, unless the throttled request was sent before the last cut (its 429 belongs to the
   * congestion that cut answered; cutting for each of a round's 429s would collapse the rate).
   */
  private throttled(sentAt: number | undefined): void {
    const cubic = this.cubic;
    if (!cubic) return;
    const lastCut = cubic.lastCutAt;
    if (lastCut !== undefined && sentAt !== undefined && sentAt < lastCut) return;
    const now = this.clock.now();
    cubic.cut(now);
    this.counters.cuts++;
    this.tokens = Math.min(this.tokens, this.capacity(now));
  }

  /** Hold every request for `ms` (a `Retry-After`), and empty the bucket. */
  pause(ms: number): void {
    if (!(ms > 0)) return;
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
    this.pump();
  }

  /** Tokens available now (fractional). */
  available(): number {
    this.refill();
    return this.clock.now() < this.pausedUntil ? 0 : this.tokens;
  }

  stats(): LimiterStats {
    const now = this.clock.now();
    return {
      rate: this.rate,
      burst: this.burst,
      currentRate: this.fillRate(now),
      currentCapacity: this.capacity(now),
      ...this.counters,
      queued: this.queue.length,
    };
  }

  private refill(): void {
    const now = this.clock.now();
    if (this.anchor) {
      // No refill while the burst runs (up to the anchor timeout).
      if (now - this.anchor.since < this.anchorTimeoutMs) return;
      this.last = this.anchor.since + this.anchorTimeoutMs;
      this.anchor = undefined;
    }
    if (now > this.last) {
      // The rate may have grown since `last`: the mean of both ends (the curve is smooth and slow).
      const rate = (this.fillRate(this.last) + this.fillRate(now)) / 2;
      this.tokens = Math.min(this.capacity(now), this.tokens + ((now - this.last) * rate) / 1000);
      this.last = now;
    }
  }

  private tryTake(): Permit | undefined {
    this.refill();
    if (this.clock.now() < this.pausedUntil || this.tokens < 1) return undefined;
    const sentAt = this.clock.now();
    // Taken from a (nearly) full bucket: a new burst, anchored until all of it has ended.
    if (!this.anchor && this.tokens > this.capacity(sentAt) - 1) this.anchor = { since: sentAt, running: 0 };
    const anchor = this.anchor;
    if (anchor) anchor.running++;
    this.tokens -= 1;
    this.counters.acquired++;
    let ended = false;
    return {
      done: (status, remaining) => {
        if (ended) return;
        ended = true;
        if (anchor) anchor.running--;
        if (anchor && this.anchor === anchor && (status !== undefined || anchor.running <= 0)) {
          // An answer: the server has processed a request of the burst and refills from then on (or
          // the burst ended without any answer).
          this.anchor = undefined;
          this.last = Math.max(this.last, this.clock.now());
        }
        this.observe(status, remaining, sentAt);
      },
    };
  }

  /** Hand tokens to waiters; if some remain, arm a wake-up for when the next token is due. */
  private pump(): void {
    while (this.queue.length > 0) {
      const permit = this.tryTake();
      if (!permit) break;
      this.queue.shift()?.(permit);
    }
    if (this.queue.length === 0) {
      this.timer?.cancel.abort();
      this.timer = undefined;
      return;
    }
    const now = this.clock.now();
    const refillFrom = this.anchor ? this.anchor.since + this.anchorTimeoutMs - now : 0;
    const untilToken = refillFrom + ((1 - this.tokens) * 1000) / this.fillRate(now);
    const wait = Math.ceil(Math.max(untilToken, this.pausedUntil - now, 0));
    const due = now + wait;
    if (this.timer && this.timer.due <= due) return; // an earlier wake-up is armed; it re-arms if needed
    this.timer?.cancel.abort();
    const timer = { due, cancel: new AbortController() };
    this.timer = timer;
    void this.clock.sleep(wait, timer.cancel.signal).then(() => {
      if (this.timer !== timer) return; // superseded (its sleep was cut short)
      this.timer = undefined;
      this.pump();
    });
  }
}

/** Read `X-RateLimit-Remaining` from undici's header object. */
export function rateLimitRemaining(
  headers: Record<string, string | string[] | undefined>,
): number | undefined {
  const raw = headers["x-ratelimit-remaining"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Registry: one bucket per API origin per process.

const limiters = new Map<string, TokenBucket>();

/**
 * The registry key of an account: the base URL and a SHA-256 of the API key (never the key itself), so
 * that the key cannot leak through the registry, a heap dump of the map keys, or a log of them.
 */
export function accountKey(baseUrl: string, apiKey: string): string {
  const digest = createHash("sha256").update(apiKey, "utf8").digest("hex");
  return `${baseUrl.replace(/\/+$/, "")}#${digest}`;
}

/**
 * The bucket shared by every key of one base URL. Everflow counts its limit per customer account, for
 * every key of it, and a key does not tell which account it belongs to: sharing one bucket per base URL
 * is the conservative choice that cannot exceed any account's limit. The first client to touch a base
 * URL configures its bucket; later ones share it as is.
 */
export function limiterFor(baseUrl: string, options: RateLimitOptions = {}): TokenBucket {
  const key = baseUrl.replace(/\/+$/, "");
  let bucket = limiters.get(key);
  if (!bucket) {
    bucket = new TokenBucket(options);
    limiters.set(key, bucket);
  }
  return bucket;
}

/** Forget every bucket (tests). Requests waiting on a forgotten bucket still complete. */
export function resetLimiters(): void {
  limiters.clear();
}

/** Registry keys (base URL + key hash) and stats of every bucket. */
export function limiterRegistryStats(): { baseUrl: string; stats: LimiterStats }[] {
  return [...limiters.entries()].map(([baseUrl, bucket]) => ({ baseUrl, stats: bucket.stats() }));
}
