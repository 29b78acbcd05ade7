import { StackCredentials, providerUrnOf } from "../../../cli/credentials";
import { providerInputs } from "../../../provider/core/settings";
import { DYNAMIC_POSTBACK_TYPE, NATIVE_POSTBACK_TYPE } from "../../../cli/postback-types";

const EU = "urn:pulumi:prod::shop::pulumi:providers:everflow::eu";
const DEFAULT = "urn:pulumi:prod::shop::pulumi:providers:everflow::default";

describe("where a postback's credentials come from", () => {
  const stored = new Map([
    [EU, { inputs: { apiKey: "k-eu-provider", baseUrl: "https://api-eu.eflow.team/v1" }, outputs: {} }],
    [DEFAULT, { inputs: { apiKey: "k-default-provider" }, outputs: {} }],
  ]);
  const credentials = new StackCredentials(
    { "everflow:apiKey": "k-stack-config", "everflow:baseUrl": "https://api.eflow.team/v1" },
    stored,
    {},
  );

  it("a dynamic postback: the stack's config", () => {
    const source = credentials.sourceOf({ type: DYNAMIC_POSTBACK_TYPE });
    expect(source.key).toBe("stack config");
    expect(source.config.get("everflow:apiKey")).toBe("k-stack-config");
  });

  it("a native postback: its provider's inputs in the state, default or explicit", () => {
    const eu = credentials.sourceOf({ type: NATIVE_POSTBACK_TYPE, provider: `${EU}::1f2e` });
    expect(eu.key).toBe(EU);
    expect(eu.config.get("everflow:apiKey")).toBe("k-eu-provider");
    expect(
      credentials.client({ type: NATIVE_POSTBACK_TYPE, provider: `${EU}::1f2e` }, "default").baseUrl,
    ).toBe("https://api-eu.eflow.team/v1");
    const byDefault = credentials.sourceOf({ type: NATIVE_POSTBACK_TYPE, provider: `${DEFAULT}::77` });
    expect(byDefault.config.get("everflow:apiKey")).toBe("k-default-provider");
  });

  it("a native postback whose provider is not in the state: the stack's config", () => {
    const missing = `urn:pulumi:prod::shop::pulumi:providers:everflow::gone::1`;
    expect(credentials.sourceOf({ type: NATIVE_POSTBACK_TYPE, provider: missing }).key).toBe("stack config");
  });

  it("reads a provider URN only out of an everflow provider reference", () => {
    expect(providerUrnOf(`${EU}::1f2e`)).toBe(EU);
    expect(providerUrnOf("urn:pulumi:prod::shop::pulumi:providers:aws::default::9")).toBeUndefined();
    expect(providerUrnOf(undefined)).toBeUndefined();
  });
});

describe("a provider's inputs as settings (core/settings.ts providerInputs, which the native face uses too)", () => {
  it("reads each under its everflow: key, objects and numbers as JSON, nothing for null", () => {
    const source = providerInputs({
      apiKey: "k",
      baseUrl: "https://api-eu.eflow.team/v1",
      accounts: { eu: { apiKey: "k-eu" } },
      requestsPerSecond: 3,
      burst: null,
    });
    expect(source.get("everflow:apiKey")).toBe("k");
    expect(source.get("apiKey")).toBe("k");
    expect(source.get("everflow:baseUrl")).toBe("https://api-eu.eflow.team/v1");
    expect(source.get("everflow:accounts")).toBe('{"eu":{"apiKey":"k-eu"}}');
    expect(source.get("everflow:requestsPerSecond")).toBe("3");
    expect(source.get("everflow:burst")).toBeUndefined();
    expect(source.get("everflow:timeoutMs")).toBeUndefined();
  });
});
