import { Claims } from "../../../provider/core/claims";

const US = "https://api.eflow.team/v1";
const EU = "https://api-eu.eflow.team/v1";

describe("Claims", () => {
  it("fails the second resource adopting one id, naming the first", () => {
    const claims = new Claims();
    expect(claims.declareImport(US, "1001", "a")).toBeUndefined();
    expect(claims.declareImport(US, "1001", "b")).toMatch(/postback 1001 is also adopted by resource "a"/);
  });

  it("lets the same resource be checked again, other ids, and the same id on another platform", () => {
    const claims = new Claims();
    claims.declareImport(US, "1001", "a");
    expect(claims.declareImport(US, "1001", "a")).toBeUndefined();
    expect(claims.declareImport(US, "1002", "b")).toBeUndefined();
    expect(claims.declareImport(EU, "1001", "c")).toBeUndefined();
    expect(claims.declareImport(US, undefined, "d")).toBeUndefined();
  });

  it("holds created and adopted ids per platform, whatever the id's type or a trailing slash", () => {
    const claims = new Claims();
    claims.hold(US, 1001);
    expect(claims.isHeld(`${US}/`, "1001")).toBe(true);
    expect(claims.isHeld(EU, "1001")).toBe(false);
    expect(claims.isHeld(US, "1002")).toBe(false);
  });

  it("refuses to adopt an id a kept resource manages on the same platform, whatever its account name", () => {
    const claims = new Claims();
    const platforms: Record<string, string> = { default: US, partner: `${US}/`, eu: EU };
    const platformOf = (account: string) => platforms[account]!;
    claims.keep("partner", "1001", true);
    expect(claims.adoptionConflict(US, 1001, platformOf)).toMatch(
      /^cannot import postback 1001: another resource of this stack manages it/,
    );
    expect(claims.adoptionConflict(US, 1002, platformOf)).toBeUndefined();
    expect(claims.adoptionConflict(EU, 1001, platformOf)).toBeUndefined();
    claims.keep("eu", 1002, true);
    expect(claims.adoptionConflict(EU, "1002", platformOf)).toMatch(/cannot import postback 1002/);
    // A later diff of the same resource replaces it (up --refresh diffs twice): its id is free again.
    claims.keep("eu", 1002, false);
    expect(claims.adoptionConflict(EU, "1002", platformOf)).toBeUndefined();
  });
});
