// Stacks written by 0.1.0 store a 2.2 KB serialized provider in every postback; this version writes an
// 80-byte one. Both must keep working side by side: the engine runs `read` and `delete` with the stub in
// state, `check`, `diff`, `create` and `update` with the one the program declares.

import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Postback, type PostbackArgs } from "../../sdk";
import { POSTBACK_TYPE, PROVIDER_STUB } from "../../sdk/postback";
import { createEverflowStack, EverflowTestStack } from "../support/everflow";

/** The `__provider` text 0.1.0's Postback wrote, as found in its stacks' state. */
const LEGACY_STUB = fs.readFileSync(
  path.join(__dirname, "..", "fixtures", "provider-stub-0.1.0.txt"),
  "utf8",
);

const declared: Record<string, PostbackArgs> = {
  kept: {
    deliveryMethod: "postback",
    pixelLevel: "global",
    pixelType: "conversion",
    postbackUrl: "https://track.example.com/kept?tid={transaction_id}",
  },
  dropped: {
    deliveryMethod: "html",
    pixelLevel: "global",
    pixelType: "conversion",
    htmlCode: "<img src='https://px.example.com/{transaction_id}' />",
  },
};

/** What 0.1.0's Postback registered: the same type and inputs, with its serialized stub. */
class LegacyPostback extends pulumi.CustomResource {
  constructor(name: string, args: PostbackArgs) {
    super(POSTBACK_TYPE, name, { pixelId: undefined, ...args, __provider: LEGACY_STUB });
  }
}

describe("postbacks written with the 0.1.0 provider stub", () => {
  let t: EverflowTestStack;
  let version: "0.1.0" | "current" = "0.1.0";
  let names = Object.keys(declared);

  beforeAll(async () => {
    t = await createEverflowStack("stub-upgrade", async () => {
      for (const name of names) {
        if (version === "0.1.0") new LegacyPostback(name, declared[name]!);
        else new Postback(name, declared[name]!);
      }
    });
  });
  afterAll(async () => t?.stop());

  const stubs = () => {
    const resources = JSON.parse(t.rawState()).checkpoint.latest.resources as Array<{
      type: string;
      urn: string;
      inputs: Record<string, unknown>;
      outputs: Record<string, unknown>;
    }>;
    return Object.fromEntries(
      resources
        .filter((r) => r.type === POSTBACK_TYPE)
        .map((r) => [
          r.urn.split("::").pop(),
          { inputs: r.inputs.__provider, outputs: r.outputs.__provider },
        ]),
    );
  };

  it("are created and refreshed through the old stub", async () => {
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 3 });
    expect(stubs().kept).toEqual({ inputs: LEGACY_STUB, outputs: LEGACY_STUB });
    expect(Buffer.byteLength(LEGACY_STUB)).toBeGreaterThan(2000);
    const refresh = await t.stack.refresh();
    expect(refresh.summary.result).toBe("succeeded");
    expect(t.trackedAndStored().tracked).toHaveLength(2);
  });

  it("upgrade in place: no write for an unchanged postback; a removed one is deactivated by its old stub", async () => {
    version = "current";
    names = ["kept"];
    t.emulator.log.reset();
    const up = await t.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 2, delete: 1 });
    expect(t.calls()["POST /v1/affiliates/pixels"]).toBeUndefined();
    const stored = t.emulator.store.all();
    expect(stored.map((p) => p.pixel_status).sort()).toEqual(["active", "inactive"]);
    // The program's stub is recorded as the input at once; outputs keep the old one until a write.
    expect(stubs()).toEqual({ kept: { inputs: PROVIDER_STUB, outputs: LEGACY_STUB } });
    const preview = await t.stack.preview({ refresh: true, expectNoChanges: true });
    expect(preview.changeSummary).toEqual({ same: 2 });
  });

  it("destroy deactivates through whichever stub the state holds", async () => {
    const destroy = await t.stack.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    expect(t.emulator.store.all().map((p) => p.pixel_status)).toEqual(["inactive", "inactive"]);
  });
});
