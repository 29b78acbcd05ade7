import type { Pixel } from "./client";

/** What the reader needs of an account's client. */
export interface PixelSource {
  list(): Promise<Pixel[]>;
  /** Resolves undefined when the pixel does not exist (or is not this affiliate's). */
  find(id: number): Promise<Pixel | undefined>;
}

export interface PixelReaderOptions {
  /** How long reads wait for company before the batch goes out. */
  windowMs?: number;
  /** How long one listing serves later reads, unless a write through this process invalidates it. */
  snapshotTtlMs?: number;
  now?: () => number;
}

interface Waiter {
  id: number;
  resolve: (pixel: Pixel | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Serves the reads of a refresh with as few API calls as possible. The engine reads every postback at
 * once (8 at a time on 2 cores); one GET each would cost 100 s for 500 postbacks at 5 requests/s. Reads
 * that arrive together share one listing of the account, and that listing serves the reads that follow
 * until it ages out or this process writes. A lone read is a single GET.
 *
 * A postback is gone only when two answers agree: a successful listing lacks it and a GET of it is a
 * 404. One alone is too weak to drop a postback from state (a base URL without /v1 answers 404 to
 * every GET; a listing can be older than a create).
 */
export class PixelReader {
  private pending: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private snapshot: { at: number; pixels: Promise<Map<number, Pixel>> } | undefined;
  private readonly windowMs: number;
  private readonly snapshotTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly source: PixelSource,
    options: PixelReaderOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 25;
    this.snapshotTtlMs = options.snapshotTtlMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  async read(id: number): Promise<Pixel | undefined> {
    const snapshot = this.snapshot;
    if (snapshot && this.now() - snapshot.at < this.snapshotTtlMs) {
      // Absent from the listing: ask for it directly, which settles it.
      return (await snapshot.pixels).get(id) ?? this.source.find(id);
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ id, resolve, reject });
      this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  /** Called after every write: a listing taken before it no longer tells the truth. */
  invalidate(): void {
    this.snapshot = undefined;
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
    const pixels = this.source.list().then((list) => new Map(list.map((p) => [p.network_pixel_id, p])));
    const snapshot = { at: this.now(), pixels };
    this.snapshot = snapshot;
    pixels.then(
      (byId) =>
        batch.forEach((w) =>
          byId.has(w.id) ? w.resolve(byId.get(w.id)) : this.source.find(w.id).then(w.resolve, w.reject),
        ),
      (error) => {
        if (this.snapshot === snapshot) this.snapshot = undefined;
        batch.forEach((w) => w.reject(error));
      },
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
