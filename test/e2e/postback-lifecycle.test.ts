import type { EngineEvent } from "@pulumi/pulumi/automation";
import { Postback, PostbackArgs } from "../../sdk";
import { PROVIDER_STUB } from "../../sdk/postback";
import { API_KEY, createEverflowStack, EverflowTestStack } from "../support/everflow";

const FB_TOKEN = "EAAB-fb-conversions-token-93f1c2";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

// Every delivery method at both pixel levels, and every pixel type.
const declared: Record<string, PostbackArgs> = {
  globalConversion: {
    deliveryMethod: "postback",
    pixelLevel: "global",
    pixelType: "conversion",
    postbackUrl: "https://track.example.com/cb?tid={transaction_id}&amount={revenue}",
  },
  offerEvent: {
    deliveryMethod: "postback",
    pixelLevel: "specific",
    networkOfferId: 42,
    pixelType: "post_conversion",
    postbackUrl: "https://track.example.com/ev?tid={transaction_id}&event={event_name}",
    delayMs: 60_000,
    networkOfferPayoutRevenueId: 3,
  },
  htmlGlobal: {
    deliveryMethod: "html",
    pixelLevel: "global",
    pixelType: "conversion",
    htmlCode: '<img src="https://px.example.com/c?t={transaction_id}" width="1" height="1" />',
  },
  htmlOfferClicks: {
    deliveryMethod: "html",
    pixelLevel: "specific",
    networkOfferId: 43,
    pixelType: "cpc",
    htmlCode: "<script>track('{transaction_id}')</script>",
    pixelStatus: "inactive",
  },
  facebookOffer: {
    deliveryMethod: "facebook",
    pixelLevel: "specific",
    networkOfferId: 44,
    pixelType: "conversion",
    facebookPixel: { pixelId: "1234567890", eventName: "Purchase", accessToken: FB_TOKEN },
  },
  facebookGlobal: {
    deliveryMethod: "facebook",
    pixelLevel: "global",
    pixelType: "post_conversion",
    facebookPixel: { pixelId: "1234567890", eventName: "Lead", accessToken: FB_TOKEN },
  },
};
const COUNT = Object.keys(declared).length;

const program = async () => {
  const ids: Record<string, unknown> = {};
  for (const [name, args] of Object.entries(declared)) ids[name] = new Postback(name, args).pixelId;
  return ids;
};

const POST = "POST /v1/affiliates/pixels";
const PUT = "PUT /v1/affiliates/pixels/:id";
const GET_ONE = "GET /v1/affiliates/pixels/:id";
const LIST = "GET /v1/affiliates/pixels";

describe("Postback lifecycle through the real engine", () => {
  let t: EverflowTestStack;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await createEverflowStack("lifecycle", program);
  });
  afterAll(async () => t?.stop());
  beforeEach(() => t.emulator.log.reset());

  it("previews a create per postback without calling the API", async () => {
    const preview = await t.stack.preview();
    expect(preview.changeSummary).toEqual({ create: COUNT + 1 });
    expect(t.totalCalls()).toBe(0);
  });

  it("creates every delivery method and level with one POST each, and one listing of the account", async () => {
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: COUNT + 1 });
    // The listing looks for postbacks the stack let go of (a create warns of such a twin).
    expect(t.calls()).toEqual({ [POST]: COUNT, "GET /v1/affiliates/pixels": 1 });
    for (const name of Object.keys(declared)) ids[name] = up.outputs[name]?.value as number;

    expect(t.emulator.store.get(ids.globalConversion!)).toMatchObject({
      network_affiliate_id: 7,
      delivery_method: "postback",
      pixel_level: "global",
      pixel_status: "active",
      pixel_type: "conversion",
      postback_url: declared.globalConversion!.postbackUrl,
      network_offer_id: 0,
      delay_ms: 0,
    });
    expect(t.emulator.store.get(ids.offerEvent!)).toMatchObject({
      pixel_level: "specific",
      network_offer_id: 42,
      pixel_type: "post_conversion",
      delay_ms: 60_000,
      network_offer_payout_revenue_id: 3,
    });
    expect(t.emulator.store.get(ids.htmlGlobal!)).toMatchObject({
      delivery_method: "html",
      postback_url: "",
    });
    expect(t.emulator.store.get(ids.htmlOfferClicks!)).toMatchObject({
      pixel_type: "cpc",
      pixel_status: "inactive",
    });
    expect(t.emulator.store.get(ids.facebookOffer!)).toMatchObject({
      delivery_method: "facebook",
      facebook_pixel: { pixel_id: "1234567890", event_name: "Purchase", access_token: FB_TOKEN },
    });
    expect(t.emulator.store.get(ids.facebookGlobal!)).toMatchObject({
      pixel_level: "global",
      pixel_type: "post_conversion",
    });
  });

  it("makes no API call at all when nothing changed", async () => {
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: COUNT + 1 });
    expect(t.totalCalls()).toBe(0);
  });

  it("updates a changed field in place: one PUT, no POST", async () => {
    declared.offerEvent = { ...declared.offerEvent!, delayMs: 120_000 };
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: COUNT, update: 1 });
    expect(t.calls()[PUT]).toBe(1);
    expect(t.calls()[POST]).toBeUndefined();
    expect(t.emulator.store.get(ids.offerEvent!)).toMatchObject({ delay_ms: 120_000, network_offer_id: 42 });
  });

  it("shows an out-of-band change as drift on that field, sharing list calls across reads", async () => {
    t.emulator.store.update(ids.globalConversion!, { postback_url: "https://evil.example.com/steal" });
    const events: EngineEvent[] = [];
    const preview = await t.stack.preview({ refresh: true, onEvent: (e) => events.push(e) });
    expect(preview.changeSummary).toMatchObject({ update: 1, same: COUNT });

    const step = events.find((e) => e.resourcePreEvent?.metadata.op === "update")?.resourcePreEvent?.metadata;
    expect(step?.urn).toMatch(/::globalConversion$/);
    expect(step?.old?.inputs.postbackUrl).toBe("https://evil.example.com/steal");
    expect(step?.new?.inputs.postbackUrl).toBe(declared.globalConversion!.postbackUrl);

    // One listing serves the refresh instead of one GET per postback; a preview writes nothing.
    const reads = (t.calls()[LIST] ?? 0) + (t.calls()[GET_ONE] ?? 0);
    expect(reads).toBeLessThan(COUNT);
    expect(t.calls()[PUT]).toBeUndefined();
  });

  it("repairs drift with up --refresh", async () => {
    const up = await t.stack.up({ refresh: true });
    expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(t.calls()[PUT]).toBe(1);
    expect(t.emulator.store.get(ids.globalConversion!)?.postback_url).toBe(
      declared.globalConversion!.postbackUrl,
    );
    t.emulator.log.reset();
    const clean = await t.stack.preview({ refresh: true });
    expect(clean.changeSummary).toEqual({ same: COUNT + 1 });
  });

  it("detects a postback removed out of band and recreates it", async () => {
    t.emulator.store.remove(ids.htmlGlobal!);
    const refresh = await t.stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ delete: 1 });
    t.emulator.log.reset();
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ create: 1 });
    expect(t.calls()[POST]).toBe(1);
    ids.htmlGlobal = up.outputs.htmlGlobal?.value as number;
    expect(t.emulator.store.get(ids.htmlGlobal)?.delivery_method).toBe("html");
  });

  it("keeps the API key out of state and the access token only as a secret", async () => {
    // The state file on disk, after creates, updates and refreshes: secrets there are ciphertext.
    const text = t.rawState();
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(FB_TOKEN);

    const state = JSON.parse(text);
    const resources = state.checkpoint.latest.resources as Array<{
      type: string;
      urn: string;
      inputs: Record<string, unknown>;
      outputs: Record<string, unknown>;
    }>;
    const postbacks = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/affiliate:Postback");
    expect(postbacks).toHaveLength(COUNT);
    const facebook = postbacks.find((r) => r.urn.endsWith("::facebookOffer"))!;
    for (const props of [facebook.inputs, facebook.outputs]) {
      expect(props.facebookPixel).toEqual({ [SECRET_SIG]: SECRET_SIG_VALUE, ciphertext: expect.any(String) });
    }
    // Postbacks carry no credential of any kind: only the account's name.
    for (const r of postbacks)
      expect(Object.keys(r.outputs).filter((k) => /key|secret/i.test(k))).toEqual([]);

    // The serialized provider is a stub that loads the implementation from the package at call time.
    const sizes = postbacks.map((r) => Buffer.byteLength(r.inputs.__provider as string));
    expect(Math.max(...sizes)).toBeLessThan(128);
    for (const r of postbacks) {
      expect(r.inputs.__provider).toBe(PROVIDER_STUB);
      expect(r.outputs.__provider).toBe(PROVIDER_STUB);
    }
    expect(facebook.inputs.__provider).toContain('require("pulumi-everflow/provider")');
  });

  it("destroys by deactivating every postback, never deleting", async () => {
    const destroy = await t.stack.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: COUNT + 1 });
    expect(t.calls()[POST]).toBeUndefined();
    expect(t.calls().unknown).toBeUndefined();
    for (const name of Object.keys(declared)) {
      expect(t.emulator.store.get(ids[name]!)?.pixel_status).toBe("inactive");
    }
  });
});
