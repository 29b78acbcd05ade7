// The sending rate of an adaptive limiter, after the CUBIC congestion window (RFC 9438) as the AWS SDKs'
// "adaptive" retry mode applies it to request rates: on a throttle the rate drops to `beta` times the
// rate it was sending at (`wMax`), then grows back along a cubic curve, slowly near `wMax` (where the
// last throttle happened) and faster beyond it, probing for capacity another client may have freed.
// Every client that shares a limit gets the same signals (429s) and cuts by the same factor, so their
// differences shrink by `beta` at every cut: they converge on equal shares.
//
//   rate(t) = scale * (t - lastCut - k)^3 + wMax,   k = cbrt(wMax * (1 - beta) / scale)
//
// (t in seconds; at t = lastCut the curve is beta * wMax, at lastCut + k it is back at wMax.)

// The defaults differ from AWS's (beta 0.7, scale 0.4), which were set for services taking hundreds or
// thousands of requests per second. At Everflow's 5/s, scale 0.4 regains a share within a second and
// then overshoots, so the clients sharing an account took turns being cut at random: simulated runs of
// three processes on one account finished up to 2.1x apart (test/unit/client/shared-account.ts). A
// scale proportional to the ceiling makes the recovery time independent of the configured rate
// (k = cbrt(25) = 2.9 s from a cut at the full rate, 2 s from a third of it); with beta 0.5 the
// differences between clients halve at every cut. Simulated three-process runs then finish within
// 1.35x of each other and within 5% of the account's floor, with 40% fewer 429s.
const DEFAULT_BETA = 0.5;
const DEFAULT_SCALE_PER_RATE = 1 / 50;

export interface CubicOptions {
  /** The highest rate (requests/s): the documented limit. The rate starts there. */
  ceiling: number;
  /** The lowest rate a cut can reach. Default ceiling / 10. */
  floor?: number;
  /** Multiplicative decrease. Default 0.5. */
  beta?: number;
  /** Growth constant, requests/s per s^3. Default ceiling / 50. */
  scale?: number;
}

export class CubicRate {
  readonly ceiling: number;
  readonly floor: number;
  readonly beta: number;
  readonly scale: number;
  private wMax: number;
  private k = 0;
  /** Time of the last cut (ms); undefined until the first one: the rate is the ceiling. */
  private lastCut: number | undefined;

  constructor(options: CubicOptions) {
    this.ceiling = options.ceiling;
    this.floor = options.floor ?? options.ceiling / 10;
    this.beta = options.beta ?? DEFAULT_BETA;
    this.scale = options.scale ?? options.ceiling * DEFAULT_SCALE_PER_RATE;
    if (!(this.ceiling > 0) || !Number.isFinite(this.ceiling)) throw new RangeError("ceiling must be > 0");
    if (!(this.floor > 0 && this.floor <= this.ceiling))
      throw new RangeError("floor must be in (0, ceiling]");
    if (!(this.beta > 0 && this.beta < 1)) throw new RangeError("beta must be in (0, 1)");
    if (!(this.scale > 0)) throw new RangeError("scale must be > 0");
    this.wMax = this.ceiling;
  }

  /** The rate allowed at `nowMs`. */
  rate(nowMs: number): number {
    if (this.lastCut === undefined) return this.ceiling;
    const t = Math.max(0, nowMs - this.lastCut) / 1000 - this.k;
    return clamp(this.scale * t ** 3 + this.wMax, this.floor, this.ceiling);
  }

  /** When the last cut happened (ms), if any. */
  get lastCutAt(): number | undefined {
    return this.lastCut;
  }

  /** A throttle at `nowMs` while sending at `sendingRate`: remember it as wMax and drop to beta times it. */
  cut(nowMs: number, sendingRate: number = this.rate(nowMs)): number {
    this.wMax = clamp(sendingRate, this.floor, this.ceiling);
    this.k = Math.cbrt((this.wMax * (1 - this.beta)) / this.scale);
    this.lastCut = nowMs;
    return this.rate(nowMs);
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
