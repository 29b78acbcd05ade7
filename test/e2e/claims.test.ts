import { Postback, type PostbackArgs } from "../../sdk";
import { API_KEY, createEverflowStack, type EverflowTestStack } from "../support/everflow";

// Issue 11, part 2: within one run the provider never deactivates an id that another resource of the
// run holds; two resources adopting one id fail at preview.

const PUT = "PUT /v1/affiliates/pixels/:id";
const POST = "POST /v1/affiliates/pixels";

const declared: PostbackArgs = {
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: "https://track.example.com/adopted?tid={transaction_id}",
};
const wire = {
  delivery_method: "postback",
  pixel_level: "global",
  pixel_status: "active",
  pixel_type: "conversion",
  postback_url: declared.postbackUrl,
};

describe("one Everflow postback, never claimed twice", () => {
  let t: EverflowTestStack;
  let program: () => void = () => {};
  let id = 0;
  const tracked = async () =>
    (await t.stack.exportStack()).deployment.resources
      .filter((r: { type: string }) => r.type.endsWith("Postback"))
      .map((r: { urn: string; id: string }) => ({ name: r.urn.split("::").pop(), id: r.id }));
  const status = () => t.emulator.store.get(id)?.pixel_status;

  beforeAll(async () => {
    t = await createEverflowStack("claims", async () => program(), {
      // A second account name under the same key: an account change replaces, and may adopt the same id.
      config: { "everflow:accounts": { value: JSON.stringify({ same: { apiKey: API_KEY } }), secret: true } },
    });
    id = t.emulator.store.seed(API_KEY, wire).network_pixel_id;
    program = () => new Postback("a", declared, { import: String(id) });
    await t.stack.up();
  });
  afterAll(async () => t?.stop());
  beforeEach(() => t.emulator.log.reset());

  it("renamed without an alias, keeping its import: b adopts it, a's delete only releases it", async () => {
    program = () => new Postback("b", declared, { import: String(id) });
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ create: 1, delete: 1 });
    expect(status()).toBe("active");
    expect(t.calls()[PUT]).toBeUndefined();
    expect(await tracked()).toEqual([{ name: "b", id: String(id) }]);
  });

  it("an alias rename changes nothing in Everflow", async () => {
    program = () => new Postback("c", declared, { import: String(id), aliases: [{ name: "b" }] });
    await t.stack.up();
    expect(status()).toBe("active");
    expect(t.calls()[PUT]).toBeUndefined();
    expect(await tracked()).toEqual([{ name: "c", id: String(id) }]);
  });

  it("a replacement whose new resource adopts the same id (an account change) keeps it active", async () => {
    program = () => new Postback("c", { ...declared, account: "same" }, { import: String(id) });
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ replace: 1 });
    expect(status()).toBe("active");
    expect(t.calls()[POST]).toBeUndefined();
    expect(await tracked()).toEqual([{ name: "c", id: String(id) }]);
  });

  it("two resources adopting one id fail at preview, naming both, before any API call", async () => {
    program = () => {
      new Postback("c", { ...declared, account: "same" }, { import: String(id) });
      new Postback("d", { ...declared, delayMs: 10 }, { import: String(id) });
    };
    const message = await t.stack.preview().then(
      () => "preview succeeded",
      (error: Error) => error.message,
    );
    // The engine names the resource whose check failed; the reason names the other one.
    const failing = /resource '(c|d)': property importId/.exec(message)?.[1];
    const other = /also adopted by resource \\?"(c|d)\\?"/.exec(message)?.[1];
    expect([failing, other].sort()).toEqual(["c", "d"]);
    expect(message).toContain(`postback ${id}`);
    expect(t.totalCalls()).toBe(0);
  });

  it("a replacement that creates a new postback still deactivates the old one", async () => {
    program = () => new Postback("c", declared);
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ replace: 1 });
    expect(status()).toBe("inactive");
    const [now] = await tracked();
    expect(now?.id).not.toBe(String(id));
  });

  it("a renamed postback without import is created anew and the old one deactivated", async () => {
    const [before] = await tracked();
    program = () => new Postback("e", declared);
    await t.stack.up();
    expect(t.emulator.store.get(Number(before!.id))?.pixel_status).toBe("inactive");
    expect(t.calls()[POST]).toBe(1);
  });
});
