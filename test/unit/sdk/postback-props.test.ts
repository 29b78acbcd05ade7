// sdk/postback.ts: what a Postback registers. The import option alone sets importId, and a postback
// without one registers no importId property (each property costs @pulumi/pulumi four stamped promises).
import * as pulumi from "@pulumi/pulumi";
import { Postback } from "../../../sdk";

const registered = new Map<string, Record<string, unknown>>();
beforeAll(() =>
  pulumi.runtime.setMocks({
    newResource: (args) => {
      registered.set(args.name, args.inputs as Record<string, unknown>);
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  }),
);

const declared = {
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: "https://track.example.com/pb?tid={transaction_id}",
} as const;

const registeredUrn = (postback: Postback) =>
  new Promise<string>((resolve) => postback.urn.apply((urn) => resolve(urn)));

describe("Postback registration", () => {
  it("registers importId and importName only with the import option", async () => {
    const plain = new Postback("plain", declared);
    const adopted = new Postback("adopted", declared, { import: "4321" });
    await Promise.all([registeredUrn(plain), registeredUrn(adopted)]);
    expect("importId" in plain).toBe(false);
    expect(registered.get("plain")).not.toHaveProperty("importId");
    expect(registered.get("plain")).not.toHaveProperty("importName");
    expect(registered.get("adopted")).toMatchObject({ importId: "4321", importName: "adopted" });
    // The declared outputs are still there to read.
    expect(pulumi.Output.isInstance(plain.pixelId)).toBe(true);
  });

  it("drops importId and importName passed among untyped arguments: the import option is the only way in", async () => {
    const untyped = {
      ...declared,
      importId: "99",
      importName: "spoofed",
    } as unknown as ConstructorParameters<typeof Postback>[1];
    const postback = new Postback("untyped", untyped);
    const withImport = new Postback("imported", untyped, { import: "100" });
    await Promise.all([registeredUrn(postback), registeredUrn(withImport)]);
    expect(registered.get("untyped")).not.toHaveProperty("importId");
    expect(registered.get("untyped")).not.toHaveProperty("importName");
    expect(registered.get("imported")).toMatchObject({ importId: "100", importName: "imported" });
  });
});
