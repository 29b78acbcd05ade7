import * as fs from "node:fs";
import * as path from "node:path";
import { badInputs, type BadInput } from "../../support/bad-inputs";
import { nativeStack, STEP_TIMEOUT_MS, type NativeStack } from "./native-stack";

// Bad input in a YAML or Python program fails `pulumi preview` with the field's path and the reason,
// from the provider's check, before any request to Everflow. A few cases of the shared list
// (test/support/bad-inputs.ts), one preview each: the engine stops at the first failing resource. (A
// missing required field of the schema, such as facebookPixel.accessToken, is refused earlier still, by
// the YAML host or the Python SDK, with their own messages.)

const CASES = badInputs(
  "postbackUrl with ftp scheme",
  "delayMs over five minutes",
  "html without htmlCode",
  "facebookPixel with empty eventName",
);

/** How the engine prints a check failure of resource `bad`. */
function expectFailure(output: string, c: BadInput): void {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  expect(output).toMatch(
    new RegExp(
      `everflow:index:Postback resource 'bad': property ${escape(c.property)} value .* has a problem: .*${escape(c.reason)}`,
    ),
  );
}

/** The case as a YAML program: JSON is YAML, so the arguments go in as they are. */
const yamlProgram = (c: BadInput) =>
  `name: bad-input\nruntime: yaml\nresources:\n  bad:\n    type: everflow:index:Postback\n    properties: ${JSON.stringify(c.args)}\n`;

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const pythonArgs = (args: Record<string, unknown>) =>
  Object.entries(args).map(([k, v]) => `${snake(k)}=${JSON.stringify(v)}`);

/** The case as a Python program, with the SDK's argument names and its FacebookPixelArgs. */
function pythonProgram(c: BadInput): string {
  const args = Object.entries(c.args).map(([key, value]) =>
    key === "facebookPixel"
      ? `facebook_pixel=everflow.FacebookPixelArgs(${pythonArgs(value as Record<string, unknown>).join(", ")})`
      : pythonArgs({ [key]: value })[0]!,
  );
  return `import pulumi_everflow as everflow\n\neverflow.Postback("bad", ${args.join(", ")})\n`;
}

describe.each([
  { language: "YAML", file: "Pulumi.yaml", program: yamlProgram, python: false },
  { language: "Python", file: "__main__.py", program: pythonProgram, python: true },
])("bad input in a $language program", ({ file, program, python }) => {
  let s: NativeStack;

  beforeAll(async () => {
    const project: Record<string, string> = python
      ? { "Pulumi.yaml": "name: bad-input\nruntime: python\n", "__main__.py": "" }
      : { "Pulumi.yaml": "name: bad-input\nruntime: yaml\n" };
    s = await nativeStack({ name: `bad-input-${python ? "python" : "yaml"}`, project, python });
  }, STEP_TIMEOUT_MS);
  afterAll(() => s?.stop());
  beforeEach(() => s.emulator.log.reset());

  it.each(CASES.map((c) => [c.name, c] as const))(
    "%s: preview fails naming the field and the reason, with no request to Everflow",
    async (_name, c) => {
      fs.writeFileSync(path.join(s.dir, file), program(c));
      const preview = await s.pulumi("preview");
      expect(preview.code).toBe(1);
      expectFailure(preview.stdout + preview.stderr, c);
      expect(s.requests()).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );
});
