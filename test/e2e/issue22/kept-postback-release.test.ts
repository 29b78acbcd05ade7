import type { EngineEvent } from "@pulumi/pulumi/automation";
import { Postback, type PostbackArgs } from "../../../sdk";
import { startEmulator, type EmulatorHandle } from "../../../emulator";
import { API_KEY, createEverflowStack, POSTBACK_TYPE, type EverflowTestStack } from "../../support/everflow";

// Issue 22, item 1 (pulumi/pulumi#17243): a postback that a resource the stack keeps manages is never
// deactivated by the delete of another resource that held it too. Two resources come to hold one id the
// way a user gets there: `a` adopts X, is renamed to `b` (same `import`, no alias), and `up --target b`
// creates `b` without deleting `a`. The next full run diffs `b` before it deletes `a`, so the delete only
// lets go. A run that targets only the removed resource diffs nothing else: the provider cannot know
// (the documented limit, shown below with what brings the postback back).

const PUT = "PUT /v1/affiliates/pixels/:id";
const POST = "POST /v1/affiliates/pixels";

const declared = (n: number): PostbackArgs => ({
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: `https://track.example.com/kept-${n}?tid={transaction_id}`,
});
const wire = (n: number) => ({
  delivery_method: "postback",
  pixel_level: "global",
  pixel_status: "active",
  pixel_type: "conversion",
  postback_url: declared(n).postbackUrl,
});

/** One resource of the program: its name, arguments and `import`. */
interface Declared {
  name: string;
  args: PostbackArgs;
  import?: number;
}

/** Everything a run printed or reported: stdout, stderr and every diagnostic event's message. */
function recorder() {
  let text = "";
  return {
    io: {
      onOutput: (s: string) => void (text += s),
      onError: (s: string) => void (text += s),
      onEvent: (e: EngineEvent) => void (text += `${e.diagnosticEvent?.message ?? ""}\n`),
    },
    text: () => text,
  };
}

const keptWarning = (id: number) =>
  new RegExp(
    `postback ${id} stays active: (resource \\\\?"b\\d\\\\?"|another resource) of this stack manages it ` +
      `too; the removed resource only lets go of it`,
  );

interface Fixture {
  t: EverflowTestStack;
  program: Declared[];
  /** The PUTs the emulator served for postback `id` since the last log reset. */
  putsOf(id: number): number;
  status(id: number): string | undefined;
  /** The postbacks the state holds: resource name -> id. */
  tracked(): Promise<Record<string, string>>;
  urn(name: string): string;
}

async function fixture(name: string, config: Record<string, { value: string; secret?: boolean }> = {}) {
  const f = { program: [] as Declared[] } as Fixture;
  f.t = await createEverflowStack(
    name,
    async () => {
      for (const d of f.program) {
        new Postback(d.name, d.args, d.import === undefined ? {} : { import: String(d.import) });
      }
    },
    {
      config: {
        // A second account name under the same key and base URL: the same Everflow platform.
        "everflow:accounts": { value: JSON.stringify({ same: { apiKey: API_KEY } }), secret: true },
        ...config,
      },
    },
  );
  f.putsOf = (id) =>
    f.t.emulator.log.entries().filter((e) => e.route === PUT && e.path === `/v1/affiliates/pixels/${id}`)
      .length;
  f.status = (id) => f.t.emulator.store.get(id)?.pixel_status;
  f.tracked = async () =>
    Object.fromEntries(
      (await f.t.stack.exportStack()).deployment.resources
        .filter((r: { type: string }) => r.type === POSTBACK_TYPE)
        .map((r: { urn: string; id: string }) => [r.urn.split("::").pop(), r.id]),
    );
  f.urn = (resource) => `urn:pulumi:test::everflow-test::${POSTBACK_TYPE}::${resource}`;
  return f;
}

type Renamed = Omit<Declared, "name" | "import">;

/**
 * `a<i>` adopts each seeded postback; then each is renamed `b<i>` (keeping its `import`, no alias) and
 * `up --target` the new names creates them and deletes nothing: two resources hold each postback.
 */
async function twoHolders(
  f: Fixture,
  renamed: [Renamed, Renamed, Renamed],
): Promise<[number, number, number]> {
  const ids = renamed.map((_r, i) => f.t.emulator.store.seed(API_KEY, wire(i)).network_pixel_id);
  f.program = ids.map((id, i) => ({ name: `a${i}`, args: declared(i), import: id }));
  await f.t.stack.up();
  f.program = ids.map((id, i) => ({ name: `b${i}`, ...renamed[i]!, import: id }));
  f.t.emulator.log.reset();
  const targeted = await f.t.stack.up({ target: f.program.map((d) => f.urn(d.name)) });
  expect(targeted.summary.resourceChanges).toMatchObject({ create: ids.length });
  expect(targeted.summary.resourceChanges?.delete).toBeUndefined();
  expect(f.t.calls()[PUT]).toBeUndefined();
  const tracked = await f.tracked();
  ids.forEach((id, i) => {
    expect(tracked[`a${i}`]).toBe(String(id));
    expect(tracked[`b${i}`]).toBe(String(id));
  });
  return ids as [number, number, number];
}

describe("a full up: the removed resource only lets go of a postback the stack keeps", () => {
  let f: Fixture;
  let other: EmulatorHandle;
  beforeAll(async () => {
    // Another Everflow platform (say EU): its ids are numbered on their own, so the same id is another
    // postback there.
    other = await startEmulator({
      accounts: [{ apiKey: API_KEY, networkId: 1, affiliateId: 7 }],
      rateLimit: { rate: 200, burst: 200 },
    });
    f = await fixture("keeper-full-up", {
      "everflow:accounts": {
        value: JSON.stringify({ same: { apiKey: API_KEY }, eu: { apiKey: API_KEY, baseUrl: other.url } }),
        secret: true,
      },
    });
  });
  afterAll(async () => {
    await f?.t.stop();
    await other?.stop();
  });

  it("keeps the named case active, and those kept in another account of the platform; another platform's id is its own", async () => {
    // 0: the named case. 1: the keeper in account "same" (same key and base URL). 2: the keeper in
    // account "eu", another platform, where it adopted that platform's postback of the same id.
    const twins = [0, 1, 2].map((i) => other.store.seed(API_KEY, wire(i)).network_pixel_id);
    const [x0, x1, x2] = await twoHolders(f, [
      { args: declared(0) },
      { args: { ...declared(1), account: "same" } },
      { args: { ...declared(2), account: "eu" } },
    ]);
    // Both platforms number from 1000: the same id, another postback.
    expect(twins[2]).toBe(x2);

    f.t.emulator.log.reset();
    other.log.reset();
    const run = recorder();
    const up = await f.t.stack.up(run.io);
    expect(up.summary.resourceChanges).toMatchObject({ delete: 3 });
    // The named case and the other account of the same platform: active, no write, a warning each.
    for (const id of [x0, x1]) {
      expect(f.status(id)).toBe("active");
      expect(f.putsOf(id)).toBe(0);
      expect(run.text()).toMatch(keptWarning(id));
    }
    // a2 held x2 on the first platform, which nothing keeps: its delete is real, once.
    expect(f.status(x2)).toBe("inactive");
    expect(f.putsOf(x2)).toBe(1);
    expect(run.text()).not.toMatch(new RegExp(`postback ${x2} stays active`));
    expect(other.store.get(x2)?.pixel_status).toBe("active");
    expect(other.log.count(PUT)).toBe(0);
    expect(await f.tracked()).toEqual({ b0: String(x0), b1: String(x1), b2: String(x2) });

    // The next plain up has nothing to do.
    f.t.emulator.log.reset();
    await f.t.stack.up();
    expect(f.t.totalCalls()).toBe(0);
  });
});

describe("the other runs that delete: up --refresh, a replaced keeper, destroy, and the targeted limit", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture("keeper-other-runs");
  });
  afterAll(async () => f?.t.stop());

  it("up --refresh keeps it; a keeper replaced by a new postback lets the delete deactivate it once", async () => {
    const [x0, x1, x2] = await twoHolders(f, [
      { args: declared(0) },
      { args: { ...declared(1), account: "same" } },
      { args: declared(2) },
    ]);
    // b2 changes account (a replacement) and drops its import: the new b2 is a new postback, so x2 is
    // kept by no one.
    f.program[2] = { name: "b2", args: { ...declared(2), account: "same" } };
    f.t.emulator.log.reset();
    const run = recorder();
    const up = await f.t.stack.up({ refresh: true, ...run.io });
    expect(up.summary.resourceChanges).toMatchObject({ delete: 3, replace: 1 });
    for (const id of [x0, x1]) {
      expect(f.status(id)).toBe("active");
      expect(f.putsOf(id)).toBe(0);
      expect(run.text()).toMatch(keptWarning(id));
    }
    expect(f.status(x2)).toBe("inactive");
    expect(f.putsOf(x2)).toBe(1);
    expect(run.text()).not.toMatch(new RegExp(`postback ${x2} stays active`));
    expect(f.t.calls()[POST]).toBe(1);
    const tracked = await f.tracked();
    expect(tracked).toMatchObject({ b0: String(x0), b1: String(x1) });
    expect(tracked.b2).not.toBe(String(x2));
    expect(Object.keys(tracked).sort()).toEqual(["b0", "b1", "b2"]);
  });

  it("a targeted run of the removed resource alone cannot know: it deactivates, and up --refresh brings it back", async () => {
    // c0 comes to hold x0 beside b0 the same way (a targeted create), then only c0 is removed, with
    // `--target c0`: b0 is not diffed, so nothing tells the provider that b0 keeps x0.
    const x0 = Number((await f.tracked()).b0);
    const keep = f.program;
    f.program = [...keep, { name: "c0", args: declared(0), import: x0 }];
    await f.t.stack.up({ target: [f.urn("c0")] });
    f.program = keep;
    f.t.emulator.log.reset();
    await f.t.stack.up({ target: [f.urn("c0")] });
    expect(f.status(x0)).toBe("inactive");
    expect(f.putsOf(x0)).toBe(1);
    // b0 still tracks x0, with its state saying active: a plain up (no refresh) does not notice...
    f.t.emulator.log.reset();
    await f.t.stack.up();
    expect(f.status(x0)).toBe("inactive");
    expect(f.t.calls()[PUT]).toBeUndefined();
    // ...the drift check does, and up --refresh writes it back.
    const preview = await f.t.stack.preview({ refresh: true, diff: true });
    expect(preview.changeSummary.update).toBe(1);
    expect(preview.stdout).toMatch(/pixelStatus/);
    await f.t.stack.up({ refresh: true });
    expect(f.status(x0)).toBe("active");
    expect(f.putsOf(x0)).toBe(1);
  });

  let destroyed: { ids: number[]; puts: number[] } = { ids: [], puts: [] };
  it("destroy of two resources that hold one postback deactivates everything and creates nothing", async () => {
    // d1 comes to hold b1's x1 (a targeted create); destroy deletes both.
    const { b0, b1, b2 } = await f.tracked();
    f.program = [...f.program, { name: "d1", args: { ...declared(1), account: "same" }, import: Number(b1) }];
    await f.t.stack.up({ target: [f.urn("d1")] });
    expect((await f.tracked()).d1).toBe(b1);
    f.t.emulator.log.reset();
    const destroy = await f.t.stack.destroy();
    expect(destroy.summary.resourceChanges).toMatchObject({ delete: 5 });
    const ids = [b0, b1, b2].map(Number);
    for (const id of ids) expect(f.status(id)).toBe("inactive");
    expect(f.t.calls()[POST]).toBeUndefined();
    destroyed = { ids, puts: ids.map((id) => f.putsOf(id)) };
  });

  // The engine deletes b1 and d1 at once: the second delete waits for the first and finds the postback
  // inactive in the listing the first one's answer updated.
  it("... and sends one deactivating PUT per postback", () => {
    expect(destroyed.ids).toHaveLength(3);
    expect(destroyed.puts).toEqual([1, 1, 1]);
  });
});
