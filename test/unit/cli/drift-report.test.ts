import type { EngineEvent } from "@pulumi/pulumi/automation";
import {
  buildReport,
  exitCodeOf,
  fieldDrift,
  refreshedPostbacks,
  reportJson,
  reportText,
  SECRET_SIG,
  type RefreshedPostback,
} from "../../../cli/drift-report";
import { appliedRecord } from "../../../provider/core/applied";
import { resolveSecrets, revealed, stateByUrn, type SecretSources } from "../../../cli/drift-secrets";
import { DYNAMIC_POSTBACK_TYPE as POSTBACK_TYPE, NATIVE_POSTBACK_TYPE } from "../../../cli/postback-types";

const TOKEN = "EAAB-secret-token-0042";
const SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";
const hidden = { [SECRET_SIG]: SIG_VALUE, ciphertext: "[secret]" };
const urn = (name: string) => `urn:pulumi:dev::shop::${POSTBACK_TYPE}::${name}`;

const checkout = {
  __provider: "exports.handler = ...",
  account: "default",
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelStatus: "active",
  pixelType: "conversion",
  postbackUrl: "https://track.example.com/cb?tid={transaction_id}",
  delayMs: 0,
  networkOfferPayoutRevenueId: 0,
};
const fbDeclared = {
  account: "default",
  deliveryMethod: "facebook",
  pixelLevel: "global",
  pixelStatus: "active",
  pixelType: "conversion",
  delayMs: 0,
  networkOfferPayoutRevenueId: 0,
  facebookPixel: { pixelId: "1234", eventName: "Purchase", accessToken: TOKEN },
};

describe("drift: field differences", () => {
  it("is empty when the live postback matches, whatever the representation", () => {
    // Live reads leave out what does not apply; the declaration may hold defaults and the alias `event`.
    const live = { ...checkout, __provider: undefined, pixelStatus: undefined, pixelType: "conversion" };
    expect(fieldDrift(checkout, live)).toEqual([]);
    expect(
      fieldDrift({ ...checkout, pixelType: "post_conversion" }, { ...checkout, pixelType: "event" }),
    ).toEqual([]);
  });

  it("with the record of the last write, drift is the live postback against Everflow's answer to it", () => {
    // Everflow stored the URL escaped: that answer is no drift, a change made after it is.
    const escaped = checkout.postbackUrl.replace("?", "?&amp;");
    const applied = appliedRecord(checkout, { ...checkout, postbackUrl: escaped });
    expect(fieldDrift(checkout, { ...checkout, postbackUrl: escaped }, [], applied)).toEqual([]);
    expect(fieldDrift(checkout, { ...checkout, postbackUrl: escaped, delayMs: 9 }, [], applied)).toEqual([
      { field: "delayMs", declared: 0, live: 9 },
    ]);
    // Without the record (state of an older release), the declaration is the basis.
    expect(fieldDrift(checkout, { ...checkout, postbackUrl: escaped })).toEqual([
      { field: "postbackUrl", declared: checkout.postbackUrl, live: escaped },
    ]);
  });

  it("names each changed field with its declared and live values, in a stable order", () => {
    const live = {
      ...checkout,
      delayMs: 5000,
      postbackUrl: "https://evil.example.com/steal",
      pixelStatus: "inactive",
    };
    expect(fieldDrift(checkout, live)).toEqual([
      { field: "pixelStatus", declared: "active", live: "inactive" },
      { field: "postbackUrl", declared: checkout.postbackUrl, live: "https://evil.example.com/steal" },
      { field: "delayMs", declared: 0, live: 5000 },
    ]);
  });

  it("names the part of a facebook pixel that changed, and never shows the token", () => {
    const live = {
      ...fbDeclared,
      facebookPixel: { pixelId: "1234", eventName: "Lead", accessToken: "other-token" },
    };
    const fields = fieldDrift(fbDeclared, live);
    expect(fields).toEqual([
      { field: "facebookPixel.eventName", declared: "Purchase", live: "Lead" },
      { field: "facebookPixel.accessToken", declared: "[secret]", live: "[secret]" },
    ]);
    expect(JSON.stringify(fields)).not.toContain(TOKEN);
    expect(JSON.stringify(fields)).not.toContain("other-token");
  });

  it("shows a whole facebook pixel, token hidden, when the delivery method changed", () => {
    const live = { ...checkout, facebookPixel: undefined };
    const fields = fieldDrift(fbDeclared, live);
    expect(fields.map((f) => f.field)).toEqual(["deliveryMethod", "postbackUrl", "facebookPixel"]);
    expect(fields[2]).toEqual({
      field: "facebookPixel",
      declared: { pixelId: "1234", eventName: "Purchase", accessToken: "[secret]" },
      live: null,
    });
  });
});

/** The events of a refresh-only preview, as the engine sends them (see the e2e test for real ones). */
function refreshEvents(): EngineEvent[] {
  const state = (name: string, id: string, inputs: Record<string, unknown>) => ({
    type: POSTBACK_TYPE,
    urn: urn(name),
    id,
    parent: "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev",
    provider: "",
    inputs,
    outputs: { ...inputs, pixelId: Number(id) },
  });
  const pre = (name: string, id: string, inputs: Record<string, unknown>): EngineEvent => ({
    sequence: 1,
    timestamp: 0,
    resourcePreEvent: {
      metadata: {
        op: "refresh",
        urn: urn(name),
        type: POSTBACK_TYPE,
        provider: "",
        old: state(name, id, inputs),
        new: state(name, id, inputs),
      },
    },
  });
  const out = (
    name: string,
    op: "update" | "delete" | "same",
    id: string,
    old: object,
    now?: object,
  ): EngineEvent => ({
    sequence: 2,
    timestamp: 0,
    resOutputsEvent: {
      metadata: {
        op,
        urn: urn(name),
        type: POSTBACK_TYPE,
        provider: "",
        old: state(name, id, old as Record<string, unknown>),
        ...(now ? { new: state(name, id, now as Record<string, unknown>) } : {}),
      },
    },
  });
  const fbHidden = { ...fbDeclared, facebookPixel: hidden };
  return [
    { sequence: 0, timestamp: 0, preludeEvent: { config: {} } },
    pre("checkout", "1000", checkout),
    pre("signup", "1001", checkout),
    pre("meta", "1002", fbHidden),
    pre("same", "1003", checkout),
    // Another type is never counted.
    {
      sequence: 1,
      timestamp: 0,
      resOutputsEvent: {
        metadata: {
          op: "update",
          urn: "urn:x::y::aws:s3/bucket:Bucket::b",
          type: "aws:s3/bucket:Bucket",
          provider: "",
        },
      },
    },
    out("signup", "delete", "1001", checkout),
    out("checkout", "update", "1000", checkout, { ...checkout, postbackUrl: "https://evil.example.com/" }),
    out("meta", "update", "1002", fbHidden, fbHidden),
  ];
}

/** The events of one native postback (a program in any language), served by an explicit provider. */
function nativeEvents(): EngineEvent[] {
  const nativeUrn = `urn:pulumi:dev::shop::${NATIVE_POSTBACK_TYPE}::yaml-checkout`;
  const provider = "urn:pulumi:dev::shop::pulumi:providers:everflow::eu::0c1d";
  const state = (inputs: Record<string, unknown>) => ({
    type: NATIVE_POSTBACK_TYPE,
    urn: nativeUrn,
    id: "2000",
    parent: "",
    provider,
    inputs,
    outputs: { ...inputs, pixelId: 2000 },
  });
  const { __provider: _none, ...declared } = checkout;
  return [
    {
      sequence: 1,
      timestamp: 0,
      resOutputsEvent: {
        metadata: {
          op: "update",
          urn: nativeUrn,
          type: NATIVE_POSTBACK_TYPE,
          provider,
          old: state(declared),
          new: state({ ...declared, delayMs: 5000 }),
        },
      },
    },
  ];
}

describe("drift: the refresh's postbacks", () => {
  it("reads old (declared) and new (live) inputs per postback; a deleted one has no live inputs", () => {
    const postbacks = refreshedPostbacks(refreshEvents());
    expect(postbacks.map((p) => [p.urn, p.id, p.live === undefined])).toEqual([
      [urn("checkout"), "1000", false],
      [urn("signup"), "1001", true],
      [urn("meta"), "1002", false],
      [urn("same"), "1003", false],
    ]);
    expect(postbacks[0]!.live!.postbackUrl).toBe("https://evil.example.com/");
    expect(postbacks[0]!.declared.postbackUrl).toBe(checkout.postbackUrl);
  });

  it("counts native postbacks (everflow:index:Postback) beside dynamic ones, with their provider", () => {
    const postbacks = refreshedPostbacks([...refreshEvents(), ...nativeEvents()]);
    expect(postbacks.map((p) => [p.type, p.id])).toEqual([
      [POSTBACK_TYPE, "1000"],
      [POSTBACK_TYPE, "1001"],
      [POSTBACK_TYPE, "1002"],
      [POSTBACK_TYPE, "1003"],
      [NATIVE_POSTBACK_TYPE, "2000"],
    ]);
    const native = postbacks[4]!;
    expect(native.provider).toBe("urn:pulumi:dev::shop::pulumi:providers:everflow::eu::0c1d");
    expect(buildReport("dev", [native]).drift).toEqual([
      {
        urn: native.urn,
        name: "yaml-checkout",
        pixelId: 2000,
        fields: [{ field: "delayMs", declared: 0, live: 5000 }],
      },
    ]);
  });

  it("resolves secrets: declared from the state export, live from a read; nothing else is fetched", async () => {
    const calls: string[] = [];
    const sources: SecretSources = {
      storedState: async () => {
        calls.push("export");
        return stateByUrn({
          deployment: {
            resources: [
              {
                urn: urn("meta"),
                inputs: {
                  ...fbDeclared,
                  facebookPixel: {
                    [SECRET_SIG]: SIG_VALUE,
                    plaintext: JSON.stringify(fbDeclared.facebookPixel),
                  },
                },
              },
            ],
          },
        });
      },
      livePostback: async (_postback, account, id, knownToken) => {
        calls.push(`get ${account} ${id} ${knownToken === TOKEN ? "token" : "no token"}`);
        return { ...fbDeclared, facebookPixel: { pixelId: "1234", eventName: "Lead", accessToken: TOKEN } };
      },
    };
    const resolved = await resolveSecrets(refreshedPostbacks(refreshEvents()), sources);
    expect(calls).toEqual(["export", "get default 1002 token"]);
    const report = buildReport("dev", resolved);
    expect(report.drift.find((d) => d.name === "meta")?.fields).toEqual([
      { field: "facebookPixel.eventName", declared: "Purchase", live: "Lead" },
    ]);
  });

  it("treats a postback whose live read finds it gone as missing", async () => {
    const sources: SecretSources = {
      storedState: async () => new Map([[urn("meta"), { inputs: { ...fbDeclared }, outputs: {} }]]),
      livePostback: async () => undefined,
    };
    const report = buildReport("dev", await resolveSecrets(refreshedPostbacks(refreshEvents()), sources));
    expect(report.missing.map((m) => m.name)).toEqual(["meta", "signup"]);
  });

  it("refuses to compare a value it could not see", () => {
    const p: RefreshedPostback = {
      urn: urn("meta"),
      id: "1002",
      declared: { ...fbDeclared, facebookPixel: hidden },
      live: fbDeclared,
    };
    expect(() => buildReport("dev", [p])).toThrow(/not resolved/);
  });

  it("reveals exported secrets, and refuses ciphertext", () => {
    expect(revealed({ [SECRET_SIG]: SIG_VALUE, plaintext: '{"a":1}' })).toEqual({ a: 1 });
    expect(revealed("plain")).toBe("plain");
    expect(() => revealed(hidden)).toThrow(/encrypted/);
  });
});

describe("drift: the report", () => {
  const postbacks: RefreshedPostback[] = [
    { urn: urn("signup"), id: "1001", declared: checkout, live: undefined },
    { urn: urn("checkout"), id: "1000", declared: checkout, live: { ...checkout, delayMs: 300 } },
    { urn: urn("same"), id: "1003", declared: checkout, live: checkout },
    {
      urn: urn("meta"),
      id: "1002",
      declared: fbDeclared,
      live: { ...fbDeclared, facebookPixel: { ...fbDeclared.facebookPixel, accessToken: "rotated" } },
    },
  ];

  it("is clean (exit 0) when nothing differs, including for a stack without postbacks", () => {
    expect(exitCodeOf(buildReport("dev", []))).toBe(0);
    const clean = buildReport("dev", [postbacks[2]!]);
    expect(clean).toEqual({ stack: "dev", basis: "last-applied", checked: 1, drift: [], missing: [] });
    expect(exitCodeOf(clean)).toBe(0);
    expect(reportText(clean)).toBe(
      'No drift in stack "dev": 1 postback compared with each postback\'s declaration as last applied by ' +
        "`pulumi up` (a refresh-only preview: the program was not run, nothing was changed).\n",
    );
  });

  it("has a fixed JSON shape and key order, with secrets hidden (exit 2)", () => {
    const report = buildReport("dev", postbacks);
    expect(exitCodeOf(report)).toBe(2);
    const text = reportJson(report);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain("rotated");
    expect(JSON.parse(text)).toEqual({
      stack: "dev",
      basis: "last-applied",
      checked: 4,
      drift: [
        {
          urn: urn("checkout"),
          name: "checkout",
          pixelId: 1000,
          fields: [{ field: "delayMs", declared: 0, live: 300 }],
        },
        {
          urn: urn("meta"),
          name: "meta",
          pixelId: 1002,
          fields: [{ field: "facebookPixel.accessToken", declared: "[secret]", live: "[secret]" }],
        },
      ],
      missing: [{ urn: urn("signup"), name: "signup", pixelId: 1001 }],
    });
    // Key order, not only content.
    expect(Object.keys(JSON.parse(text))).toEqual(["stack", "basis", "checked", "drift", "missing"]);
    expect(text.indexOf('"urn"')).toBeLessThan(text.indexOf('"name"'));
    expect(text.indexOf('"field"')).toBeLessThan(text.indexOf('"declared"'));
    expect(text.indexOf('"declared"')).toBeLessThan(text.indexOf('"live"'));
  });

  it("prints one line per changed field and per missing postback", () => {
    const text = reportText(buildReport("dev", postbacks));
    expect(text.split("\n")).toEqual([
      'Drift in stack "dev": 4 postbacks compared with each postback\'s declaration as last applied by `pulumi up` ' +
        "(a refresh-only preview: the program was not run, nothing was changed).",
      "~ checkout (postback 1000)",
      "    delayMs: declared 0, live 300",
      "~ meta (postback 1002)",
      "    facebookPixel.accessToken: declared [secret], live [secret]",
      "- signup (postback 1001): missing in Everflow",
      "2 postbacks changed, 1 missing. `pulumi up --refresh` restores the declaration; or change the program to match Everflow.",
      "",
    ]);
  });
});

describe("drift: fields secret in state", () => {
  const SECRET_URL = "https://partner.example/cb?api_key=pk_live_drift_5e1&tid={transaction_id}";
  const LIVE_URL = "https://partner.example/cb?api_key=pk_live_drift_OTHER&tid={transaction_id}";
  const refreshed: RefreshedPostback = {
    urn: urn("partner"),
    id: "1009",
    declared: { ...checkout, postbackUrl: hidden, delayMs: 0 },
    live: { ...checkout, postbackUrl: hidden, delayMs: 250 },
  };
  const sources: SecretSources = {
    storedState: async () =>
      stateByUrn({
        deployment: {
          resources: [
            {
              urn: urn("partner"),
              inputs: {
                ...checkout,
                postbackUrl: { [SECRET_SIG]: SIG_VALUE, plaintext: JSON.stringify(SECRET_URL) },
              },
            },
          ],
        },
      }),
    livePostback: async () => ({ ...checkout, postbackUrl: LIVE_URL, delayMs: 250 }),
  };

  it("compares them in clear and shows both sides as [secret], in text and JSON", async () => {
    const report = buildReport("dev", await resolveSecrets([refreshed], sources));
    expect(report.drift[0]!.fields).toEqual([
      { field: "postbackUrl", declared: "[secret]", live: "[secret]" },
      { field: "delayMs", declared: 0, live: 250 },
    ]);
    for (const text of [reportText(report), reportJson(report)]) {
      expect(text).not.toContain("pk_live_drift");
      expect(text).not.toContain("partner.example");
    }
    expect(reportText(report)).toContain("    postbackUrl: declared [secret], live [secret]");
  });

  it("shows [secret] when only one side is secret", async () => {
    const oneSide = { ...refreshed, live: { ...checkout, postbackUrl: LIVE_URL, delayMs: 0 } };
    const report = buildReport("dev", await resolveSecrets([oneSide], sources));
    expect(report.drift[0]!.fields).toEqual([
      { field: "postbackUrl", declared: "[secret]", live: "[secret]" },
    ]);
  });
});
