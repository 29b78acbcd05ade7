import * as fs from "node:fs";
import * as path from "node:path";
import { installArgs } from "../../../scripts/packed-project";
import { POSTBACK_TYPE } from "../../../sdk/postback";
import { NATIVE_POSTBACK } from "../../support/native-plugin";
import { pulumiSdkVersion } from "../packed-example";
import {
  DEFAULT_ACCOUNT,
  expectExit,
  nameOf,
  nativeStack,
  STEP_TIMEOUT_MS,
  type NativeStack,
} from "./native-stack";

// One TypeScript stack holding both faces: the dynamic `Postback` of the npm package (installed from the
// packed tarball) and the native plugin's `everflow:index:Postback` (installed from its tarball),
// declared as docs/languages.md shows, both reading everflow:apiKey and everflow:baseUrl. Then a
// postback moved from the dynamic face to the native one without an API write, and what happens when
// the two faces hold one postback.

/** Each postback's face in a version of the program; `import` adopts by id on the native face. */
type Face = "dynamic" | "native" | { import: number };

/** The program, as a user writes it: the native resource is a small CustomResource subclass. */
function program(faces: Record<"moved" | "offer" | "swapped", Face>): string {
  const declare = (name: string, face: Face, args: string) =>
    face === "dynamic"
      ? `new Postback(${JSON.stringify(name)}, ${args})`
      : face === "native"
        ? // `pulumi import` protects what it imports; the program keeps that.
          `new NativePostback(${JSON.stringify(name)}, ${args}, { protect: ${name === "moved"} })`
        : `new NativePostback(${JSON.stringify(name)}, ${args}, { import: "${face.import}" })`;
  return `import * as pulumi from "@pulumi/pulumi";
import { Postback, PostbackArgs } from "pulumi-everflow";

/** The native plugin's postback: the same arguments as the dynamic Postback's. */
class NativePostback extends pulumi.CustomResource {
  declare readonly pixelId: pulumi.Output<number>;
  constructor(name: string, args: PostbackArgs, opts?: pulumi.CustomResourceOptions) {
    super("everflow:index:Postback", name, { ...args, pixelId: undefined }, opts);
  }
}

const moved = ${declare(
    "moved",
    faces.moved,
    `{
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: "https://track.example.com/moved?tid={transaction_id}",
}`,
  )};
const offer = ${declare(
    "offer",
    faces.offer,
    `{
  deliveryMethod: "postback",
  pixelLevel: "specific",
  networkOfferId: 42,
  pixelType: "post_conversion",
  postbackUrl: "https://track.example.com/offer?tid={transaction_id}",
  delayMs: 60000,
}`,
  )};
const swapped = ${declare(
    "swapped",
    faces.swapped,
    `{
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: "https://track.example.com/swapped?tid={transaction_id}",
}`,
  )};

export const ids = { moved: moved.pixelId, offer: offer.pixelId, swapped: swapped.pixelId };
`;
}

describe("a TypeScript stack holding the dynamic Postback and the native everflow:index:Postback", () => {
  let s: NativeStack;
  let ids: Record<string, number> = {};
  const write = (faces: Parameters<typeof program>[0]) =>
    fs.writeFileSync(path.join(s.dir, "index.ts"), program(faces));
  /** Each resource of the state that is a postback: its face and id. */
  const postbacks = async () =>
    Object.fromEntries(
      (await s.exportedResources())
        .filter((r) => r.type === POSTBACK_TYPE || r.type === NATIVE_POSTBACK)
        .map((r) => [`${nameOf(r.urn)} ${r.type === POSTBACK_TYPE ? "dynamic" : "native"}`, Number(r.id)]),
    );

  beforeAll(async () => {
    s = await nativeStack({
      name: "both-faces",
      project: {
        "Pulumi.yaml": "name: both-faces\nruntime: nodejs\n",
        "package.json": '{ "name": "both-faces", "private": true }\n',
        "index.ts": program({ moved: "dynamic", offer: "native", swapped: "dynamic" }),
      },
    });
    const tarball = process.env.PULUMI_EVERFLOW_TARBALL;
    if (!tarball) throw new Error("run with jest.packed.config.js (npm run test:packed)");
    expectExit(await s.run("npm", installArgs(tarball, pulumiSdkVersion())), 0);
  }, STEP_TIMEOUT_MS);
  afterAll(() => s?.stop());
  beforeEach(() => s.emulator.log.reset());

  it(
    "creates postbacks of both faces from the same everflow:apiKey and baseUrl: one POST each",
    async () => {
      expectExit(await s.pulumi("up", "--yes"), 0);
      expect(s.writes()).toEqual({ POST: 3, PUT: 0 });
      const output = await s.pulumi("stack", "output", "ids", "--json");
      expectExit(output, 0);
      ids = JSON.parse(output.stdout) as Record<string, number>;
      expect(await postbacks()).toEqual({
        "moved dynamic": ids.moved,
        "offer native": ids.offer,
        "swapped dynamic": ids.swapped,
      });
      for (const id of Object.values(ids)) {
        expect(s.emulator.store.get(id)).toMatchObject({
          network_affiliate_id: DEFAULT_ACCOUNT.affiliateId,
          pixel_status: "active",
        });
      }
      expect(s.emulator.store.get(ids.offer!)).toMatchObject({ network_offer_id: 42, delay_ms: 60000 });
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
    "moves a postback from the dynamic face to the native one with no write: state delete, import, program changed",
    async () => {
      const dynamicUrn = `urn:pulumi:dev::both-faces::${POSTBACK_TYPE}::moved`;
      expectExit(await s.pulumi("state", "delete", dynamicUrn, "--yes"), 0);
      // The v3.68 Node.js host cannot generate code (GenerateProgram); a current host prints it.
      const imported = await s.pulumi(
        "import",
        NATIVE_POSTBACK,
        "moved",
        String(ids.moved),
        "--generate-code=false",
        "--yes",
      );
      expectExit(imported, 0);
      write({ moved: "native", offer: "native", swapped: "dynamic" });
      expectExit(await s.pulumi("preview", "--expect-no-changes"), 0);
      expect(s.writes()).toEqual({ POST: 0, PUT: 0 });
      expect(await postbacks()).toEqual({
        "moved native": ids.moved,
        "offer native": ids.offer,
        "swapped dynamic": ids.swapped,
      });
      expect(s.emulator.store.get(ids.moved!)?.pixel_status).toBe("active");
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "moved in one up instead (native `import` added, dynamic removed): the delete sees the import and writes nothing",
    async () => {
      write({ moved: "native", offer: "native", swapped: { import: ids.swapped! } });
      const up = await s.pulumi("up", "--yes");
      expectExit(up, 0);
      // The engine imports first, then deletes the dynamic resource. The two faces run in different
      // processes of one run, and share the ids they hold (provider/engine/run-registry.ts): the delete
      // lets go of a postback the native resource now holds, and deactivates nothing.
      expect(s.writes()).toEqual({ POST: 0, PUT: 0 });
      expect(s.emulator.store.get(ids.swapped!)?.pixel_status).toBe("active");
      expect(await postbacks()).toEqual({
        "moved native": ids.moved,
        "offer native": ids.offer,
        "swapped native": ids.swapped,
      });
      expectExit(await s.pulumi("preview", "--refresh", "--expect-no-changes"), 0);
      expect(s.writes()).toEqual({ POST: 0, PUT: 0 });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "destroys by deactivating every postback",
    async () => {
      expectExit(await s.pulumi("state", "unprotect", "--all", "--yes"), 0);
      expectExit(await s.pulumi("destroy", "--yes"), 0);
      expect(s.writes()).toEqual({ POST: 0, PUT: 3 });
      for (const id of Object.values(ids)) expect(s.emulator.store.get(id)?.pixel_status).toBe("inactive");
    },
    STEP_TIMEOUT_MS,
  );
});
