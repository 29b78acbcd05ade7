import { Postback } from "../../sdk";
import { API_KEY, createEverflowStack, EverflowTestStack } from "../support/everflow";

const PARTNER_KEY = "ef-e2e-partner-key-88c2d1";
const POST = "POST /v1/affiliates/pixels";
const PUT = "PUT /v1/affiliates/pixels/:id";

const wire = {
  delivery_method: "postback",
  pixel_level: "specific",
  pixel_status: "active",
  pixel_type: "conversion",
  postback_url: "https://track.example.com/legacy?tid={transaction_id}",
  network_offer_id: 77,
  delay_ms: 0,
};
const declared = {
  deliveryMethod: "postback",
  pixelLevel: "specific",
  pixelType: "conversion",
  postbackUrl: wire.postback_url,
  networkOfferId: 77,
} as const;

describe("import: adopting postbacks built by hand", () => {
  let t: EverflowTestStack;
  let program: () => void = () => {};
  beforeAll(async () => {
    t = await createEverflowStack("import", async () => program());
  });
  afterAll(async () => t?.stop());
  beforeEach(() => t.emulator.log.reset());

  it("adopts a postback that matches its declaration without writing to Everflow", async () => {
    const existing = t.emulator.store.seed(API_KEY, {
      ...wire,
      legacy_note: "kept by full-replacement PUTs",
    });
    t.emulator.log.reset();
    program = () => new Postback("legacy", declared, { import: String(existing.network_pixel_id) });
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(t.calls()).toEqual({ "GET /v1/affiliates/pixels/:id": 1 });
    const state = (await t.stack.exportStack()).deployment.resources.find((r: { urn: string }) =>
      r.urn.endsWith("::legacy"),
    );
    expect(state.id).toBe(String(existing.network_pixel_id));
    expect(t.emulator.store.all()).toHaveLength(1);

    t.emulator.log.reset();
    const again = await t.stack.preview({ refresh: true });
    expect(again.changeSummary).toEqual({ same: 2 });
  });

  it("then manages it: a change is one PUT that keeps fields the provider does not model", async () => {
    const [existing] = t.emulator.store.all();
    program = () =>
      new Postback(
        "legacy",
        { ...declared, delayMs: 30_000 },
        { import: String(existing!.network_pixel_id) },
      );
    await t.stack.up();
    expect(t.calls()[PUT]).toBe(1);
    expect(t.calls()[POST]).toBeUndefined();
    expect(t.emulator.store.get(existing!.network_pixel_id)).toMatchObject({
      delay_ms: 30_000,
      legacy_note: "kept by full-replacement PUTs",
    });
  });

  it("writes only what differs when the adopted postback does not match", async () => {
    const other = t.emulator.store.seed(API_KEY, { ...wire, network_offer_id: 78, delay_ms: 5000 });
    t.emulator.log.reset();
    program = () => {
      new Postback("legacy", { ...declared, delayMs: 30_000 });
      new Postback("second", { ...declared, networkOfferId: 78 }, { import: String(other.network_pixel_id) });
    };
    await t.stack.up();
    // Only the newly imported postback is read; "legacy" is already managed and unchanged.
    expect(t.calls()).toEqual({ "GET /v1/affiliates/pixels/:id": 1, [PUT]: 1 });
    expect(t.emulator.store.get(other.network_pixel_id)?.delay_ms).toBe(0);
  });

  it("keeps an adopted postback in state when its update is refused, and updates it on the next up", async () => {
    const refused = t.emulator.store.seed(API_KEY, { ...wire, network_offer_id: 79, delay_ms: 100 });
    t.emulator.faults.failNext(PUT, 1, 400, "delay_ms: refused for this test");
    program = () => {
      new Postback("legacy", { ...declared, delayMs: 30_000 });
      new Postback("second", { ...declared, networkOfferId: 78 });
      new Postback(
        "refused",
        { ...declared, networkOfferId: 79 },
        { import: String(refused.network_pixel_id) },
      );
    };
    const message = await t.stack.up().then(
      () => "up succeeded",
      (error: Error) => error.message,
    );
    expect(message).toContain(
      `postback ${refused.network_pixel_id} was adopted (and is recorded in the state) but not brought to its declaration`,
    );
    expect(message).toContain("HTTP 400: delay_ms: refused for this test");
    const tracked = (await t.stack.exportStack()).deployment.resources.find((r: { urn: string }) =>
      r.urn.endsWith("::refused"),
    );
    expect(tracked?.id).toBe(String(refused.network_pixel_id));
    // What the engine recorded carries the provider, so refresh (and destroy) can still read it.
    const refresh = await t.stack.refresh();
    expect(refresh.summary.result).toBe("succeeded");
    const after = (await t.stack.exportStack()).deployment.resources.map((r: { id?: string }) => r.id);
    expect(after).toContain(String(refused.network_pixel_id));

    t.emulator.log.reset();
    await t.stack.up();
    expect(t.calls()[PUT]).toBe(1);
    expect(t.calls()[POST]).toBeUndefined();
    expect(t.emulator.store.get(refused.network_pixel_id)?.delay_ms).toBe(0);
  });

  it("refuses to adopt a postback another resource of the stack keeps managing", async () => {
    program = () => new Postback("owner", { ...declared, networkOfferId: 78 });
    await t.stack.up();
    const ownerState = (await t.stack.exportStack()).deployment.resources.find((r: { urn: string }) =>
      r.urn.endsWith("::owner"),
    );
    const owned = t.emulator.store.get(Number(ownerState.id))!;
    program = () => {
      new Postback("owner", { ...declared, networkOfferId: 78 });
      new Postback("twin", { ...declared, networkOfferId: 78 }, { import: String(owned.network_pixel_id) });
    };
    t.emulator.log.reset();
    const message = await t.stack.up().then(
      () => "up succeeded",
      (error: Error) => error.message,
    );
    expect(message).toContain(
      `cannot import postback ${owned.network_pixel_id}: another resource of this stack manages it`,
    );
    expect(t.totalCalls()).toBe(0);
    const urns = (await t.stack.exportStack()).deployment.resources.map((r: { urn: string }) => r.urn);
    expect(urns.filter((u: string) => /::(owner|twin)$/.test(u))).toEqual([
      expect.stringMatching(/::owner$/),
    ]);
    // Moving it: the other resource removed in the same up; its delete only releases the postback.
    program = () =>
      new Postback("twin", { ...declared, networkOfferId: 78 }, { import: String(owned.network_pixel_id) });
    await t.stack.up();
    expect(t.emulator.store.get(owned.network_pixel_id)?.pixel_status).toBe("active");
  });

  it("fails clearly when the postback to import does not exist, creating nothing", async () => {
    program = () => new Postback("ghost", declared, { import: "999999" });
    const message = await t.stack.up().then(
      () => "up succeeded",
      (error: Error) => error.message,
    );
    expect(message).toContain(
      'cannot import postback 999999: Everflow knows no postback 999999 for the API key of account "default". ' +
        "Check the id, and that the key is the affiliate's that owns the postback " +
        "(Everflow get of postback 999999 failed: HTTP 404",
    );
    expect(t.calls()[POST]).toBeUndefined();
  });
});

describe("two affiliate accounts in one program", () => {
  let t: EverflowTestStack;
  let partner: { account?: string } = { account: "partner" };
  let extra: (() => void) | undefined;
  beforeAll(async () => {
    t = await createEverflowStack(
      "accounts",
      async () => {
        new Postback("ours", { ...declared, networkOfferId: 1 });
        new Postback("theirs", { ...declared, networkOfferId: 2, ...partner });
        extra?.();
      },
      {
        emulator: {
          accounts: [
            { apiKey: API_KEY, networkId: 1, affiliateId: 7 },
            { apiKey: PARTNER_KEY, networkId: 1, affiliateId: 8 },
          ],
        },
      },
    );
  });
  afterAll(async () => t?.stop());

  it("fails preview naming both places to set a missing account key", async () => {
    const message = await t.stack.preview().then(
      () => "preview succeeded",
      (error: Error) => error.message,
    );
    expect(message).toContain("property account");
    expect(message).toContain(`No Everflow API key for account "partner"`);
    expect(message).toContain("everflow:accounts.partner.apiKey");
    expect(message).toContain("EVERFLOW_API_KEY_PARTNER");
    expect(t.totalCalls()).toBe(0);
  });

  it("creates each postback in its own account, with neither key in state", async () => {
    await t.stack.setConfig("everflow:accounts.partner.apiKey", { value: PARTNER_KEY, secret: true }, true);
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 3 });
    const byOffer = (id: number) => t.emulator.store.all().find((p) => p.network_offer_id === id);
    expect(byOffer(1)?.network_affiliate_id).toBe(7);
    expect(byOffer(2)?.network_affiliate_id).toBe(8);
    const requestsBy = (key: string) => t.emulator.log.entries().filter((e) => e.key === key).length;
    // Each account: its POST, and the one listing a run that creates takes of it.
    expect(requestsBy("affiliate:7")).toBe(2);
    expect(requestsBy("affiliate:8")).toBe(2);
    const state = t.rawState();
    expect(state).not.toContain(API_KEY);
    expect(state).not.toContain(PARTNER_KEY);
  });

  it("moving a postback to another account replaces it there", async () => {
    const before = t.emulator.store.all().find((p) => p.network_offer_id === 2)!;
    partner = {};
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ replace: 1 });
    expect(t.emulator.store.get(before.network_pixel_id)?.pixel_status).toBe("inactive");
    const moved = t.emulator.store
      .all()
      .filter((p) => p.network_offer_id === 2 && p.pixel_status === "active");
    expect(moved.map((p) => p.network_affiliate_id)).toEqual([7]);
  });

  it("refuses to import another affiliate's postback with this account's key, changing nothing", async () => {
    const foreign = t.emulator.store.seed(PARTNER_KEY, { ...wire, network_offer_id: 5 });
    const id = foreign.network_pixel_id;
    extra = () => new Postback("foreign", { ...declared, networkOfferId: 5 }, { import: String(id) });
    t.emulator.log.reset();
    const message = await t.stack.up().then(
      () => "up succeeded",
      (error: Error) => error.message,
    );
    extra = undefined;
    expect(message).toContain(
      `cannot import postback ${id}: Everflow knows no postback ${id} for the API key of account "default"`,
    );
    expect(t.calls()[POST]).toBeUndefined();
    expect(t.calls()[PUT]).toBeUndefined();
    expect(t.emulator.store.get(id)).toEqual(foreign);
  });
});
