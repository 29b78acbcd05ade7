import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../support/engine";
import { NATIVE_POSTBACK } from "../../support/native-plugin";
import {
  expectExit,
  GET_ONE,
  nameOf,
  nativeStack,
  previewSteps,
  STEP_TIMEOUT_MS,
  type NativeStack,
} from "./native-stack";
import { editInEverflow, pastedUnderResources, printedYamlResources } from "./lifecycle";

// examples/yaml-global-conversion as a Pulumi YAML user runs it: the plugin from its tarball, the plain
// CLI, the stack's everflow:apiKey/baseUrl. Each step asserts what it asked of Everflow.

const TOKEN = "EAAB-yaml-example-token-6c0e";

describe("examples/yaml-global-conversion, with the native plugin installed from its tarball", () => {
  let s: NativeStack;
  const ids: Record<string, number> = {};
  let legacy = 0;

  beforeAll(async () => {
    s = await nativeStack({
      name: "yaml-example",
      project: path.join(repoRoot, "examples", "yaml-global-conversion"),
      config: () => [{ key: "facebookAccessToken", value: TOKEN, secret: true }],
    });
  }, STEP_TIMEOUT_MS);
  afterAll(() => s?.stop());
  beforeEach(() => s.emulator.log.reset());

  it(
    "creates both postbacks with one POST each",
    async () => {
      expectExit(await s.pulumi("up", "--yes"), 0);
      expect(s.writes()).toEqual({ POST: 2, PUT: 0 });
      for (const output of ["conversionPixelId", "facebookPixelId"]) {
        const r = await s.pulumi("stack", "output", output);
        expectExit(r, 0);
        ids[output] = Number(r.stdout.trim());
      }
      expect(s.emulator.store.get(ids.conversionPixelId!)).toMatchObject({
        delivery_method: "postback",
        pixel_level: "global",
        pixel_type: "conversion",
        pixel_status: "active",
        postback_url: "https://track.example.com/everflow/conversion?tid={transaction_id}&amount={revenue}",
      });
      expect(s.emulator.store.get(ids.facebookPixelId!)).toMatchObject({
        delivery_method: "facebook",
        pixel_status: "active",
        facebook_pixel: { pixel_id: "1234567890", event_name: "Purchase", access_token: TOKEN },
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
    "finds an edit made in Everflow: preview --refresh --expect-no-changes exits 7 and names only delayMs",
    async () => {
      await editInEverflow(s, ids.conversionPixelId!, { delay_ms: 5000 });
      const preview = await s.pulumi("preview", "--refresh", "--expect-no-changes", "--json");
      expect(preview.code).toBe(7);
      const changes = previewSteps(preview).filter((step) => !["same", "refresh"].includes(step.op));
      expect(changes.map((c) => [c.op, nameOf(c.urn), Object.keys(c.detailedDiff ?? {})])).toEqual([
        ["update", "conversion", ["delayMs"]],
      ]);
      expect(s.writes()).toEqual({ POST: 0, PUT: 0 });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "repairs it with up --refresh: one PUT",
    async () => {
      expectExit(await s.pulumi("up", "--refresh", "--yes"), 0);
      expect(s.writes()).toEqual({ POST: 0, PUT: 1 });
      expect(s.emulator.store.get(ids.conversionPixelId!)?.delay_ms).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "imports a postback made in Everflow without writing to it; the YAML it prints previews clean once pasted",
    async () => {
      legacy = s.emulator.store.seed(7, {
        delivery_method: "html",
        pixel_level: "specific",
        network_offer_id: 42,
        pixel_type: "conversion",
        html_code: '<img src="https://legacy.example.com/p?tid={transaction_id}">',
        pixel_status: "active",
      }).network_pixel_id;
      s.emulator.log.reset();
      const imported = await s.pulumi("import", NATIVE_POSTBACK, "legacy", String(legacy), "--yes");
      expectExit(imported, 0);
      expect(s.writes()).toEqual({ POST: 0, PUT: 0 });
      expect(s.emulator.log.count(GET_ONE)).toBeGreaterThan(0);

      const program = path.join(s.dir, "Pulumi.yaml");
      fs.writeFileSync(
        program,
        pastedUnderResources(fs.readFileSync(program, "utf8"), printedYamlResources(imported.stdout)),
      );
      expectExit(await s.pulumi("preview", "--expect-no-changes"), 0);
      expectExit(await s.pulumi("preview", "--refresh", "--expect-no-changes"), 0);
      expect(s.writes()).toEqual({ POST: 0, PUT: 0 });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "destroys by deactivating every postback, the imported one too once unprotected",
    async () => {
      // `pulumi import` protects what it imports; a user lifts that before a destroy.
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
