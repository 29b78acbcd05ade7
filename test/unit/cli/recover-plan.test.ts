import type { Pixel } from "../../../provider/client";
import { isSecretValue, SECRET_SIG } from "../../../cli/drift-report";
import { revealed } from "../../../cli/drift-secrets";
import { DYNAMIC_POSTBACK_TYPE, NATIVE_POSTBACK_TYPE } from "../../../cli/postback-types";
import {
  applyPlan,
  planRecovery,
  recoveredOutputs,
  withChoices,
  type PendingCreate,
} from "../../../cli/recover-plan";
import { APPLIED_KEY, appliedRecord } from "../../../provider/core/applied";

const SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

const pixel = (id: number, url: string): Pixel =>
  ({
    network_pixel_id: id,
    network_id: 1,
    network_affiliate_id: 7,
    delivery_method: "postback",
    pixel_level: "global",
    pixel_status: "active",
    pixel_type: "conversion",
    postback_url: url,
    html_code: "",
    network_offer_id: 0,
    delay_ms: 0,
    network_offer_payout_revenue_id: 0,
    facebook_pixel: null,
    time_created: 1,
    time_saved: 1,
  }) as Pixel;

const pending = (name: string, url: string): PendingCreate => ({
  urn: `urn:pulumi:s::p::pulumi-nodejs:dynamic/affiliate:Postback::${name}`,
  name,
  account: "default",
  listing: "default",
  inputs: { deliveryMethod: "postback", pixelLevel: "global", pixelType: "conversion", postbackUrl: url },
});

describe("planRecovery", () => {
  it("adopts the untracked postback that matches, clears the create that never landed", () => {
    const live = new Map([
      ["default", [pixel(1, "https://a"), pixel(2, "https://b"), pixel(3, "https://c")]],
    ]);
    const plan = planRecovery(
      [pending("a", "https://a"), pending("b", "https://b"), pending("z", "https://z")],
      live,
      new Set([3]),
    );
    expect(plan).toEqual({
      imports: [
        { urn: expect.stringMatching(/::a$/), name: "a", pixelId: 1 },
        { urn: expect.stringMatching(/::b$/), name: "b", pixelId: 2 },
      ],
      clears: [{ urn: expect.stringMatching(/::z$/), name: "z" }],
      ambiguous: [],
    });
  });

  it("never adopts a postback the stack already tracks", () => {
    const live = new Map([["default", [pixel(1, "https://a")]]]);
    expect(planRecovery([pending("a", "https://a")], live, new Set([1])).clears).toHaveLength(1);
  });

  it("shares identical candidates between identical creates, and leaves surplus candidates to a person", () => {
    const live = new Map([["default", [pixel(5, "https://same"), pixel(4, "https://same")]]]);
    const two = planRecovery([pending("x", "https://same"), pending("y", "https://same")], live, new Set());
    expect(two.imports.map((i) => [i.name, i.pixelId])).toEqual([
      ["x", 4],
      ["y", 5],
    ]);
    const one = planRecovery([pending("x", "https://same")], live, new Set());
    expect(one.ambiguous).toEqual([{ urn: expect.any(String), name: "x", candidates: [4, 5] }]);
    expect(one.imports).toEqual([]);
  });
});

describe("withChoices", () => {
  const live = new Map([
    ["default", [pixel(4, "https://same"), pixel(5, "https://same"), pixel(6, "https://same")]],
  ]);
  const ambiguous = planRecovery(
    [pending("x", "https://same"), pending("y", "https://same")],
    live,
    new Set(),
  );

  it("records a person's choice for an ambiguous create, by name or URN", () => {
    const plan = withChoices(ambiguous, new Map([["x", 6]]));
    expect(plan).not.toBeInstanceOf(Error);
    if (plan instanceof Error) return;
    expect(plan.imports).toEqual([{ urn: expect.stringMatching(/::x$/), name: "x", pixelId: 6 }]);
    expect(plan.ambiguous).toEqual([{ urn: expect.stringMatching(/::y$/), name: "y", candidates: [4, 5] }]);
  });

  it("refuses an id that is not a candidate, or is chosen twice", () => {
    expect(withChoices(ambiguous, new Map([["x", 9]]))).toEqual(
      new Error("postback 9 is not a free candidate for x (candidates: 4, 5, 6)"),
    );
    expect(
      withChoices(
        ambiguous,
        new Map([
          ["x", 4],
          ["y", 4],
        ]),
      ),
    ).toBeInstanceOf(Error);
  });
});

describe("applyPlan", () => {
  it("turns adopted creates into resources with live outputs and drops the settled operations", () => {
    const op = (name: string) => ({
      type: "creating",
      resource: {
        urn: pending(name, "").urn,
        type: "pulumi-nodejs:dynamic/affiliate:Postback",
        inputs: { ...pending(name, "https://a").inputs, __provider: "stub" },
      },
    });
    const deployment = {
      resources: [{ urn: "stack" }],
      pending_operations: [op("a"), op("z"), { type: "updating", resource: { urn: "other" } }],
    };
    const plan = {
      imports: [{ urn: op("a").resource.urn, name: "a", pixelId: 1 }],
      clears: [{ urn: op("z").resource.urn, name: "z" }],
      ambiguous: [],
    };
    const next = applyPlan(deployment, plan, new Map([[1, pixel(1, "https://a")]]));
    expect(next.pending_operations).toEqual([{ type: "updating", resource: { urn: "other" } }]);
    expect(next.resources).toHaveLength(2);
    expect(next.resources![1]).toMatchObject({
      id: "1",
      outputs: { pixelId: 1, postbackUrl: "https://a", __provider: "stub" },
    });
  });
});

describe("recoveredOutputs: what the interrupted create would have recorded, in its face's form", () => {
  const secret = (value: unknown) => ({ [SECRET_SIG]: SIG_VALUE, plaintext: JSON.stringify(value) });
  const fb = { pixelId: "55", eventName: "Lead", accessToken: "EAAB-token-for-recover" };
  const fbPixel = {
    ...pixel(9, ""),
    delivery_method: "facebook",
    postback_url: "",
    facebook_pixel: { pixel_id: "55", event_name: "Lead", access_token: fb.accessToken },
  } as Pixel;
  const fbInputs = { deliveryMethod: "facebook", pixelLevel: "global", pixelType: "conversion" };

  it("native: the facebook pixel and the record of the write are secret; no hidden inputs", () => {
    const outputs = recoveredOutputs(
      { type: NATIVE_POSTBACK_TYPE, inputs: { ...fbInputs, facebookPixel: secret(fb) } },
      fbPixel,
    );
    expect(outputs.facebookPixel).toEqual(secret(fb));
    expect(isSecretValue(outputs[APPLIED_KEY])).toBe(true);
    expect(revealed(outputs[APPLIED_KEY])).toEqual(
      appliedRecord({ ...fbInputs, facebookPixel: fb }, { ...fbInputs, facebookPixel: fb }),
    );
    expect(outputs).toMatchObject({ pixelId: 9, deliveryMethod: "facebook", account: "default" });
    expect(outputs).not.toHaveProperty("__provider");
    expect(outputs).not.toHaveProperty("secretInputs");
  });

  it("native: a field the program marked secret stays secret in the outputs", () => {
    const url = "https://a.example.com/?api_key=partner-key-77";
    const outputs = recoveredOutputs(
      {
        type: NATIVE_POSTBACK_TYPE,
        inputs: { ...pending("a", "").inputs, postbackUrl: secret(url) },
      },
      pixel(3, url),
    );
    expect(outputs.postbackUrl).toEqual(secret(url));
    expect(isSecretValue(outputs[APPLIED_KEY])).toBe(true);
    expect(outputs.pixelLevel).toBe("global");
  });

  it("dynamic: keeps the serialized provider and the list of secret fields, and marks those fields", () => {
    const url = "https://a.example.com/?token=partner-token-12";
    const outputs = recoveredOutputs(
      {
        type: DYNAMIC_POSTBACK_TYPE,
        inputs: { ...pending("a", url).inputs, __provider: "stub", secretInputs: "postbackUrl" },
      },
      pixel(4, url),
    );
    expect(outputs).toMatchObject({ __provider: "stub", secretInputs: "postbackUrl", pixelId: 4 });
    expect(outputs.postbackUrl).toEqual(secret(url));
    expect(isSecretValue(outputs[APPLIED_KEY])).toBe(true);
  });

  it("dynamic without secrets: the record of the write is plain", () => {
    const outputs = recoveredOutputs(
      { type: DYNAMIC_POSTBACK_TYPE, inputs: { ...pending("a", "https://a").inputs, __provider: "stub" } },
      pixel(1, "https://a"),
    );
    expect(outputs[APPLIED_KEY]).toEqual(
      appliedRecord(pending("a", "https://a").inputs, pending("a", "https://a").inputs),
    );
    expect(outputs.postbackUrl).toBe("https://a");
    expect(outputs).not.toHaveProperty("secretInputs");
  });
});

describe("planRecovery over several listings", () => {
  it("matches each create only against its own listing (another provider's key, another account)", () => {
    const inEu = { ...pending("eu", "https://same"), listing: "eu-provider" };
    const inDefault = pending("us", "https://same");
    const live = new Map([
      ["default", [pixel(1, "https://same")]],
      ["eu-provider", [pixel(7, "https://same")]],
    ]);
    const plan = planRecovery([inDefault, inEu], live, new Set());
    expect(plan.imports.map((i) => [i.name, i.pixelId])).toEqual([
      ["us", 1],
      ["eu", 7],
    ]);
    expect(plan.ambiguous).toEqual([]);
  });
});
