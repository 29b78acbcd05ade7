import { MissingApiKeyError, Settings } from "../../../provider/core/settings";

const config = (values: Record<string, string>) => ({ get: (key: string) => values[key] });

describe("Settings", () => {
  it("takes the default account from config before the environment", () => {
    const s = new Settings(config({ "everflow:apiKey": "from-config" }), { EVERFLOW_API_KEY: "from-env" });
    expect(s.account("default")).toEqual({ account: "default", apiKey: "from-config" });
    expect(
      new Settings(undefined, { EVERFLOW_API_KEY: "k", EVERFLOW_BASE_URL: "https://eu" }).account("default"),
    ).toEqual({
      account: "default",
      apiKey: "k",
      baseUrl: "https://eu",
    });
  });

  it("reads named accounts from everflow:accounts or EVERFLOW_API_KEY_<NAME>, inheriting the base URL", () => {
    const s = new Settings(
      config({
        "everflow:accounts": JSON.stringify({ partner: { apiKey: "p" } }),
        "everflow:baseUrl": "https://eu",
      }),
      { EVERFLOW_API_KEY_SISTER_BRAND: "s" },
    );
    expect(s.account("partner")).toEqual({ account: "partner", apiKey: "p", baseUrl: "https://eu" });
    expect(s.account("sister-brand")).toEqual({
      account: "sister-brand",
      apiKey: "s",
      baseUrl: "https://eu",
    });
  });

  it("returns a missing key as an error value that names both places and no value", () => {
    const missing = new Settings(config({}), {}).account("partner");
    expect(missing).toBeInstanceOf(MissingApiKeyError);
    expect((missing as Error).message).toBe(
      `No Everflow API key for account "partner": set it with \`pulumi config set --secret --path 'everflow:accounts.partner.apiKey' <key>\` or the EVERFLOW_API_KEY_PARTNER environment variable.`,
    );
  });

  it("rejects malformed accounts config without echoing it", () => {
    const s = new Settings(
      config({ "everflow:accounts": JSON.stringify({ partner: { apiKey: 42, secret: "x" } }) }),
      {},
    );
    expect(() => s.account("partner")).toThrow(/everflow:accounts\.partner\.apiKey/);
    expect(() => s.account("partner")).not.toThrow(/42/);
  });

  it("reads limiter and retry settings, rejecting nonsense", () => {
    expect(
      new Settings(config({ "everflow:requestsPerSecond": "2" }), { EVERFLOW_MAX_ATTEMPTS: "3" }).transport(),
    ).toEqual({
      rateLimit: { rate: 2, burst: 20 },
      maxAttempts: 3,
    });
    expect(() => new Settings(config({ "everflow:burst": "-1" }), {}).transport()).toThrow(
      "everflow:burst (or EVERFLOW_BURST) must be a positive number",
    );
  });

  it("listingMaxAgeMs: unbounded unless config or the environment sets seconds", () => {
    expect(new Settings(config({}), {}).listingMaxAgeMs()).toBeUndefined();
    expect(new Settings(config({ "everflow:listingMaxAgeSeconds": "30" }), {}).listingMaxAgeMs()).toBe(
      30_000,
    );
    expect(new Settings(config({}), { EVERFLOW_LISTING_MAX_AGE_SECONDS: "2.5" }).listingMaxAgeMs()).toBe(
      2_500,
    );
    expect(() =>
      new Settings(config({ "everflow:listingMaxAgeSeconds": "0" }), {}).listingMaxAgeMs(),
    ).toThrow(
      /everflow:listingMaxAgeSeconds \(or EVERFLOW_LISTING_MAX_AGE_SECONDS\) must be a positive number/,
    );
  });

  it("removalConfirmed: the accounts named in config, else in EVERFLOW_CONFIRM_REMOVED", () => {
    const fromEnv = new Settings(undefined, { EVERFLOW_CONFIRM_REMOVED: "default,partner" });
    expect(fromEnv.removalConfirmed("partner")).toBe(true);
    expect(fromEnv.removalConfirmed("brand")).toBe(false);
    const fromConfig = new Settings(config({ "everflow:confirmRemoved": "brand" }), {
      EVERFLOW_CONFIRM_REMOVED: "default",
    });
    expect(fromConfig.removalConfirmed("brand")).toBe(true);
    expect(fromConfig.removalConfirmed("default")).toBe(false);
    expect(new Settings(undefined, {}).removalConfirmed("default")).toBe(false);
  });

  it("platform: the account's base URL, else Everflow's US API", () => {
    const s = new Settings(undefined, {
      EVERFLOW_API_KEY: "k",
      EVERFLOW_BASE_URL_EU: "https://api-eu.eflow.team/v1",
    });
    expect(s.platform("default")).toBe("https://api.eflow.team/v1");
    expect(s.platform("missing-key")).toBe("https://api.eflow.team/v1");
    const eu = new Settings(undefined, {
      EVERFLOW_API_KEY_EU: "k",
      EVERFLOW_BASE_URL_EU: "https://api-eu.eflow.team/v1",
    });
    expect(eu.platform("eu")).toBe("https://api-eu.eflow.team/v1");
  });
});

describe("base URLs the key must not travel to", () => {
  const settings = (config: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
    new Settings({ get: (key) => config[key] }, env);

  it("refuses plain http to a host that is not loopback, naming the account and why", () => {
    const s = settings({ "everflow:apiKey": "k-1234", "everflow:baseUrl": "http://api.example.com/v1" });
    const credentials = s.account("default");
    expect(credentials).toBeInstanceOf(Error);
    expect((credentials as Error).message).toMatch(
      /^account "default": baseUrl http:\/\/api\.example\.com\/v1 would send the API key unencrypted; use https:\/\//,
    );
    expect(s.problems()).toEqual([{ key: "everflow:baseUrl", reason: (credentials as Error).message }]);
  });

  it("checks a named account's own base URL, and lets loopback and https through", () => {
    const s = settings({
      "everflow:apiKey": "k-1234",
      "everflow:baseUrl": "http://127.0.0.1:8787/v1",
      "everflow:accounts": JSON.stringify({ eu: { apiKey: "k-5678", baseUrl: "http://eu.example.com/v1" } }),
    });
    expect(s.account("default")).toMatchObject({ baseUrl: "http://127.0.0.1:8787/v1" });
    expect(s.problems().map((p) => p.key)).toEqual(["everflow:accounts.eu.baseUrl"]);
    expect(
      settings({ "everflow:apiKey": "k", "everflow:baseUrl": "https://api-eu.eflow.team/v1" }).problems(),
    ).toEqual([]);
  });
});
