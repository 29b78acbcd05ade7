import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../support/engine";
import { NATIVE_POSTBACK } from "../../support/native-plugin";
import {
  DEFAULT_ACCOUNT,
  expectExit,
  GET_ONE,
  nameOf,
  nativeStack,
  PARTNER_ACCOUNT,
  PARTNER_KEY,
  previewSteps,
  STEP_TIMEOUT_MS,
  type NativeStack,
} from "./native-stack";
import { editInEverflow } from "./lifecycle";

// examples/python-two-accounts as a Python user runs it: pulumi and the SDK from sdk/python in a venv,
// the plugin from its tarball, the plain CLI. The partner's postbacks go through an explicit provider
// with its own key; each step asserts what it asked of Everflow, and of which account.

/** What a user adds to __main__.py after `pulumi import`: the old Python host prints no code. */
const LEGACY_DECLARATION = `
legacy = everflow.Postback(
    "legacy",
    delivery_method=everflow.DeliveryMethod.POSTBACK,
    pixel_level=everflow.PixelLevel.GLOBAL_,
    pixel_type=everflow.PixelType.CONVERSION,
    postback_url="https://legacy.partner.example.org/cb?tid={transaction_id}",
    opts=pulumi.ResourceOptions(provider=partner, protect=True),
)
`;

describe("examples/python-two-accounts, with the Python SDK and the native plugin", () => {
  let s: NativeStack;
  const ids: Record<string, number> = {};
  let legacy = 0;

  beforeAll(async () => {
    s = await nativeStack({
      name: "python-example",
      project: path.join(repoRoot, "examples", "python-two-accounts"),
      python: true,
      accounts: [DEFAULT_ACCOUNT, PARTNER_ACCOUNT],
      config: (url) => [
        { key: "partnerApiKey", value: PARTNER_KEY, secret: true },
        { key: "partnerBaseUrl", value: url },
      ],
    });
  }, STEP_TIMEOUT_MS);
  afterAll(() => s?.stop());
  beforeEach(() => s.emulator.log.reset());

  it(
    "creates the brand's postback in the default account and the partner's in the partner's: one POST each",
    async () => {
      expectExit(await s.pulumi("up", "--yes"), 0);
      expect(s.writes()).toEqual({ POST: 2, PUT: 0 });
      const outputs = await s.pulumi("stack", "output", "--json");
      expectExit(outputs, 0);
      Object.assign(ids, JSON.parse(outputs.stdout) as Record<string, number>);
      expect(s.emulator.store.get(ids.brandPixelId!)).toMatchObject({
        network_affiliate_id: DEFAULT_ACCOUNT.affiliateId,
        pixel_level: "global",
        pixel_status: "active",
      });
      expect(s.emulator.store.get(ids.partnerPixelId!)).toMatchObject({
        network_affiliate_id: PARTNER_ACCOUNT.affiliateId,
        pixel_level: "specific",
        network_offer_id: 42,
        delay_ms: 60000,
        pixel_status: "active",
      });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "changes nothing and calls no API on a second up",
    async () => {
      const up = await s.pulumi("up", "--yes");
      expectExit(up, 0);
      expect(up.stdout).toMatch(/Resources:\s+\d+ unchanged\s*\n/);
      expect(s.requests()).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "finds an edit of the partner's postback: preview --refresh --expect-no-changes exits 7, naming only delayMs",
    async () => {
      await editInEverflow(s, ids.partnerPixelId!, { delay_ms: 5000 });
      const preview = await s.pulumi("preview", "--refresh", "--expect-no-changes", "--json");
      expect(preview.code).toBe(7);
      const changes = previewSteps(preview).filter((step) => !["same", "refresh"].includes(step.op));
      expect(changes.map((c) => [c.op, nameOf(c.urn), Object.keys(c.detailedDiff ?? {})])).toEqual([
        ["update", "partner-conversion", ["delayMs"]],
      ]);
      expect(s.writes()).toEqual({ POST: 0, PUT: 0 });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "repairs it with up --refresh: one PUT, with the partner's key",
    async () => {
      expectExit(await s.pulumi("up", "--refresh", "--yes"), 0);
      expect(s.writes()).toEqual({ POST: 0, PUT: 1 });
      expect(s.emulator.store.get(ids.partnerPixelId!)?.delay_ms).toBe(60000);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "imports a partner postback through the partner's provider without writing to it; declared, it previews clean",
    async () => {
      legacy = s.emulator.store.seed(PARTNER_KEY, {
        delivery_method: "postback",
        pixel_level: "global",
        pixel_type: "conversion",
        postback_url: "https://legacy.partner.example.org/cb?tid={transaction_id}",
        pixel_status: "active",
      }).network_pixel_id;
      const partner = (await s.exportedResources()).find(
        (r) => r.type === "pulumi:providers:everflow" && nameOf(r.urn) === "partner",
      );
      if (!partner) throw new Error("no partner provider in the state");
      s.emulator.log.reset();
      // The v3.68 Python host cannot generate code (GenerateProgram); a current host prints it.
      const imported = await s.pulumi(
        "import",
        NATIVE_POSTBACK,
        "legacy",
        String(legacy),
        "--provider",
        `partner=${partner.urn}`,
        "--generate-code=false",
        "--yes",
      );
      expectExit(imported, 0);
      expect(s.writes()).toEqual({ POST: 0, PUT: 0 });
      expect(s.emulator.log.count(GET_ONE)).toBeGreaterThan(0);

      fs.appendFileSync(path.join(s.dir, "__main__.py"), LEGACY_DECLARATION);
      expectExit(await s.pulumi("preview", "--expect-no-changes"), 0);
      expectExit(await s.pulumi("preview", "--refresh", "--expect-no-changes"), 0);
      expect(s.writes()).toEqual({ POST: 0, PUT: 0 });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "destroys by deactivating every postback, each with its own account's key",
    async () => {
      expectExit(await s.pulumi("state", "unprotect", "--all", "--yes"), 0);
      expectExit(await s.pulumi("destroy", "--yes"), 0);
      expect(s.writes()).toEqual({ POST: 0, PUT: 3 });
      for (const id of [...Object.values(ids), legacy]) {
        expect(s.emulator.store.get(id)?.pixel_status).toBe("inactive");
      }
    },
    STEP_TIMEOUT_MS,
  );
});
