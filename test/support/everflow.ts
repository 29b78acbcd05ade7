import type { PulumiFn } from "@pulumi/pulumi/automation";
import { startEmulator, EmulatorHandle, EmulatorOptions } from "../../emulator";
import { createTestStack, TestStack } from "./stack";

export const API_KEY = "ef-e2e-key-5a1d9c0b7e3f";
export const POSTBACK_TYPE = "pulumi-nodejs:dynamic/affiliate:Postback";

export interface EverflowTestStack extends TestStack {
  emulator: EmulatorHandle;
  /** Requests the emulator served since the last reset, by route; routes never called are absent. */
  calls(): Record<string, number>;
  /** Everything the emulator served, for one assertion on "no requests at all". */
  totalCalls(): number;
  /** The ids of the postbacks the state file tracks, and of those the emulator holds, each sorted. */
  trackedAndStored(): { tracked: number[]; stored: number[] };
  stop(): Promise<void>;
}

/**
 * A stack whose postbacks live in an emulator started in this process. The provider process reaches it
 * through `everflow:baseUrl`; the key travels as a secret config value, as a user's would.
 */
export async function createEverflowStack(
  name: string,
  program: PulumiFn,
  options: { emulator?: EmulatorOptions; config?: Record<string, { value: string; secret?: boolean }> } = {},
): Promise<EverflowTestStack> {
  const emulator = await startEmulator({
    accounts: [{ apiKey: API_KEY, networkId: 1, affiliateId: 7 }],
    // Faster than Everflow's 5/s so that suites stay quick; the limiter has tests of its own.
    rateLimit: { rate: 200, burst: 200 },
    ...options.emulator,
  });
  const t = await createTestStack(name, program);
  await t.stack.setAllConfig({
    "everflow:apiKey": { value: API_KEY, secret: true },
    "everflow:baseUrl": { value: emulator.url },
    "everflow:requestsPerSecond": { value: "200" },
    "everflow:burst": { value: "200" },
    ...options.config,
  });
  return {
    ...t,
    emulator,
    calls: () => Object.fromEntries(Object.entries(emulator.log.counts()).filter(([, n]) => n > 0)),
    totalCalls: () => Object.values(emulator.log.counts()).reduce((a, b) => a + b, 0),
    trackedAndStored: () => {
      const resources = JSON.parse(t.rawState()).checkpoint.latest.resources as Array<{
        type: string;
        id?: string;
      }>;
      const byNumber = (a: number, b: number) => a - b;
      return {
        tracked: resources
          .filter((r) => r.type === POSTBACK_TYPE)
          .map((r) => Number(r.id))
          .sort(byNumber),
        stored: emulator.store
          .all()
          .map((p) => p.network_pixel_id)
          .sort(byNumber),
      };
    },
    stop: async () => {
      await emulator.stop();
      t.cleanup();
    },
  };
}
