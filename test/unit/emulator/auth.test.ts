// Authentication: the X-Eflow-API-Key header, unknown keys, network keys ("Out of realm") and the
// ownership of pixels (another affiliate's pixel is "not found").

import * as http from "node:http";

import type { EmulatorHandle } from "../../../emulator";
import { call, create, postback, start } from "./helpers";

let h: EmulatorHandle;

beforeAll(async () => {
  h = await start({
    accounts: [
      { apiKey: "key-a", networkId: 1, affiliateId: 7, label: "alice" },
      { apiKey: "key-b", networkId: 1, affiliateId: 8 },
      { apiKey: "key-c", networkId: 2, affiliateId: 7 },
    ],
    networkKeys: [{ apiKey: "network-key", networkId: 1 }],
  });
});
afterAll(() => h.stop());
beforeEach(() => h.log.reset());

test("a missing header is 401 No Authentication Method Found, on every route", async () => {
  for (const [method, path] of [
    ["GET", "/affiliates/pixels"],
    ["GET", "/affiliates/pixels/1000"],
    ["POST", "/affiliates/pixels"],
    ["PUT", "/affiliates/pixels/1000"],
    ["POST", "/affiliates/pixelstable"],
    ["GET", "/unknown/route"],
  ] as const) {
    const res = await call(h, method, path, { key: null, json: method === "GET" ? undefined : postback() });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: "No Authentication Method Found" });
  }
  expect(h.store.all()).toEqual([]);
});

test("an empty header counts as missing", async () => {
  const res = await call(h, "GET", "/affiliates/pixels", { key: "" });
  expect(res.status).toBe(401);
  expect(res.body).toEqual({ error: "No Authentication Method Found" });
});

test("an unknown key is 401 with an error body; the key is not echoed or logged", async () => {
  const res = await call(h, "GET", "/affiliates/pixels", { key: "revoked-key-123" });
  expect(res.status).toBe(401);
  expect(typeof res.body.error).toBe("string");
  expect(res.text).not.toContain("revoked-key-123");
  expect(h.log.entries()[0]).toMatchObject({ status: 401, key: "unknown", networkId: null });
  expect(JSON.stringify(h.log.entries())).not.toContain("revoked-key-123");
});

test("the header name is case-insensitive", async () => {
  const { port } = new URL(h.url);
  for (const name of ["X-EFLOW-API-KEY", "x-eflow-api-key", "X-Eflow-Api-Key"]) {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port: Number(port),
          path: "/v1/affiliates/pixels",
          headers: { [name]: "key-a" },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(200);
  }
});

test("a network key on an affiliate route is 403 Out of realm", async () => {
  for (const [method, path] of [
    ["GET", "/affiliates/pixels"],
    ["POST", "/affiliates/pixels"],
    ["GET", "/affiliates/pixels/1000"],
    ["POST", "/affiliates/pixelstable"],
  ] as const) {
    const res = await call(h, method, path, {
      key: "network-key",
      json: method === "POST" ? postback() : undefined,
    });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "Out of realm" });
  }
  expect(h.store.all()).toEqual([]);
  expect(h.log.entries()[0]).toMatchObject({ key: "network:1", networkId: 1, affiliateId: null });
});

test("an affiliate key on a network route is 403 Out of realm", async () => {
  const res = await call(h, "DELETE", "/networks/pixels/1000", { key: "key-a" });
  expect(res.status).toBe(403);
  expect(res.body).toEqual({ error: "Out of realm" });
});

test("a network key on a route the emulator does not have is 404", async () => {
  const res = await call(h, "DELETE", "/networks/pixels/1000", { key: "network-key" });
  expect(res.status).toBe(404);
});

test("another affiliate's pixel is 404 for GET and PUT and missing from lists", async () => {
  const mine = (await create(h, postback(), "key-a")).body;
  const sameNetworkOther = (await create(h, postback(), "key-b")).body;
  const otherNetworkSameAffiliateId = (await create(h, postback(), "key-c")).body;
  expect(mine.network_affiliate_id).toBe(7);
  expect(sameNetworkOther.network_affiliate_id).toBe(8);
  expect(otherNetworkSameAffiliateId).toMatchObject({ network_id: 2, network_affiliate_id: 7 });

  for (const other of [sameNetworkOther, otherNetworkSameAffiliateId]) {
    const get = await call(h, "GET", `/affiliates/pixels/${other.network_pixel_id}`, { key: "key-a" });
    expect(get.status).toBe(404);
    expect(typeof get.body.error).toBe("string");
    const put = await call(h, "PUT", `/affiliates/pixels/${other.network_pixel_id}`, {
      key: "key-a",
      json: postback({ pixel_status: "inactive" }),
    });
    expect(put.status).toBe(404);
    expect(h.store.get(other.network_pixel_id)?.pixel_status).toBe("active");
  }
  const listA = (await call(h, "GET", "/affiliates/pixels", { key: "key-a" })).body.pixels;
  expect(listA.map((p: { network_pixel_id: number }) => p.network_pixel_id)).toEqual([mine.network_pixel_id]);
  const tableA = (await call(h, "POST", "/affiliates/pixelstable", { key: "key-a" })).body.pixels;
  expect(tableA.map((p: { network_pixel_id: number }) => p.network_pixel_id)).toEqual([
    mine.network_pixel_id,
  ]);
  expect((await call(h, "GET", `/affiliates/pixels/${mine.network_pixel_id}`, { key: "key-a" })).status).toBe(
    200,
  );
});

test("the log names keys by label (or affiliate id), never by the raw key", async () => {
  await call(h, "GET", "/affiliates/pixels", { key: "key-a" });
  await call(h, "GET", "/affiliates/pixels", { key: "key-b" });
  await call(h, "GET", "/affiliates/pixels", { key: null });
  expect(h.log.entries().map((e) => e.key)).toEqual(["alice", "affiliate:8", null]);
  const text = JSON.stringify(h.log.entries());
  for (const key of ["key-a", "key-b"]) expect(text).not.toContain(key);
});

test("invalid account configuration is rejected at start", async () => {
  await expect(
    start({
      accounts: [{ apiKey: "dup", networkId: 1, affiliateId: 1 }],
      networkKeys: [{ apiKey: "dup", networkId: 1 }],
    }),
  ).rejects.toThrow(/twice/);
  await expect(start({ accounts: [{ apiKey: "k", networkId: 0, affiliateId: 1 }] })).rejects.toThrow(
    /networkId/,
  );
  await expect(start({ accounts: [{ apiKey: "", networkId: 1, affiliateId: 1 }] })).rejects.toThrow(
    /API key/,
  );
});
