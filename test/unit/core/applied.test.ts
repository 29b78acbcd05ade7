import { appliedRecord, drift, programChanges } from "../../../provider/core/applied";

// The digests of the last applied declaration are cached in the provider process (a refresh digests
// every field of every postback twice). The cache must never change an answer, also once it is full.

const postback = (url: string) => ({
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelStatus: "active",
  pixelType: "conversion",
  postbackUrl: url,
  delayMs: 0,
});

test("diff answers the same after the digest cache has filled and started over", () => {
  const declared = postback("https://t.example/first");
  const olds = { ...declared, lastApplied: appliedRecord(declared, declared) };
  expect([programChanges(declared, olds), drift(olds)]).toEqual([[], []]);

  // More distinct values than the cache holds: it starts over at least once.
  for (let i = 0; i < 10_000; i++) {
    const other = postback(`https://t.example/${i}`);
    appliedRecord(other, other);
  }

  expect([programChanges(declared, olds), drift(olds)]).toEqual([[], []]);
  const changed = postback("https://t.example/changed");
  expect(programChanges(changed, olds)).toEqual(["postbackUrl"]);
  expect(drift({ ...olds, delayMs: 5 }, olds)).toEqual(["delayMs"]);
});
