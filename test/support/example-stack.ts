/* eslint-disable @typescript-eslint/no-require-imports -- an example is loaded the way `pulumi up` loads it */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import * as everflow from "pulumi-everflow";
import type { Pixel } from "../../emulator";
import type { EverflowTestStack } from "./everflow";

export const POST = "POST /v1/affiliates/pixels";
/** The account's listing: a run that creates takes it once, to find postbacks the stack let go of. */
export const LIST = "GET /v1/affiliates/pixels";
export const PUT = "PUT /v1/affiliates/pixels/:id";

/**
 * The program of `examples/<name>/index.ts` as an inline Automation API program. `pulumi up` in the
 * example's directory would run the module's top-level code once; here every engine run re-executes it
 * in a fresh module registry, inside the program context the engine opened for that run.
 *
 * The example's own files are loaded afresh, but `@pulumi/pulumi` and `pulumi-everflow` stay the
 * instances this test already loaded: a second copy of `@pulumi/pulumi` would build its gRPC messages
 * from its own protobuf classes, which the engine connection of the first copy refuses ("Request
 * message serialization failure").
 */
export function exampleProgram(name: string): PulumiFn {
  const entry = path.resolve(__dirname, "..", "..", "examples", name, "index");
  return async () => {
    let outputs: Record<string, unknown> = {};
    jest.isolateModules(() => {
      jest.doMock("@pulumi/pulumi", () => pulumi);
      jest.doMock("pulumi-everflow", () => everflow);
      try {
        outputs = require(entry);
      } finally {
        jest.dontMock("@pulumi/pulumi");
        jest.dontMock("pulumi-everflow");
      }
    });
    return { ...outputs };
  };
}

/** The postback the emulator holds under an id the stack exported. */
export function pixelOf(t: EverflowTestStack, id: unknown): Pixel {
  expect(typeof id).toBe("number");
  const pixel = t.emulator.store.get(id as number);
  if (!pixel) throw new Error(`the emulator holds no postback ${String(id)}`);
  return pixel;
}

/** A second `up` of the unchanged program: every resource the same, and no API call at all. */
export async function expectQuietUp(t: EverflowTestStack, resources: number): Promise<void> {
  const up = await t.stack.up();
  expect(up.summary.resourceChanges).toEqual({ same: resources });
  expect(t.totalCalls()).toBe(0);
}

/** `destroy` deactivates each postback with one PUT and creates nothing (Everflow has no delete). */
export async function expectDestroyDeactivates(
  t: EverflowTestStack,
  ids: unknown[],
  // The postbacks and the stack, unless components add to them.
  resources = ids.length + 1,
): Promise<void> {
  const destroy = await t.stack.destroy();
  expect(destroy.summary.resourceChanges).toEqual({ delete: resources });
  expect(t.calls()[PUT]).toBe(ids.length);
  expect(t.calls()[POST]).toBeUndefined();
  for (const id of ids) expect(pixelOf(t, id).pixel_status).toBe("inactive");
}
