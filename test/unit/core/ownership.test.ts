import type { Pixel } from "../../../provider/client";
import {
  AccountOwnership,
  ExpectedOwners,
  keyOwnerProblem,
  recordedOwner,
  UnconfirmedRemovalError,
  WrongAffiliateError,
} from "../../../provider/core/ownership";
import { confirmedAccounts } from "../../../provider/core/config-keys";

const pixel = (id: number, affiliate = 7, network = 1) =>
  ({ network_pixel_id: id, network_id: network, network_affiliate_id: affiliate }) as Pixel;
const ownedBy7 = { networkId: 1, networkAffiliateId: 7, pixelId: 5 };
const legacy = { pixelId: 5 };

function ownership(confirmed = false) {
  return new AccountOwnership("default", () => confirmed);
}

describe("AccountOwnership", () => {
  it("reads the recorded owner only when both ids are positive integers", () => {
    expect(recordedOwner(ownedBy7)).toEqual({ networkId: 1, networkAffiliateId: 7 });
    expect(recordedOwner(legacy)).toBeUndefined();
    expect(recordedOwner({ networkId: 1, networkAffiliateId: 0 })).toBeUndefined();
  });

  it("lets a postback go when the key is seen to speak for its owner", () => {
    const o = ownership();
    o.observe([pixel(6), pixel(7)]);
    expect(() => o.judge(5, ownedBy7, undefined)).not.toThrow();
  });

  it("fails, naming both affiliates, when the key speaks for another affiliate", () => {
    const o = ownership(true);
    o.observe([pixel(20, 8)]);
    // A confirmation does not override a proven wrong key.
    expect(() => o.judge(5, ownedBy7, undefined)).toThrow(WrongAffiliateError);
    expect(() => o.judge(5, ownedBy7, undefined)).toThrow(
      /postback 5 belongs to affiliate 7 of network 1, but the API key in use speaks for affiliate 8 of network 1/,
    );
    expect(() => o.judge(5, ownedBy7, undefined)).toThrow(/EVERFLOW_API_KEY/);
  });

  it("names another network of the same affiliate id as another owner", () => {
    const o = ownership();
    o.observe([pixel(20, 7, 2)]);
    expect(() => o.judge(5, ownedBy7, undefined)).toThrow(/speaks for affiliate 7 of network 2/);
  });

  it("refuses to drop a postback when the key's listing is empty, unless the account is confirmed", () => {
    const o = ownership();
    o.observe([]);
    expect(() => o.judge(5, ownedBy7, undefined)).toThrow(UnconfirmedRemovalError);
    expect(() => o.judge(5, ownedBy7, undefined)).toThrow(/EVERFLOW_CONFIRM_REMOVED=default/);
    expect(() => o.judge(5, ownedBy7, undefined)).toThrow(/everflow:confirmRemoved default/);
    expect(() => ownership(true).judge(5, ownedBy7, undefined)).not.toThrow();
  });

  it("fails when the same id answers for another affiliate (another platform's base URL)", () => {
    expect(() => ownership().judge(5, ownedBy7, pixel(5, 9))).toThrow(
      /belongs to affiliate 7 of network 1, but the API key in use speaks for affiliate 9/,
    );
    expect(() => ownership().judge(5, ownedBy7, pixel(5, 7))).not.toThrow();
  });

  it("state without owners: drops only after another postback of the account was found under the key", () => {
    const o = ownership();
    o.observe([pixel(30, 8)]);
    expect(() => o.judge(5, legacy, undefined)).toThrow(/not recorded in the state/);
    o.judge(6, legacy, pixel(6, 8));
    expect(() => o.judge(5, legacy, undefined)).not.toThrow();
  });

  it("cannot tell a key that returned pixels of two owners", () => {
    const o = ownership();
    o.observe([pixel(1, 7), pixel(2, 8)]);
    expect(o.keyOwner()).toBeUndefined();
    expect(() => o.judge(5, ownedBy7, undefined)).toThrow(UnconfirmedRemovalError);
  });

  it("watch: learns the key's affiliate from the listings and GETs of a pixel source", async () => {
    const o = ownership();
    const source = o.watch({ list: async () => [pixel(1, 8)], find: async () => undefined });
    expect(o.keyOwner()).toBeUndefined();
    await source.find(3);
    expect(o.keyOwner()).toBeUndefined();
    await source.list();
    expect(o.keyOwner()).toEqual({ networkId: 1, networkAffiliateId: 8 });
  });

  it("confirmGone: false while listed, true when the key's listing shows the owner without it", async () => {
    const o = ownership();
    await expect(o.confirmGone(5, ownedBy7, async () => [pixel(5)])).resolves.toBe(false);
    await expect(o.confirmGone(5, ownedBy7, async () => [pixel(6)])).resolves.toBe(true);
    await expect(ownership().confirmGone(5, ownedBy7, async () => [pixel(6, 8)])).rejects.toThrow(
      WrongAffiliateError,
    );
  });

  it("beforeCreate: a key of another affiliate, or one whose listing is empty, creates nothing", async () => {
    const seven = { networkId: 1, networkAffiliateId: 7 };
    await expect(ownership().beforeCreate(seven, async () => [pixel(1, 8)])).rejects.toThrow(
      /belong to affiliate 7 of network 1, but the API key in use speaks for affiliate 8/,
    );
    await expect(ownership().beforeCreate(seven, async () => [])).rejects.toThrow(/lists no postback/);
    await expect(ownership(true).beforeCreate(seven, async () => [])).resolves.toBeUndefined();
    await expect(ownership().beforeCreate(seven, async () => [pixel(1, 7)])).resolves.toBeUndefined();
    // Nothing expected (a new stack or account): no listing at all.
    const list = jest.fn(async () => [pixel(1, 8)]);
    await ownership().beforeCreate(undefined, list);
    // A key that has shown itself already is not listed again.
    const known = ownership();
    known.observe([pixel(2, 7)]);
    await known.beforeCreate(seven, list);
    expect(list).not.toHaveBeenCalled();
  });

  it("ExpectedOwners: the owner the account's postbacks record, unless they name two", () => {
    const expected = new ExpectedOwners();
    expected.note("default", legacy);
    expect(expected.of("default")).toBeUndefined();
    expected.note("default", ownedBy7);
    expected.note("partner", { networkId: 1, networkAffiliateId: 8 });
    expect(expected.of("default")).toEqual({ networkId: 1, networkAffiliateId: 7 });
    expected.note("partner", { networkId: 1, networkAffiliateId: 9 });
    expect(expected.of("partner")).toBeUndefined();
  });

  it("ExpectedOwners: the first create of an account waits once for the diffs; a known account does not", async () => {
    jest.useFakeTimers();
    try {
      const expected = new ExpectedOwners(250);
      let settled = false;
      void expected.settled("default").then(() => (settled = true));
      await jest.advanceTimersByTimeAsync(249);
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(settled).toBe(true);
      // The same wait, not a new one, for the creates that follow.
      expect(expected.settled("default")).toBe(expected.settled("default"));
      expected.note("partner", ownedBy7);
      let known = false;
      void expected.settled("partner").then(() => (known = true));
      await Promise.resolve();
      expect(known).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it("parses the confirmed account names", () => {
    expect([...confirmedAccounts(" default, partner  eu ")]).toEqual(["default", "partner", "eu"]);
    expect(confirmedAccounts(undefined).size).toBe(0);
  });
});

describe("keyOwnerProblem (recover)", () => {
  const tracked = [{ inputs: { account: "default" }, outputs: { networkId: 1, networkAffiliateId: 7 } }];
  it("names both affiliates when the listing is another affiliate's", () => {
    expect(keyOwnerProblem("default", [pixel(9, 8)], tracked, false, {})).toMatch(
      /belong to affiliate 7 of network 1, but the API key in use speaks for affiliate 8/,
    );
    expect(keyOwnerProblem("default", [pixel(9, 7)], tracked, true, {})).toBeUndefined();
    // Another account's postbacks say nothing about this one.
    expect(keyOwnerProblem("partner", [pixel(9, 8)], tracked, true, {})).toBeUndefined();
  });

  it("an empty listing gives nothing up for an account with recorded owners, unless confirmed", () => {
    expect(keyOwnerProblem("default", [], tracked, true, {})).toMatch(/EVERFLOW_CONFIRM_REMOVED=default/);
    expect(keyOwnerProblem("default", [], tracked, false, {})).toBeUndefined();
    expect(
      keyOwnerProblem("default", [], tracked, true, { EVERFLOW_CONFIRM_REMOVED: "default" }),
    ).toBeUndefined();
    expect(keyOwnerProblem("default", [], [], true, {})).toBeUndefined();
  });
});
