// sdk/registration-stacks.ts: only Pulumi's promise stamps lose their frames, and only while a
// postback registers.
import { plainStackTracesWhileRegistering } from "../../../sdk/registration-stacks";

// Named as the function of @pulumi/pulumi's runtime/debuggable that stamps promises.
function debuggablePromise(): string {
  return new Error("stamp").stack ?? "";
}
function elsewhere(): string {
  return new Error("other").stack ?? "";
}

describe("plain stack traces while a postback registers", () => {
  const saved = process.env.PULUMI_DEBUG_PROMISE_LEAKS;
  afterEach(() => {
    if (saved === undefined) delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    else process.env.PULUMI_DEBUG_PROMISE_LEAKS = saved;
  });

  it("gives the promise stamps the first line only, and every other trace its frames", () => {
    const before = Error.prepareStackTrace;
    const restore = plainStackTracesWhileRegistering();
    let stamp: string;
    let other: string;
    let keptForLater: Error;
    try {
      stamp = debuggablePromise();
      other = elsewhere();
      keptForLater = new Error("registration failed");
    } finally {
      restore();
    }
    expect(stamp).toBe("Error: stamp");
    expect(other).toMatch(/^Error: other\n {4}at elsewhere \(.*registration-stacks\.test\.ts:\d+:\d+\)/);
    // Formatted when first read, after the restore: in full, as before.
    expect(keptForLater.stack).toMatch(/^Error: registration failed\n {4}at /);
    expect(Error.prepareStackTrace).toBe(before);
    expect(debuggablePromise()).toMatch(/^Error: stamp\n {4}at debuggablePromise/);
  });

  it("changes nothing while Pulumi's promise-leak report is on", () => {
    process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
    const restore = plainStackTracesWhileRegistering();
    try {
      expect(debuggablePromise()).toMatch(/^Error: stamp\n {4}at debuggablePromise/);
    } finally {
      restore();
    }
  });
});
