import * as fs from "node:fs";
import * as path from "node:path";
import { parsePostbackEntries } from "../../../examples/postbacks-from-file/postback-set";
import { createEverflowStack, EverflowTestStack } from "../../support/everflow";
import {
  exampleProgram,
  expectDestroyDeactivates,
  expectQuietUp,
  pixelOf,
  LIST,
  POST,
} from "../../support/example-stack";

const file = path.resolve(__dirname, "..", "..", "..", "examples", "postbacks-from-file", "postbacks.json");
const entries = JSON.parse(fs.readFileSync(file, "utf8")) as Array<Record<string, unknown>>;

/** What Everflow should hold for an entry of the file. */
function wireOf(entry: Record<string, unknown>): Record<string, unknown> {
  return {
    delivery_method: entry.deliveryMethod,
    pixel_level: entry.pixelLevel,
    pixel_type: entry.pixelType,
    pixel_status: entry.pixelStatus ?? "active",
    postback_url: entry.postbackUrl ?? "",
    html_code: entry.htmlCode ?? "",
    network_offer_id: entry.networkOfferId ?? 0,
    delay_ms: entry.delayMs ?? 0,
  };
}

describe("examples/postbacks-from-file: PostbackSet's check of the file", () => {
  it("accepts the example's file", () => {
    expect(parsePostbackEntries(entries).map((e) => e.name)).toEqual(entries.map((e) => e.name));
  });

  it("rejects a name used twice, naming both entries", () => {
    const twice = [
      { name: "a", deliveryMethod: "html" },
      { name: "b", deliveryMethod: "html" },
      { name: "a", deliveryMethod: "postback" },
    ];
    expect(() => parsePostbackEntries(twice, "postbacks.json")).toThrow(
      'postbacks.json is invalid:\n  entry 2: the name "a" is already used by entry 0',
    );
  });

  it("rejects entries without a name and files that are not arrays", () => {
    expect(() => parsePostbackEntries([{ deliveryMethod: "html" }, "x", { name: " " }])).toThrow(
      /entry 0: "name" must be a non-empty string\n {2}entry 1: expected an object\n {2}entry 2: "name"/,
    );
    expect(() => parsePostbackEntries({ postbacks: [] }, "postbacks.json")).toThrow(
      "postbacks.json: expected an array of postbacks",
    );
  });
});

describe("examples/postbacks-from-file", () => {
  let t: EverflowTestStack;
  let ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await createEverflowStack("example-postbacks-from-file", exampleProgram("postbacks-from-file"));
  });
  afterAll(async () => t?.stop());
  beforeEach(() => t.emulator.log.reset());

  it("creates one postback per entry of the file, as children of the set", async () => {
    const up = await t.stack.up();
    // The stack, the PostbackSet and its postbacks.
    expect(up.summary.resourceChanges).toEqual({ create: entries.length + 2 });
    expect(t.calls()).toEqual({ [POST]: entries.length, [LIST]: 1 });
    ids = up.outputs.ids?.value as Record<string, number>;
    expect(Object.keys(ids)).toEqual(entries.map((e) => e.name));
    for (const entry of entries) {
      expect(pixelOf(t, ids[entry.name as string])).toMatchObject({
        network_affiliate_id: 7,
        ...wireOf(entry),
      });
    }

    const { deployment } = await t.stack.exportStack();
    const set = deployment.resources.find(
      (r: { type: string }) => r.type === "everflow-examples:index:PostbackSet",
    );
    const children = deployment.resources.filter((r: { parent?: string }) => r.parent === set.urn);
    expect(children.map((r: { urn: string }) => r.urn.split("::").pop()).sort()).toEqual(
      entries.map((e) => `postbacks-${String(e.name)}`).sort(),
    );
  });

  it("changes nothing and calls nothing on a second up", async () => {
    await expectQuietUp(t, entries.length + 2);
  });

  it("destroys by deactivating every postback", async () => {
    expect(Object.keys(ids)).toHaveLength(entries.length);
    await expectDestroyDeactivates(t, Object.values(ids), entries.length + 2);
  });
});
