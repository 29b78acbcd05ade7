// Token bucket per network, shared by every key of the network (the reference: the quota is counted for
// the whole customer account). Tokens refill continuously at `rate` per second up to `burst`.
// `X-RateLimit-Limit` reports the bucket size (burst), `X-RateLimit-Remaining` the whole tokens left.

export interface RateLimitConfig {
  rate: number;
  burst: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { rate: 5, burst: 20 };

export function checkRateLimitConfig(rate: number, burst: number): void {
  if (!Number.isFinite(rate) || rate <= 0) throw new RangeError(`rate limit: rate must be > 0, got ${rate}`);
  if (!Number.isInteger(burst) || burst < 1) {
    throw new RangeError(`rate limit: burst must be an integer >= 1, got ${burst}`);
  }
}

interface Bucket {
  tokens: number;
  lastMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<number, Bucket>();
  private config: RateLimitConfig;

  constructor(
    private readonly nowMs: () => number,
    config: RateLimitConfig = DEFAULT_RATE_LIMIT,
  ) {
    checkRateLimitConfig(config.rate, config.burst);
    this.config = { ...config };
  }

  get limit(): number {
    return this.config.burst;
  }

  /** Change the limits. Every bucket starts again full, so a raised limit takes effect at once. */
  set(rate: number, burst: number): void {
    checkRateLimitConfig(rate, burst);
    this.config = { rate, burst };
    this.buckets.clear();
  }

  private refill(networkId: number): Bucket {
    const now = this.nowMs();
    let bucket = this.buckets.get(networkId);
    if (!bucket) {
      bucket = { tokens: this.config.burst, lastMs: now };
      this.buckets.set(networkId, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.lastMs);
    // A tiny epsilon absorbs floating-point error (0.2 s * 5/s must give exactly one token).
    if (elapsed > 0) {
      bucket.tokens = Math.min(this.config.burst, bucket.tokens + (elapsed * this.config.rate) / 1000 + 1e-9);
    }
    bucket.lastMs = Math.max(bucket.lastMs, now);
    return bucket;
  }

  /** Take one token for a request of `networkId`. */
  take(networkId: number): RateDecision {
    const bucket = this.refill(networkId);
    if (bucket.tokens < 1) return { allowed: false, limit: this.config.burst, remaining: 0 };
    bucket.tokens -= 1;
    return { allowed: true, limit: this.config.burst, remaining: Math.floor(bucket.tokens) };
  }

  /** The state of a bucket without taking a token; an unknown network shows a full bucket. */
  peek(networkId: number | null): RateDecision {
    if (networkId === null) return { allowed: true, limit: this.config.burst, remaining: this.config.burst };
    const bucket = this.refill(networkId);
    return { allowed: bucket.tokens >= 1, limit: this.config.burst, remaining: Math.floor(bucket.tokens) };
  }
}
