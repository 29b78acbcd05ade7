// drift and recover on stacks whose postbacks are the native plugin's (everflow:index:Postback): a
// Pulumi YAML program, default and explicit providers; and a TypeScript stack holding both kinds.

import { execFileSync } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";
import { Postback, type PostbackArgs } from "../../../sdk";
import { resetClientRegistry } from "../../../provider/client";
import { pulumiEngine } from "../../support/engine";
import { API_KEY, createEverflowStack, type EverflowTestStack } from "../../support/everflow";
import { GET_ONE, interruptCreates, POST, PUT, runCli, stackEnv } from "./helpers";
import { createNativeStack, PLUGIN_TARBALL, PROJECT, type NativeTestStack } from "./native-stack";

const FB_TOKEN = "EAAB-native-drift-token-93d1";
const PARTNER_KEY = "ef-e2e-partner-key-40c7";
const NATIVE = "everflow:index:Postback";

const yamlProgram = (baseUrl: string) => `config:
  metaToken:
    type: string
    secret: true
  partnerKey:
    type: string
    secret: true
resources:
  partner:
    type: pulumi:providers:everflow
    properties:
      apiKey: \${partnerKey}
      baseUrl: ${baseUrl}
      requestsPerSecond: 200
      burst: 200
  checkout:
    type: ${NATIVE}
    properties:
      deliveryMethod: postback
      pixelLevel: specific
      networkOfferId: 42
      pixelType: conversion
      postbackUrl: https://track.example.com/cb?tid={transaction_id}
  meta:
    type: ${NATIVE}
    properties:
      deliveryMethod: facebook
      pixelLevel: global
      pixelType: conversion
      facebookPixel:
        pixelId: "1234567890"
        eventName: Purchase
        accessToken: \${metaToken}
  partnerCheckout:
    type: ${NATIVE}
    properties:
      deliveryMethod: postback
      pixelLevel: global
      pixelType: conversion
      postbackUrl: https://partner.example.com/cb?tid={transaction_id}
    options:
      provider: \${partner}
`;

describe("drift and recover on a YAML stack of native postbacks", () => {
  let t: NativeTestStack;
  let env: NodeJS.ProcessEnv;
  const ids: Record<string, number> = {};
  const cli = (command: string, ...flags: string[]) =>
    runCli([command, "--cwd", t.workDir, "--stack", "test", ...flags], env);
  const urnOf = (name: string) => `urn:pulumi:test::${PROJECT}::${NATIVE}::${name}`;

  beforeAll(async () => {
    t = await createNativeStack("cli-native", yamlProgram, {
      // The partner's postbacks belong to another affiliate of the network, with a key of its own.
      emulator: {
        accounts: [
          { apiKey: API_KEY, networkId: 1, affiliateId: 7 },
          { apiKey: PARTNER_KEY, networkId: 1, affiliateId: 8 },
        ],
      },
    });
    await t.stack.setConfig("metaToken", { value: FB_TOKEN, secret: true });
    await t.stack.setConfig("partnerKey", { value: PARTNER_KEY, secret: true });
    await t.stack.up();
    const state = await t.stack.exportStack();
    for (const r of state.deployment.resources as Array<{ type: string; urn: string; id: string }>) {
      if (r.type === NATIVE) ids[r.urn.split("::").pop()!] = Number(r.id);
    }
    env = stackEnv(t);
  });
  afterAll(async () => {
    await resetClientRegistry();
    await t?.stop();
  });
  beforeEach(() => t.emulator.log.reset());

  it("finds no drift in a clean stack (exit 0), and writes nothing", async () => {
    expect(Object.keys(ids).sort()).toEqual(["checkout", "meta", "partnerCheckout"]);
    const before = t.rawState();
    const r = await cli("drift");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^No drift in stack "test": 3 postbacks compared/);
    expect(t.emulator.log.count(POST) + t.emulator.log.count(PUT)).toBe(0);
    expect(t.rawState()).toBe(before);
  });

  it("names the fields changed out of band, the partner's included, never the token (exit 2)", async () => {
    t.emulator.store.update(ids.checkout!, { postback_url: "https://evil.example.com/x" });
    const fb = t.emulator.store.get(ids.meta!)!.facebook_pixel!;
    t.emulator.store.update(ids.meta!, { facebook_pixel: { ...fb, event_name: "Lead" } });
    t.emulator.store.update(ids.partnerCheckout!, { delay_ms: 60_000 });
    const r = await cli("drift", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(2);
    for (const secret of [FB_TOKEN, API_KEY, PARTNER_KEY]) expect(r.stdout).not.toContain(secret);
    expect(JSON.parse(r.stdout)).toEqual({
      stack: "test",
      basis: "last-applied",
      checked: 3,
      drift: [
        {
          urn: urnOf("checkout"),
          name: "checkout",
          pixelId: ids.checkout,
          fields: [
            {
              field: "postbackUrl",
              declared: "https://track.example.com/cb?tid={transaction_id}",
              live: "https://evil.example.com/x",
            },
          ],
        },
        {
          urn: urnOf("meta"),
          name: "meta",
          pixelId: ids.meta,
          fields: [{ field: "facebookPixel.eventName", declared: "Purchase", live: "Lead" }],
        },
        {
          urn: urnOf("partnerCheckout"),
          name: "partnerCheckout",
          pixelId: ids.partnerCheckout,
          fields: [{ field: "delayMs", declared: 0, live: 60_000 }],
        },
      ],
      missing: [],
    });
    expect(t.emulator.log.count(POST) + t.emulator.log.count(PUT)).toBe(0);
  });

  it("recovers interrupted native creates, with the partner's listed under the partner's key", async () => {
    await t.stack.up({ refresh: true }); // back to the declaration
    interruptCreates(t, ["meta", "partnerCheckout"]);
    t.emulator.log.reset();

    const dry = await cli("recover", "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`  import  meta: postback ${ids.meta} was created; recording it\n`);
    expect(dry.stdout).toContain(
      `  import  partnerCheckout: postback ${ids.partnerCheckout} was created; recording it\n`,
    );
    const r = await cli("recover");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Recovered: 2 recorded, 0 cleared.");
    // The state file keeps secrets encrypted: the recorded facebook pixel is no exception.
    expect(t.rawState()).not.toContain(FB_TOKEN);

    t.emulator.log.reset();
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 5 });
    expect(t.emulator.log.count(POST) + t.emulator.log.count(PUT)).toBe(0);
    expect(t.emulator.store.all()).toHaveLength(3);

    // The recorded outputs carry the record of the write (secret for the facebook pixel): drift is clean.
    const clean = await cli("drift");
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^No drift in stack "test": 3 postbacks/);
  });
});

/** A native postback declared from TypeScript, beside the dynamic Postback class of this package. */
class NativePostback extends pulumi.CustomResource {
  constructor(name: string, args: PostbackArgs) {
    super(NATIVE, name, { ...args });
  }
}

describe("drift and recover on a stack holding both kinds of postback", () => {
  let t: EverflowTestStack;
  let env: NodeJS.ProcessEnv;
  const url = (which: string) => `https://track.example.com/${which}?tid={transaction_id}`;
  const args = (which: string): PostbackArgs => ({
    deliveryMethod: "postback",
    pixelLevel: "global",
    pixelType: "conversion",
    postbackUrl: url(which),
  });
  const cli = (command: string, ...flags: string[]) =>
    runCli([command, "--cwd", t.workDir, "--stack", "test", ...flags], env);

  beforeAll(async () => {
    t = await createEverflowStack("cli-both-kinds", async () => {
      new Postback("dynamic", args("dynamic"));
      new NativePostback("native", args("native"));
    });
    execFileSync(
      pulumiEngine().cliPath,
      ["plugin", "install", "resource", "everflow", "0.1.0", "--file", PLUGIN_TARBALL],
      { env: { ...process.env, ...t.env }, stdio: ["ignore", "ignore", "pipe"] },
    );
    await t.stack.up();
    env = stackEnv(t);
  });
  afterAll(async () => {
    await resetClientRegistry();
    await t?.stop();
  });

  it("reports the drift of both", async () => {
    for (const p of t.emulator.store.all()) t.emulator.store.update(p.network_pixel_id, { delay_ms: 1000 });
    const r = await cli("drift", "--json");
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as {
      checked: number;
      drift: Array<{ urn: string; fields: unknown[] }>;
    };
    expect(report.checked).toBe(2);
    expect(report.drift.map((d) => d.urn.split("::").slice(2).join("::"))).toEqual([
      "pulumi-nodejs:dynamic/affiliate:Postback::dynamic",
      `${NATIVE}::native`,
    ]);
    for (const d of report.drift) expect(d.fields).toEqual([{ field: "delayMs", declared: 0, live: 1000 }]);
  });

  it("recovers interrupted creates of both, and the next up creates nothing", async () => {
    await t.stack.up({ refresh: true });
    interruptCreates(t, ["dynamic", "native"]);
    const r = await cli("recover");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Recovered: 2 recorded, 0 cleared.");
    t.emulator.log.reset();
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 3 });
    expect(t.emulator.log.count(POST) + t.emulator.log.count(PUT)).toBe(0);
    expect(t.emulator.log.count(GET_ONE)).toBe(0);
    expect(t.emulator.store.all()).toHaveLength(2);
  });
});
