import { Postback, type PostbackArgs } from "../../sdk";
import type { BadInput } from "./bad-inputs";
import { createEverflowStack, type EverflowTestStack } from "./everflow";

/**
 * Each case through `pulumi preview` of an inline program: the preview fails naming the resource, the
 * property and the reason, quotes no access token, and sends no request. The engine stops a preview at
 * the first resource that fails check, so each case gets its own preview.
 */
export function describeBadInputPreviews(title: string, cases: readonly BadInput[]): void {
  describe(title, () => {
    let t: EverflowTestStack;
    let current: BadInput | undefined;

    beforeAll(async () => {
      t = await createEverflowStack("bad-inputs", async () => {
        if (current) new Postback("invalid", current.args as unknown as PostbackArgs);
      });
    });
    afterAll(async () => t?.stop());

    it.each(cases.map((c) => [c.name, c] as const))(
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
        const token = (c.args.facebookPixel as { accessToken?: unknown } | undefined)?.accessToken;
        if (typeof token === "string") expect(message).not.toContain(JSON.stringify(token));
        expect(t.totalCalls()).toBe(0);
      },
    );
  });
}
