import type { Pixel } from "../client";

/** What the reader needs of an account's client. */
export interface PixelSource {
  list(): Promise<Pixel[]>;
  /** Resolves undefined when the pixel does not exist (or is not this affiliate's). */
  find(id: number): Promise<Pixel | undefined>;
}

export interface PixelReaderOptions {
  /** How long reads wait for company before the batch goes out. */
  windowMs?: number;
  /**
   * How long one listing serves later reads and the bases of writes. Writes through this process keep
   * it current; this bounds how old a hand edit it misses can be. Default: no bound, the whole run.
   */
  snapshotTtlMs?: number | undefined;
  now?: () => number;
}

/**
 * How long an account's listing serves reads and write bases by default: the whole run (the provider
 * process lives for one `pulumi` command), so N writes cost N + 1 requests. Everflow has no conditional
 * writes: a hand edit made after the listing, to a field the program does not change, is overwritten
 * by a write based on it. Re-listing would narrow that window, not close it (a write based on a listing
 * a second old can still overwrite an edit made in that second), and it costs a request per interval
 * at 5 requests/s; `everflow:listingMaxAgeSeconds` sets a bound for who wants one.
 */
export const DEFAULT_LISTING_MAX_AGE_MS = Number.POSITIVE_INFINITY;

interface Snapshot {
  at: number;
  pixels: Promise<Map<number, Pixel>>;
}

interface Waiter {
  id: number;
  resolve: (pixel: Pixel | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Serves the reads of a refresh with as few API calls as possible. The engine reads every postback at
 * once (8 at a time on 2 cores); one GET each would cost 100 s for 500 postbacks at 5 requests/s. Reads
 * that arrive together share one listing of the account, and that listing serves the reads and write
 * bases that follow until it ages out; each write's answer is applied to it. A lone read is a single GET.
 *
 * A postback is gone only when two answers agree: a successful listing lacks it and a GET of it is a
 * 404. One alone is too weak to drop a postback from state (a base URL without /v1 answers 404 to
 * every GET; a listing can be older than a create).
 */
export class PixelReader {
  private pending: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private snapshot: Snapshot | undefined;
  private readonly windowMs: number;
  private readonly snapshotTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly source: PixelSource,
    options: PixelReaderOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 25;
    this.snapshotTtlMs = options.snapshotTtlMs ?? DEFAULT_LISTING_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  async read(id: number): Promise<Pixel | undefined> {
    const snapshot = this.fresh();
    if (snapshot) {
      // Absent from the listing: ask for it directly, which settles it.
      return (await snapshot.pixels).get(id) ?? this.source.find(id);
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ id, resolve, reject });
      // The window only tells a lone read (one GET) from a batch (one listing): a second read settles
      // it, and the reads still to come find the listing this one starts.
      if (this.pending.length > 1) {
        clearTimeout(this.timer);
        this.flush();
      } else {
        this.timer = setTimeout(() => this.flush(), this.windowMs);
      }
    });
  }

  /**
   * The live postback a full-replacement write is based on: from the account's listing (one per account
   * and run, shared by every write and read; taken again only once older than a configured bound); a GET
   * only when the listing lacks the postback. Undefined when the listing lacks it and the GET says 404.
   */
  async base(id: number): Promise<Pixel | undefined> {
    const snapshot = this.fresh() ?? this.list();
    return (await snapshot.pixels).get(id) ?? this.source.find(id);
  }

  /** The account's listing this run shares (taken now if none is fresh): e.g. to learn whose key it is. */
  async listing(): Promise<Pixel[]> {
    const snapshot = this.fresh() ?? this.list();
    return [...(await snapshot.pixels).values()];
  }

  /** A write's answer: the listing now holds it, so the next write or read needs no request. */
  written(pixel: Pixel): void {
    void this.snapshot?.pixels.then(
      (byId) => byId.set(pixel.network_pixel_id, pixel),
      () => undefined,
    );
  }

  /** After a write that failed: what the listing holds of this postback may no longer be true. */
  forget(id: number): void {
    void this.snapshot?.pixels.then(
      (byId) => byId.delete(id),
      () => undefined,
    );
  }

  /** Drop the whole listing (tests, and a caller that knows it is wrong). */
  invalidate(): void {
    this.snapshot = undefined;
  }

  private fresh(): Snapshot | undefined {
    const snapshot = this.snapshot;
    return snapshot && this.now() - snapshot.at < this.snapshotTtlMs ? snapshot : undefined;
  }

  private list(): Snapshot {
    const pixels = this.source.list().then((list) => new Map(list.map((p) => [p.network_pixel_id, p])));
    const snapshot = { at: this.now(), pixels };
    this.snapshot = snapshot;
    pixels.catch(() => {
      if (this.snapshot === snapshot) this.snapshot = undefined;
    });
    return snapshot;
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.timer = undefined;
    if (batch.length === 1) {
      const [only] = batch as [Waiter];
      this.findConfirmed(only.id).then(only.resolve, only.reject);
      return;
    }
    this.list().pixels.then(
      (byId) =>
        batch.forEach((w) =>
          byId.has(w.id) ? w.resolve(byId.get(w.id)) : this.source.find(w.id).then(w.resolve, w.reject),
        ),
      (error) => batch.forEach((w) => w.reject(error)),
    );
  }

  /** A GET, and when it says 404, a listing to agree before the postback counts as gone. */
  private async findConfirmed(id: number): Promise<Pixel | undefined> {
    const found = await this.source.find(id);
    if (found) return found;
    const listed = (await this.source.list()).find((p) => p.network_pixel_id === id);
    return listed;
  }
}
