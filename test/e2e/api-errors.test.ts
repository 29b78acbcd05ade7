import { Postback } from "../../sdk";
import { API_KEY, createEverflowStack, EverflowTestStack } from "../support/everflow";

const declared = {
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: "https://track.example.com/cb?tid={transaction_id}",
} as const;

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => "succeeded",
    (error: Error) => error.message,
  );

describe("API failures through the engine", () => {
  let t: EverflowTestStack;
  afterEach(async () => t?.stop());

  it("name the operation and the status, and never the key", async () => {
    const wrongKey = "ef-revoked-key-0c9d77aa";
    t = await createEverflowStack("api-401", async () => new Postback("checkout", declared), {
      config: { "everflow:apiKey": { value: wrongKey, secret: true } },
    });
    const message = await failureOf(t.stack.up());
    expect(message).toContain("Postback (checkout):");
    expect(message).toContain("Everflow create of postback failed: HTTP 401");
    expect(message).not.toContain(wrongKey);
    expect(t.emulator.store.all()).toHaveLength(0);
  });

  it("report a network that disabled affiliate postbacks (403) without creating anything", async () => {
    t = await createEverflowStack("api-403", async () => new Postback("checkout", declared), {
      emulator: { creationDisabled: true },
    });
    const message = await failureOf(t.stack.up());
    expect(message).toMatch(/Everflow create of postback failed: HTTP 403: .+/);
    expect(t.emulator.store.all()).toHaveLength(0);
  });

  it("ask for a refresh when a postback deleted out of band is updated", async () => {
    let delayMs = 0;
    t = await createEverflowStack("api-404", async () => new Postback("checkout", { ...declared, delayMs }));
    const up = await t.stack.up();
    const id = up.outputs
      ? Number(
          (await t.stack.exportStack()).deployment.resources.find((r: { urn: string }) =>
            r.urn.endsWith("::checkout"),
          ).id,
        )
      : 0;
    // The account's other postbacks are still listed, so its key is seen to be the owner's: the removal
    // is real. (An account emptied entirely needs a confirmation: see account-identity.test.ts.)
    t.emulator.store.seed(API_KEY, { postback_url: "https://other.example.com/cb" });
    t.emulator.store.remove(id);
    delayMs = 500;
    const message = await failureOf(t.stack.up());
    expect(message).toContain(
      `postback ${id} no longer exists in Everflow (removed outside Pulumi): run \`pulumi refresh\``,
    );
    expect(message).toContain(`Everflow get of postback ${id} failed: HTTP 404`);
    await t.stack.refresh();
    const again = await t.stack.up();
    expect(again.summary.resourceChanges).toMatchObject({ create: 1 });
  });

  it("never take a wrong base URL's 404s for postbacks that are gone", async () => {
    t = await createEverflowStack("api-wrong-url", async () => new Postback("checkout", declared));
    await t.stack.up();
    const [pixel] = t.emulator.store.all();
    await t.stack.setConfig("everflow:baseUrl", { value: t.emulator.url.replace(/\/v1$/, "") });
    // An unchanged program makes no API call, but records the new provider config for refresh.
    await t.stack.up();

    const refresh = await failureOf(t.stack.refresh());
    expect(refresh).toContain("Everflow list of postbacks failed: HTTP 404");
    const destroy = await failureOf(t.stack.destroy());
    expect(destroy).toContain("HTTP 404");
    const ids = (await t.stack.exportStack()).deployment.resources.map((r: { id?: string }) => r.id);
    expect(ids).toContain(String(pixel!.network_pixel_id));
    expect(t.emulator.store.get(pixel!.network_pixel_id)?.pixel_status).toBe("active");
  });
});
