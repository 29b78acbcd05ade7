// sdk/registration-stacks.ts: only Pulumi's promise stamps lose their frames, from the first postback
// on; every other trace goes through the formatter installed before.
import { plainPromiseStamps } from "../../../sdk/registration-stacks";

// Named as the function of @pulumi/pulumi's runtime/debuggable that stamps promises.
function debuggablePromise(): string {
  return new Error("stamp").stack ?? "";
}
function elsewhere(): string {
  return new Error("other").stack ?? "";
}

type Formatter = (error: Error, frames: NodeJS.CallSite[]) => unknown;
const hook = Error as { prepareStackTrace?: Formatter };
// Stands in for the source-map support of Pulumi's TypeScript loader, which a program always has.
const sourceMapped: Formatter = (error, frames) =>
  [`${String(error)} (mapped)`, ...frames.map((f) => `    at ${String(f)}`)].join("\n");

describe("plain promise stamps", () => {
  const savedEnv = process.env.PULUMI_DEBUG_PROMISE_LEAKS;
  const savedHook = hook.prepareStackTrace;
  let uninstall: () => void = () => undefined;
  beforeEach(() => {
    hook.prepareStackTrace = sourceMapped;
  });
  afterEach(() => {
    uninstall();
    hook.prepareStackTrace = savedHook;
    if (savedEnv === undefined) delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    else process.env.PULUMI_DEBUG_PROMISE_LEAKS = savedEnv;
  });

  it("gives the stamps the first line only, later too; every other trace goes to the formatter before", async () => {
    uninstall = plainPromiseStamps();
    const keptForLater = new Error("registration failed");
    expect(debuggablePromise()).toBe("Error: stamp");
    expect(elsewhere()).toMatch(
      /^Error: other \(mapped\)\n {4}at elsewhere \(.*registration-stacks\.test\.ts:\d+:\d+\)/,
    );
    // Stamps taken after the constructor returned, as a registration proceeds.
    await new Promise((resolve) => setImmediate(resolve));
    expect(debuggablePromise()).toBe("Error: stamp");
    expect(keptForLater.stack).toMatch(/^Error: registration failed \(mapped\)\n {4}at /);
  });

  it("installs once: a second postback adds no layer, and a formatter installed later stays", () => {
    uninstall = plainPromiseStamps();
    const ours = hook.prepareStackTrace;
    plainPromiseStamps();
    expect(hook.prepareStackTrace).toBe(ours);
    const later: Formatter = () => "later";
    hook.prepareStackTrace = later;
    plainPromiseStamps();
    expect(hook.prepareStackTrace).toBe(later);
    uninstall();
    expect(hook.prepareStackTrace).toBe(later);
  });

  it("changes nothing while Pulumi's promise-leak report is on, or when no formatter is installed", () => {
    process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
    uninstall = plainPromiseStamps();
    expect(hook.prepareStackTrace).toBe(sourceMapped);
    expect(debuggablePromise()).toMatch(/^Error: stamp \(mapped\)\n {4}at debuggablePromise/);

    delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    hook.prepareStackTrace = undefined;
    uninstall = plainPromiseStamps();
    expect(hook.prepareStackTrace).toBeUndefined();
    expect(debuggablePromise()).toMatch(/^Error: stamp\n {4}at debuggablePromise/);
  });
});
