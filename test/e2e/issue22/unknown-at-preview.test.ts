import { createCliStack, type CliRun, type CliStack } from "../../support/cli-stack";

// Issue 22, item 8 (pulumi/pulumi#3455): a preview must show only what may change. When an input was
// not known at preview (a URL interpolating another new postback's pixelId), `preview --diff` listed
// pixelStatus, delayMs, account and networkOfferPayoutRevenueId as removed: the check of partly
// unknown inputs returned them without their defaults. Here, through the plain CLI's `preview --diff`
// and `preview --json`: a new postback whose URL is unknown, existing postbacks changed to an unknown
// URL, an unknown offer id, and an unknown value inside the facebook pixel; then `up` does what the
// preview said, and nothing more.

const DEFAULTED = ["pixelStatus", "delayMs", "account", "networkOfferPayoutRevenueId"];

/** Step 1 declares the postbacks; step 2 makes some of their inputs depend on a new postback. */
function program(step: 1 | 2): string {
  const later = (known: string, unknown: string) => (step === 1 ? known : unknown);
  return `
${later(
  "",
  `const source = new Postback("source", { deliveryMethod: "postback", pixelLevel: "global",
  pixelType: "conversion", postbackUrl: "https://src.example/cb?tid={transaction_id}" });`,
)}
const fromSource = (value) => ${later("value", "source.pixelId.apply(() => value)")};
new Postback("existing", {
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: ${later(
    `"https://x.example/plain?tid={transaction_id}"`,
    "pulumi.interpolate`https://x.example/cb?src=${source.pixelId}&tid={transaction_id}`",
  )},
});
new Postback("offer", {
  deliveryMethod: "postback",
  pixelLevel: "specific",
  pixelType: "conversion",
  networkOfferId: fromSource(9),
  postbackUrl: "https://x.example/offer?tid={transaction_id}",
  delayMs: 2000,
});
new Postback("meta", {
  deliveryMethod: "facebook",
  pixelLevel: "global",
  pixelType: "conversion",
  facebookPixel: { pixelId: fromSource("8812"), eventName: "Purchase", accessToken: "EAAB-unknown-preview-1" },
});
${later(
  "",
  `new Postback("dependent", { deliveryMethod: "postback", pixelLevel: "global",
  pixelType: "post_conversion",
  postbackUrl: pulumi.interpolate\`https://x.example/dep?src=\${source.pixelId}&tid={transaction_id}\` });`,
)}
`;
}

interface Step {
  op: string;
  urn: string;
  oldState?: { inputs?: Record<string, unknown> };
  newState?: { inputs?: Record<string, unknown> };
}

const nameOf = (step: Step) => step.urn.split("::").pop();

/** The inputs whose values the preview shows as changing between the state and the plan. */
function shownChanging(step: Step): string[] {
  const olds = step.oldState?.inputs ?? {};
  const news = step.newState?.inputs ?? {};
  return [...new Set([...Object.keys(olds), ...Object.keys(news)])]
    .filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]))
    .sort();
}

describe("a preview with inputs not known yet shows only the fields that may change", () => {
  let s: CliStack;
  const ok = (r: CliRun): CliRun => {
    if (r.code !== 0) throw new Error(`${r.command} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
    return r;
  };
  beforeAll(async () => {
    s = await createCliStack("unknown-at-preview");
    s.program(program(1));
    ok(await s.pulumi(["up", "--yes"]));
    s.program(program(2));
  });
  afterAll(async () => s?.stop());

  it("preview --json: the existing postbacks change the unknown field alone; the new one has its defaults", async () => {
    const steps = JSON.parse(ok(await s.pulumi(["preview", "--json"])).stdout).steps as Step[];
    const byName = Object.fromEntries(steps.map((step) => [nameOf(step), step]));
    for (const [name, field] of [
      ["existing", "postbackUrl"],
      ["offer", "networkOfferId"],
      ["meta", "facebookPixel"],
    ] as const) {
      // The CLI's JSON carries no diff reasons for these steps: what it shows changing is what differs
      // between the inputs in the state and the planned ones.
      expect({ name, op: byName[name]?.op, changing: shownChanging(byName[name]!) }).toEqual({
        name,
        op: "update",
        changing: [field],
      });
    }
    for (const name of ["source", "dependent"]) {
      expect(byName[name]?.op).toBe("create");
      expect(byName[name]?.newState?.inputs).toMatchObject({
        pixelStatus: "active",
        delayMs: 0,
        account: "default",
        networkOfferPayoutRevenueId: 0,
      });
    }
  });

  it("preview --diff lists no default as removed, and shows the unknown values as [unknown]", async () => {
    const out = ok(await s.pulumi(["preview", "--diff"])).stdout;
    for (const field of DEFAULTED) expect(out).not.toMatch(new RegExp(`^\\s*-\\s*${field}\\s*:`, "m"));
    expect(out).toMatch(
      /~ postbackUrl\s*: "https:\/\/x\.example\/plain\?tid=\{transaction_id\}" => \[unknown\]/,
    );
    expect(out).toMatch(/~ networkOfferId\s*: 9 => \[unknown\]/);
    expect(out).toMatch(/~ facebookPixel\s*: \[secret\] => \[unknown\]/);
    // Nothing else of the three updated postbacks is shown changing.
    expect(out.match(/^\s*[-~+] \w+\s*:/gm)?.filter((l) => !/^\s*\+/.test(l))).toHaveLength(3);
  });

  it("up does what the preview showed: the URL is written, the values that turned out the same are not", async () => {
    s.emulator.log.reset();
    ok(await s.pulumi(["up", "--yes"]));
    expect(s.emulator.log.count("POST /v1/affiliates/pixels")).toBe(2);
    expect(s.emulator.log.count("PUT /v1/affiliates/pixels/:id")).toBe(1);
    const steps = JSON.parse(ok(await s.pulumi(["preview", "--json"])).stdout).steps as Step[];
    expect(steps.filter((step) => step.op !== "same").map(nameOf)).toEqual([]);
  });
});
