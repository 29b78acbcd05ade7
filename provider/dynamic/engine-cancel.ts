// How the provider process learns that the run is over, so that nothing of it keeps running.
//
// The engine, on SIGINT or SIGTERM to `pulumi` (and before it shuts a provider down), calls the
// provider's Cancel RPC and then waits for the operations in flight. @pulumi/pulumi's dynamic provider
// host (cmd/dynamic-provider, checked at 3.248) answers Cancel itself and never tells the provider, so
// an operation stuck in a listing or a rate-limit wait would hold `pulumi` until it ends. Three ways in,
// each cancelling every request of the process (client/cancel.ts):
// - the Cancel RPC, seen where the host's gRPC server looks up the handler of each call;
// - SIGINT/SIGTERM to the provider process (the engine sends SIGINT to the plugin's process group when
//   it shuts it down, and a Ctrl-C reaches the whole group): cancel, let the calls being served answer
//   (served-calls.ts), then exit;
// - the engine process gone (the provider is re-parented): cancel and exit, so no orphan keeps paging.

import * as path from "node:path";
import { cancelRequests } from "../client/cancel";
import { endWithEngine } from "../engine/process-end";
import { ServedCalls } from "../engine/served-calls";

const CANCEL_METHOD = "/pulumirpc.ResourceProvider/Cancel";

let watching = false;

/** True in the process the engine starts for dynamic providers (`@pulumi/pulumi/cmd/dynamic-provider`). */
export function isDynamicProviderHost(): boolean {
  const main = require.main?.filename ?? "";
  return /[\\/]cmd[\\/]dynamic-provider[\\/]/.test(main);
}

/** Install the three watches, once, and only in the dynamic provider host. */
export function watchEngineCancel(): void {
  if (watching || !isDynamicProviderHost()) return;
  watching = true;
  endWithEngine(hookCancelRpc()); // engine/process-end.ts: signals and the engine's end
}

type UnaryFunc = (this: unknown, call: unknown, callback: (...answer: unknown[]) => void) => unknown;
interface Handler {
  type?: string;
  func?: UnaryFunc;
}

/**
 * Wrap the handler lookup of the host's gRPC server (@grpc/grpc-js, the copy @pulumi/pulumi loaded) so
 * that a Cancel call cancels our requests before the host acknowledges it, and every unary call is
 * counted from its start until it answers. Lookup is per call, so this works though the host
 * registered its handlers before the provider was loaded. Without that internal method (another
 * grpc-js), the signal and parent watches still end the process, after the whole grace period.
 */
function hookCancelRpc(): ServedCalls | undefined {
  try {
    const grpc = hostModule("@grpc/grpc-js") as { Server?: { prototype: Record<string, unknown> } };
    const proto = grpc.Server?.prototype;
    const lookup = proto?._retrieveHandler;
    if (!proto || typeof lookup !== "function") return undefined;
    const calls = new ServedCalls();
    const counted = new Map<Handler, Handler>();
    proto._retrieveHandler = function (this: unknown, method: string) {
      if (method === CANCEL_METHOD) cancelRequests("the engine cancelled the run");
      const handler = (lookup as (m: string) => Handler | null | undefined).call(this, method);
      if (!handler || handler.type !== "unary" || typeof handler.func !== "function") return handler;
      let wrapped = counted.get(handler);
      if (!wrapped) {
        wrapped = { ...handler, func: countCalls(calls, handler.func) };
        counted.set(handler, wrapped);
      }
      return wrapped;
    };
    return calls;
  } catch {
    // No gRPC server to hook: the other watches remain.
    return undefined;
  }
}

/** A unary handler that is counted from its start until its callback answers. */
function countCalls(calls: ServedCalls, func: UnaryFunc): UnaryFunc {
  return function (this: unknown, call, callback) {
    const answered = calls.begin();
    return func.call(this, call, (...answer: unknown[]) => {
      answered();
      callback(...answer);
    });
  };
}

/**
 * A module as the host's @pulumi/pulumi loads it (its own @grpc/grpc-js, its generated protos): the
 * copy whose objects the host's server uses, not one this package may have beside it.
 */
export function hostModule(name: string): unknown {
  const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd()] }));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the host's own copy, found at run time
  return require(require.resolve(name, { paths: [pulumiDir] }));
}
