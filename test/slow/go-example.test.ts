import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { repoRoot } from "../support/engine";
import { expectExit, nativeStack, STEP_TIMEOUT_MS, type NativeStack } from "../packed/native/native-stack";

// examples/go-postbacks as a Go user runs it: the Go SDK from sdk/go (through the example's `replace`,
// pointed at this checkout once the project is copied), the plugin from its tarball (`npm run test:slow`
// builds it), the plain CLI with the Go language host. Slow: the first compile of a Go program and the
// Pulumi Go SDK takes minutes (5 min 20 s measured on 2 shared cores).

describe("examples/go-postbacks, with the Go SDK and the native plugin", () => {
  let s: NativeStack;
  let ids: Record<string, number> = {};

  beforeAll(async () => {
    process.env.PULUMI_EVERFLOW_TEST_CLI ||= execFileSync(
      path.join(repoRoot, "scripts", "ensure-pulumi"),
      ["--with-go"],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    ).trim();
    s = await nativeStack({
      name: "go-example",
      project: path.join(repoRoot, "examples", "go-postbacks"),
    });
    const sdk = path.join(repoRoot, "sdk", "go");
    const edit = await s.run("go", [
      "mod",
      "edit",
      `-replace=github.com/pulumi-everflow/pulumi-everflow/sdk/go=${sdk}`,
    ]);
    expectExit(edit, 0);
  }, STEP_TIMEOUT_MS);
  afterAll(() => s?.stop());
  beforeEach(() => s.emulator.log.reset());

  it(
    "compiles and creates both postbacks with one POST each",
    async () => {
      expectExit(await s.pulumi("up", "--yes"), 0);
      expect(s.writes()).toEqual({ POST: 2, PUT: 0 });
      const outputs = await s.pulumi("stack", "output", "--json");
      expectExit(outputs, 0);
      ids = JSON.parse(outputs.stdout) as Record<string, number>;
      expect(s.emulator.store.get(ids.conversionPixelId!)).toMatchObject({
        pixel_level: "global",
        pixel_type: "conversion",
        pixel_status: "active",
      });
      expect(s.emulator.store.get(ids.offerEventsPixelId!)).toMatchObject({
        pixel_level: "specific",
        network_offer_id: 42,
        pixel_type: "post_conversion",
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
    "destroys by deactivating both postbacks",
    async () => {
      expectExit(await s.pulumi("destroy", "--yes"), 0);
      expect(s.writes()).toEqual({ POST: 0, PUT: 2 });
      for (const id of Object.values(ids)) expect(s.emulator.store.get(id)?.pixel_status).toBe("inactive");
    },
    STEP_TIMEOUT_MS,
  );
});
