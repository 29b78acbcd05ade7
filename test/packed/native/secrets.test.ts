import * as path from "node:path";
import type { EmulatorAccount } from "../../../emulator";
import {
  DEFAULT_ACCOUNT,
  DEFAULT_KEY,
  expectExit,
  isCiphertext,
  nameOf,
  nativeStack,
  PARTNER_ACCOUNT,
  PARTNER_KEY,
  STEP_TIMEOUT_MS,
  type ExportedResource,
  type NativeStack,
} from "./native-stack";

// Secrets through the native face, in a YAML and a Python program (fixtures/secrets-*): the providers'
// apiKey and accounts, facebookPixel, and an input the program marks secret are ciphertext in the
// state (inputs and outputs), `[secret]` where the CLI shows them, and nowhere in clear: not in any
// file of the backend, not in the output of any command, `preview --json` included. The fixtures and
// the emulator's accounts below hold the same values; the emulator receiving them proves they were used.

const SIDE_KEY = "ef-native-side-key-d27b5c40";
const SIDE_ACCOUNT: EmulatorAccount = { apiKey: SIDE_KEY, networkId: 1, affiliateId: 9 };
const FACEBOOK_TOKEN = "EAAB-native-secret-token-93ad";
const URL_SECRET = "url-secret-5e8f1a";
const PLAINTEXTS = [DEFAULT_KEY, PARTNER_KEY, SIDE_KEY, FACEBOOK_TOKEN, URL_SECRET];

const byName = (resources: ExportedResource[], type: string, name: string): ExportedResource => {
  const found = resources.find((r) => r.type === type && nameOf(r.urn) === name);
  if (!found) throw new Error(`no ${type} ${name} in the state`);
  return found;
};

describe.each([
  { language: "YAML", fixture: "secrets-yaml", python: false },
  { language: "Python", fixture: "secrets-python", python: true },
])("secrets of a $language program", ({ fixture, python }) => {
  let s: NativeStack;
  let ids: Record<string, number> = {};

  beforeAll(async () => {
    s = await nativeStack({
      name: fixture,
      project: path.join(__dirname, "fixtures", fixture),
      python,
      accounts: [DEFAULT_ACCOUNT, PARTNER_ACCOUNT, SIDE_ACCOUNT],
      config: (url) => [
        { key: "partnerApiKey", value: PARTNER_KEY, secret: true },
        { key: "partnerBaseUrl", value: url },
      ],
    });
  }, STEP_TIMEOUT_MS);
  afterAll(() => s?.stop());

  it(
    "deploys with every secret reaching Everflow, each postback in its account",
    async () => {
      const preview = await s.pulumi("preview", "--diff");
      expectExit(preview, 0);
      expect(preview.stdout).toMatch(/facebookPixel\s*:\s*\[secret\]/);
      expect(preview.stdout).toMatch(/postbackUrl\s*:\s*\[secret\]/);
      expect(preview.stdout).toMatch(/apiKey\s*:\s*\[secret\]/);
      expect(preview.stdout).toMatch(/accounts\s*:\s*\[secret\]/);

      const up = await s.pulumi("up", "--yes", "--diff");
      expectExit(up, 0);
      expect(up.stdout).toMatch(/facebookPixel\s*:\s*\[secret\]/);
      const output = await s.pulumi("stack", "output", "ids", "--json");
      expectExit(output, 0);
      ids = JSON.parse(output.stdout) as Record<string, number>;

      expect(s.emulator.store.get(ids.facebook!)?.facebook_pixel?.access_token).toBe(FACEBOOK_TOKEN);
      expect(s.emulator.store.get(ids.markedSecret!)?.postback_url).toContain(URL_SECRET);
      expect(s.emulator.store.get(ids.partnerConversion!)?.network_affiliate_id).toBe(
        PARTNER_ACCOUNT.affiliateId,
      );
      expect(s.emulator.store.get(ids.sideConversion!)?.network_affiliate_id).toBe(SIDE_ACCOUNT.affiliateId);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "keeps them ciphertext in the state, inputs and outputs, and what derives from them too",
    async () => {
      const resources = await s.exportedResources();
      const secretIn = (r: ExportedResource, key: string) => ({
        resource: nameOf(r.urn),
        key,
        input: isCiphertext(r.inputs?.[key]),
        output: isCiphertext(r.outputs?.[key]),
      });
      const both = (r: ExportedResource, key: string) => ({
        resource: nameOf(r.urn),
        key,
        input: true,
        output: true,
      });
      const providers = resources.filter((r) => r.type === "pulumi:providers:everflow");
      // The default provider is `default`, or `default_0_1_0` when the SDK names its version (Python).
      expect(providers.map((p) => nameOf(p.urn).replace(/^default_.*/, "default")).sort()).toEqual([
        "default",
        "partner",
      ]);
      for (const provider of providers)
        expect(secretIn(provider, "apiKey")).toEqual(both(provider, "apiKey"));
      const partner = byName(resources, "pulumi:providers:everflow", "partner");
      expect(secretIn(partner, "accounts")).toEqual(both(partner, "accounts"));

      const facebook = byName(resources, "everflow:index:Postback", "facebook");
      expect(secretIn(facebook, "facebookPixel")).toEqual(both(facebook, "facebookPixel"));
      const marked = byName(resources, "everflow:index:Postback", "markedSecret");
      expect(secretIn(marked, "postbackUrl")).toEqual(both(marked, "postbackUrl"));
      // lastApplied (what was last written) derives from the secret values.
      expect(isCiphertext(facebook.outputs?.lastApplied)).toBe(true);
      expect(isCiphertext(marked.outputs?.lastApplied)).toBe(true);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "shows [secret] for secret outputs, and none in clear in preview --json",
    async () => {
      for (const name of ["facebookPixel", "markedSecretUrl"]) {
        const output = await s.pulumi("stack", "output", name);
        expectExit(output, 0);
        expect(output.stdout.trim()).toBe("[secret]");
      }
      const json = await s.pulumi("preview", "--refresh", "--expect-no-changes", "--json");
      expectExit(json, 0);
      expect(json.stdout).toContain("[secret]");
      for (const plaintext of PLAINTEXTS)
        expect({ plaintext, found: json.stdout.includes(plaintext) }).toEqual({
          plaintext,
          found: false,
        });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "destroys, and no plaintext is in any file of the backend or in the output of any command",
    async () => {
      expectExit(await s.pulumi("destroy", "--yes", "--diff"), 0);
      for (const id of Object.values(ids)) expect(s.emulator.store.get(id)?.pixel_status).toBe("inactive");
      const backend = s.backendText();
      const output = s.allOutput();
      expect(backend).toContain("ciphertext");
      for (const plaintext of PLAINTEXTS) {
        expect({
          plaintext,
          backend: backend.includes(plaintext),
          output: output.includes(plaintext),
        }).toEqual({
          plaintext,
          backend: false,
          output: false,
        });
      }
    },
    STEP_TIMEOUT_MS,
  );
});
