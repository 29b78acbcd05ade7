import type { Pixel } from "../../../provider/client";
import { DEFAULT_LISTING_MAX_AGE_MS, PixelReader, PixelSource } from "../../../provider/core/pixel-reader";

const pixel = (id: number) => ({ network_pixel_id: id }) as Pixel;

function source(ids: number[]) {
  const calls = { list: 0, find: [] as number[] };
  const existing = new Set(ids);
  const s: PixelSource = {
    list: async () => {
      calls.list++;
      return [...existing].map(pixel);
    },
    find: async (id) => {
      calls.find.push(id);
      return existing.has(id) ? pixel(id) : undefined;
    },
  };
  return { s, calls, existing };
}

describe("PixelReader", () => {
  it("serves reads that arrive together with one listing", async () => {
    const { s, calls } = source([1, 2, 3, 4, 5]);
    const reader = new PixelReader(s, { windowMs: 5 });
    const got = await Promise.all([1, 2, 3, 4, 9].map((id) => reader.read(id)));
    expect(got.map((p) => p?.network_pixel_id)).toEqual([1, 2, 3, 4, undefined]);
    // Missing from the listing: a GET must agree before the postback counts as gone.
    expect(calls).toEqual({ list: 1, find: [9] });
  });

  it("sends the listing as soon as a second read joins, not at the end of the window", async () => {
    const { s, calls } = source([1, 2, 3]);
    // A window no test could wait out: the reads must not depend on it.
    const reader = new PixelReader(s, { windowMs: 60_000 });
    const first = reader.read(1);
    expect(calls.list).toBe(0);
    const second = reader.read(2);
    expect(calls.list).toBe(1);
    // A read after the listing went out waits for it instead of starting another.
    const third = reader.read(3);
    const got = await Promise.all([first, second, third]);
    expect(got.map((p) => p?.network_pixel_id)).toEqual([1, 2, 3]);
    expect(calls).toEqual({ list: 1, find: [] });
  });

  it("reads a lone postback with a single GET", async () => {
    const { s, calls } = source([1, 2]);
    const reader = new PixelReader(s, { windowMs: 5 });
    expect((await reader.read(2))?.network_pixel_id).toBe(2);
    expect(calls).toEqual({ list: 0, find: [2] });
  });

  it("takes a lone 404 for gone only when the listing agrees", async () => {
    const { s, calls } = source([1, 2]);
    const reader = new PixelReader(s, { windowMs: 5 });
    expect(await reader.read(7)).toBeUndefined();
    expect(calls).toEqual({ list: 1, find: [7] });

    const broken: PixelSource = { list: async () => [pixel(7)], find: async () => undefined };
    expect((await new PixelReader(broken, { windowMs: 5 }).read(7))?.network_pixel_id).toBe(7);
    const failing: PixelSource = {
      list: async () => {
        throw new Error("HTTP 404: unknown route");
      },
      find: async () => undefined,
    };
    await expect(new PixelReader(failing, { windowMs: 5 }).read(7)).rejects.toThrow("unknown route");
  });

  it("lets later reads use the listing until it ages out, asking directly for ids it lacks", async () => {
    let now = 0;
    const { s, calls, existing } = source([1, 2, 3]);
    const reader = new PixelReader(s, { windowMs: 5, snapshotTtlMs: 1000, now: () => now });
    await Promise.all([reader.read(1), reader.read(2)]);
    existing.add(10);
    expect((await reader.read(3))?.network_pixel_id).toBe(3);
    expect((await reader.read(10))?.network_pixel_id).toBe(10);
    expect(calls).toEqual({ list: 1, find: [10] });
    now = 1000;
    await Promise.all([reader.read(1), reader.read(2)]);
    expect(calls.list).toBe(2);
  });

  it("bases writes on one shared listing, kept current by each write's answer", async () => {
    const { s, calls } = source([1, 2, 3]);
    const reader = new PixelReader(s, { windowMs: 5 });
    const bases = await Promise.all([1, 2, 3].map((id) => reader.base(id)));
    expect(bases.map((p) => p?.network_pixel_id)).toEqual([1, 2, 3]);
    expect(calls).toEqual({ list: 1, find: [] });
    const answer = { network_pixel_id: 2, pixel_status: "inactive" } as Pixel;
    reader.written(answer);
    expect(await reader.base(2)).toBe(answer);
    expect(await reader.read(2)).toBe(answer);
    // A postback the listing lacks (created since) is read with a GET; a failed write drops the copy.
    reader.forget(3);
    expect((await reader.base(3))?.network_pixel_id).toBe(3);
    expect(calls).toEqual({ list: 1, find: [3] });
  });

  it("shares one listing between the whole-account view and the bases of writes", async () => {
    const { s, calls } = source([1, 2]);
    const reader = new PixelReader(s);
    expect((await reader.listing()).map((p) => p.network_pixel_id)).toEqual([1, 2]);
    expect((await reader.base(2))?.network_pixel_id).toBe(2);
    reader.written(pixel(3));
    expect((await reader.listing()).map((p) => p.network_pixel_id)).toEqual([1, 2, 3]);
    expect(calls).toEqual({ list: 1, find: [] });
  });

  it("re-lists once the listing is older than the bound", async () => {
    let now = 0;
    const { s, calls } = source([1, 2]);
    const reader = new PixelReader(s, { windowMs: 5, snapshotTtlMs: 30_000, now: () => now });
    await reader.base(1);
    now = 29_999;
    await reader.base(2);
    expect(calls.list).toBe(1);
    now = 30_000;
    await reader.base(1);
    expect(calls.list).toBe(2);
  });

  it("keeps one listing for the whole run by default", async () => {
    let now = 0;
    const { s, calls } = source([1, 2]);
    const reader = new PixelReader(s, { now: () => now });
    await reader.base(1);
    now = 24 * 3600 * 1000;
    await reader.base(2);
    expect(await reader.read(1)).toMatchObject({ network_pixel_id: 1 });
    expect(DEFAULT_LISTING_MAX_AGE_MS).toBe(Number.POSITIVE_INFINITY);
    expect(calls).toEqual({ list: 1, find: [] });
  });

  it("fails every waiting read when the listing fails, and does not keep the failure", async () => {
    let fail = true;
    const s: PixelSource = {
      list: async () => {
        if (fail) throw new Error("HTTP 503");
        return [pixel(1)];
      },
      find: async () => undefined,
    };
    const reader = new PixelReader(s, { windowMs: 5 });
    const results = await Promise.allSettled([reader.read(1), reader.read(2)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    const again = await Promise.all([reader.read(1), reader.read(2)]);
    expect(again.map((p) => p?.network_pixel_id)).toEqual([1, undefined]);
  });
});
