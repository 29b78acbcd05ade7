// Why a program with postbacks formats Pulumi's promise stamps as one line.
//
// @pulumi/pulumi registers every property of a resource as an Output of four promises, and stamps each
// promise with a formatted stack trace (`new Error().stack` in runtime/debuggable), which it prints only
// in its promise-leak report when PULUMI_DEBUG_PROMISE_LEAKS is set. In a program, formatting goes
// through the source-map support of Pulumi's TypeScript loader, which maps every frame of every trace:
// about 80 traces per postback (it declares its outputs), 5 s of the 13 s of a no-op `pulumi up` of
// 500 postbacks, more than all the engine's own work. Most stamps are taken after the constructor has
// returned (as each registration proceeds), so the formatter stays installed once the first postback
// is declared, for the rest of the program. It passes every other trace to the formatter it replaced:
// the resource's source position and the Error Pulumi keeps to report a failed registration keep their
// full, source-mapped traces.

type Formatter = (error: Error, frames: NodeJS.CallSite[]) => unknown;

let installed = false;

/**
 * Install, once per program, a formatter that gives the promise stamps (traces taken in
 * `debuggablePromise`) the error's first line only, and formats every other trace with the formatter
 * installed before. Left alone when Pulumi's leak report is on (its traces are its point) and when no
 * formatter is installed (V8's own is cheap, and Node's source maps apply only without one). Returns
 * the uninstall, for tests.
 */
export function plainPromiseStamps(): () => void {
  // Node's types say it is always set; it is not, unless something (a source-map loader) installed one.
  const hook = Error as { prepareStackTrace?: Formatter };
  const previous = hook.prepareStackTrace;
  if (installed || process.env.PULUMI_DEBUG_PROMISE_LEAKS || !previous) return () => undefined;
  installed = true;
  const format: Formatter = (error, frames) =>
    frames[0]?.getFunctionName() === "debuggablePromise" ? String(error) : previous(error, frames);
  hook.prepareStackTrace = format;
  return () => {
    // A formatter installed after ours stays: it may wrap ours.
    if (hook.prepareStackTrace === format) hook.prepareStackTrace = previous;
    installed = false;
  };
}
