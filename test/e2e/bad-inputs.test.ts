import { Postback, PostbackArgs } from "../../sdk";
import { BAD_INPUTS, BadInput } from "../support/bad-inputs";
import { createEverflowStack, EverflowTestStack } from "../support/everflow";

// The engine stops a preview at the first resource that fails check, so each case gets its own.
describe(`${BAD_INPUTS.length} invalid declarations`, () => {
  let t: EverflowTestStack;
  let current: BadInput | undefined;

  beforeAll(async () => {
    t = await createEverflowStack("bad-inputs", async () => {
      if (current) new Postback("invalid", current.args as unknown as PostbackArgs);
    });
  });
  afterAll(async () => t?.stop());

  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))(
    "%s: preview fails on the property, no API call",
    async (_name, c) => {
      current = c;
      const message = await t.stack.preview().then(
        () => "preview succeeded",
        (error: Error) => error.message,
      );
      // The whole message when no line has the problem, so that a failure shows what the engine said.
      const problem = message.split("\n").find((l) => l.includes("has a problem")) ?? message;
      expect(problem).toContain(`resource 'invalid': property ${c.property} `);
      expect(problem).toContain(c.reason);
      expect(t.totalCalls()).toBe(0);
    },
  );

  it("keeps a secret value out of the failure message", async () => {
    current = BAD_INPUTS.find((c) => c.name === "facebookPixel on a postback");
    const message = await t.stack.preview().then(
      () => "preview succeeded",
      (error: Error) => error.message,
    );
    expect(message).toContain("property facebookPixel");
    expect(message).not.toContain('"tok"');
  });
});
