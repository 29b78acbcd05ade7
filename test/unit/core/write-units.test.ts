import { createHash } from "node:crypto";
import { startEmulator, type EmulatorHandle } from "../../../emulator";
import { resetClientRegistry } from "../../../provider/client";
import { APPLIED_KEY, drift, programChanges } from "../../../provider/core/applied";
import { Postbacks, type CallContext, type Props } from "../../../provider/core/postbacks";
import { canonical, MODELLED_FIELDS } from "../../../provider/core/rules";

// The write model works unit by unit (a field, or a part of the facebook pixel), and takes Everflow's
// answer as what it presents on read until it saves again. Against the emulator, through the core.

const KEY = "units-key";
let emulator: EmulatorHandle;
const warnings: string[] = [];
const ctx: CallContext = { warn: async (m) => void warnings.push(m), secrets: new Set() };

beforeAll(async () => {
  emulator = await startEmulator({
    accounts: [{ apiKey: KEY, networkId: 1, affiliateId: 7 }],
    rateLimit: { rate: 1000, burst: 1000 },
  });
});
afterAll(async () => {
  await resetClientRegistry();
  await emulator.stop();
});
beforeEach(() => {
  warnings.length = 0;
  emulator.settings.setQuirks({});
  emulator.log.reset();
});

/** A new run: the engine starts a provider process per command. */
function run(): Postbacks {
  const config: Record<string, string> = { "everflow:apiKey": KEY, "everflow:baseUrl": emulator.url };
  const p = new Postbacks();
  p.configure({ get: (key) => config[key] });
  return p;
}

const facebook = {
  deliveryMethod: "facebook",
  pixelLevel: "global",
  pixelType: "conversion",
  facebookPixel: { pixelId: "px-1", eventName: "Purchase", accessToken: "token-before-rotation" },
};

const puts = () => emulator.log.entries().filter((e) => e.method === "PUT");

describe("a part of the facebook pixel changed in Everflow", () => {
  it("survives a plain up that changes another part (ignoreChanges on facebookPixel.accessToken)", async () => {
    const { id, outs } = await run().create(run().check(facebook).inputs, ctx);
    // The token is rotated in the Everflow UI.
    emulator.store.update(Number(id), {
      facebook_pixel: { pixel_id: "px-1", event_name: "Purchase", access_token: "token-rotated-in-ui" },
    });
    // The program changes the event; ignoreChanges has the engine declare the old token still.
    const news = run().check({
      ...facebook,
      facebookPixel: { ...facebook.facebookPixel, eventName: "Lead" },
    }).inputs;
    expect(programChanges(news, outs)).toEqual(["facebookPixel.eventName"]);
    const { outs: after } = await run().update(id, outs, news, ctx);
    expect(emulator.store.get(Number(id))?.facebook_pixel).toEqual({
      pixel_id: "px-1",
      event_name: "Lead",
      access_token: "token-rotated-in-ui",
    });
    expect(puts()).toHaveLength(1);
    expect(warnings.join("\n")).toContain("kept facebookPixel.accessToken as changed outside Pulumi");
    // The kept token is now Everflow's answer: the next up writes nothing.
    expect(programChanges(news, after)).toEqual([]);
    expect(drift(after)).toEqual([]);
  });

  it("is drift of that part only, after a refresh", async () => {
    const { id, outs } = await run().create(run().check(facebook).inputs, ctx);
    emulator.store.update(Number(id), {
      facebook_pixel: { pixel_id: "px-1", event_name: "AddToCart", access_token: "token-before-rotation" },
    });
    const read = await run().read(id, outs);
    expect(drift(read.props)).toEqual(["facebookPixel.eventName"]);
  });
});

describe("state written before the facebook pixel was split into parts", () => {
  /** The record as the previous version wrote it: a digest per field, the pixel as one. */
  function v1Record(declared: Props) {
    const c = canonical(declared);
    const digest = (v: unknown) =>
      createHash("sha256").update(JSON.stringify(v)).digest("base64url").slice(0, 8);
    return { d: MODELLED_FIELDS.map((f) => digest(c[f])).join(".") };
  }

  it("still tells program changes and drift, and the next write records parts", async () => {
    const checked = run().check(facebook).inputs;
    const { id, outs } = await run().create(checked, ctx);
    const legacy = { ...outs, [APPLIED_KEY]: v1Record(checked) };
    expect(programChanges(checked, legacy)).toEqual([]);
    expect(drift(legacy)).toEqual([]);
    const news = run().check({
      ...facebook,
      facebookPixel: { ...facebook.facebookPixel, eventName: "Lead" },
    }).inputs;
    // Before the split a change of one part was a change of the whole pixel.
    expect(programChanges(news, legacy)).toEqual([
      "facebookPixel.pixelId",
      "facebookPixel.eventName",
      "facebookPixel.accessToken",
    ]);
    const { outs: after } = await run().update(id, legacy, news, ctx);
    expect((after[APPLIED_KEY] as { v?: number }).v).toBe(2);
    expect(programChanges(news, after)).toEqual([]);
  });
});

describe("forms Everflow presents only on read", () => {
  const html = {
    deliveryMethod: "postback",
    pixelLevel: "global",
    pixelType: "conversion",
    postbackUrl: 'https://t.example.com/cb?a=1&b=2&c="x"',
  };

  it("escaped text in read answers is not drift, and a soft delete stores the text, not its escape", async () => {
    emulator.settings.setQuirks({ escape: "reads" });
    const { id, outs } = await run().create(run().check(html).inputs, ctx);
    const read = await run().read(id, outs);
    expect(read.props.postbackUrl).toBe(html.postbackUrl);
    expect(drift(read.props)).toEqual([]);
    await run().delete(id, read.props, ctx);
    expect(emulator.store.get(Number(id))).toMatchObject({
      postback_url: html.postbackUrl,
      pixel_status: "inactive",
    });
  });

  it("a stored default only reads show is drift: it cannot be told from a change made in Everflow", async () => {
    emulator.settings.setQuirks({ methodDefaults: { postback: { delay_ms: 0 } }, storedForm: "reads" });
    const { id, outs } = await run().create(run().check({ ...html, delayMs: 1500 }).inputs, ctx);
    expect(outs.delayMs).toBe(1500); // the write's answer echoes what was sent
    const read = await run().read(id, outs);
    expect(drift(read.props)).toEqual(["delayMs"]);
    // A soft delete writes back what Everflow stores.
    await run().delete(id, read.props, ctx);
    expect(emulator.store.get(Number(id))).toMatchObject({ delay_ms: 0, pixel_status: "inactive" });
  });

  it("a postback seen presenting text escaped has its changes made in Everflow taken decoded", async () => {
    emulator.settings.setQuirks({ escape: "reads" });
    const { id, outs } = await run().create(run().check(html).inputs, ctx);
    const read = await run().read(id, outs); // learns that this postback's text is presented escaped
    const edited = "https://t.example.com/edited?x=1&y=2";
    emulator.store.update(Number(id), { postback_url: edited });
    const later = await run().read(id, read.props);
    expect(later.props.postbackUrl).toBe(edited);
    expect(drift(later.props)).toEqual(["postbackUrl"]);
    // A plain up (no refresh) that changes another field keeps the edit: stored as edited, not escaped.
    const news = run().check({ ...html, delayMs: 10 }).inputs;
    await run().update(id, read.props, news, ctx);
    expect(emulator.store.get(Number(id))).toMatchObject({ postback_url: edited, delay_ms: 10 });
  });
});
