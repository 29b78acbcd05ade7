// What a user sees of a run with many writes at once: `pulumi up`, an update of every postback and a
// destroy, each with --parallel 16 over 60 postbacks. No Node warning may reach the output; with a
// listener per request on the process-wide cancellation signal, the provider process printed
// "(node:PID) MaxListenersExceededWarning: ... 11 abort listeners added to [AbortSignal]"
// (nodejs/undici#3157).

import { Postback, PostbackArgs } from "../../sdk";
import { createEverflowStack, EverflowTestStack } from "../support/everflow";

const N = 60;
const PARALLEL = 16;
let delayMs = 0;
const args = (i: number): PostbackArgs => ({
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: `https://track.example.com/cb/${i}?tid={transaction_id}`,
  delayMs,
});
const program = async () => {
  for (let i = 0; i < N; i++) new Postback(`pb${i}`, args(i));
};

/** Every line of a command's output (stdout as streamed, and stderr) that Node printed. */
function nodeLines(result: { stdout: string; stderr: string }, streamed: string[]): string[] {
  return [...streamed, result.stdout, result.stderr]
    .join("\n")
    .split("\n")
    .filter((line) => line.includes("(node:"));
}

describe(`${N} postbacks with --parallel ${PARALLEL}`, () => {
  let t: EverflowTestStack;
  beforeAll(async () => {
    t = await createEverflowStack("parallel-output", program, {
      // Each write takes a while, so that 16 of them are in flight in the provider at once.
      emulator: { latency: { fixedMs: 150 } },
    });
  });
  afterAll(async () => t?.stop());

  it("up, update of every postback and destroy print no Node warning", async () => {
    const streamed: string[] = [];
    const onOutput = (out: string) => streamed.push(out);

    const up = await t.stack.up({ parallel: PARALLEL, onOutput });
    expect(t.emulator.store.all().filter((p) => p.pixel_status === "active")).toHaveLength(N);
    expect(nodeLines(up, streamed)).toEqual([]);

    delayMs = 1500;
    const update = await t.stack.up({ parallel: PARALLEL, onOutput });
    expect(update.summary.resourceChanges).toMatchObject({ update: N });
    expect(nodeLines(update, streamed)).toEqual([]);

    const destroy = await t.stack.destroy({ parallel: PARALLEL, onOutput });
    expect(nodeLines(destroy, streamed)).toEqual([]);
    expect(t.emulator.store.all().filter((p) => p.pixel_status === "active")).toEqual([]);
  });
});
