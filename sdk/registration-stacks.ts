// Why a Postback registers with plain stack traces.
//
// @pulumi/pulumi registers every property of a resource as an Output of four promises, and stamps each
// promise with a formatted stack trace (`new Error().stack` in runtime/debuggable), which it prints only
// in its promise-leak report when PULUMI_DEBUG_PROMISE_LEAKS is set. In a program, formatting goes
// through the source-map support of Pulumi's TypeScript loader, which maps every frame of every trace:
// about 80 traces per postback (it declares its outputs), 5 s of the 13 s of a no-op `pulumi up` of
// 500 postbacks, more than all the engine's own work. V8 formats a stack trace when it is first read,
// not when it is captured, so a formatter installed only while the resource registers reaches only
// the traces read meanwhile, and it passes on every trace but those stamps: the resource's source
// position (read at once) and the Error Pulumi keeps to report a failed registration (read later)
// keep their full, source-mapped traces.

type Formatter = (error: Error, frames: NodeJS.CallSite[]) => unknown;

/** V8's own format, for when no formatter was installed. */
const v8Format: Formatter = (error, frames) =>
  [String(error), ...frames.map((frame) => `    at ${String(frame)}`)].join("\n");

/**
 * Install, until the returned function is called (synchronously, around the registration), a formatter
 * that gives the promise stamps (traces taken in `debuggablePromise`) the error's first line only, and
 * formats every other trace as before (Pulumi's own source position of the resource among them). Left
 * alone when Pulumi's leak report is on: its traces are its point.
 */
export function plainStackTracesWhileRegistering(): () => void {
  if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return () => undefined;
  // Node's types say it is always set; it is not, unless something (a source-map loader) installed one.
  const hook = Error as { prepareStackTrace?: Formatter };
  const previous = hook.prepareStackTrace;
  const format: Formatter = (error, frames) =>
    frames[0]?.getFunctionName() === "debuggablePromise"
      ? String(error)
      : (previous ?? v8Format)(error, frames);
  hook.prepareStackTrace = format;
  return () => {
    hook.prepareStackTrace = previous;
  };
}
