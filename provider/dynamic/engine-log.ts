// Warnings attached to the postback they are about.
//
// A dynamic provider's ResourceProvider methods get no URN and no engine connection: what it writes to
// stderr reaches `pulumi` as a diagnostic of the stack, not of the resource. The engine does send each
// call's URN to the host (@pulumi/pulumi's cmd/dynamic-provider), and the host is started with the
// engine's address as its first argument. So, in the host only:
// - each Create and Update call (the only ones that warn) runs in an AsyncLocalStorage context holding
//   its request's URN, set where the host's gRPC server looks up the handler of a call (as
//   engine-cancel.ts watches for Cancel). Not every call: on Node.js before 24, the first context
//   turns on async hooks for every promise of the process, and a refresh (reads and diffs only, CPU-bound
//   in this process) would pay for them without ever warning;
// - a warning is sent with the engine's Log RPC under that URN, as `pulumi.log.warn(msg, resource)`
//   does in a program. The engine then shows it under the postback, in the CLI and in engine events.
// Anywhere else (unit tests, an unknown host), or when the engine cannot be reached, the warning goes
// to stderr as before.

import { AsyncLocalStorage } from "node:async_hooks";
import { hostModule, isDynamicProviderHost } from "./engine-cancel";

interface LogClient {
  log(request: unknown, callback: (error: Error | null) => void): void;
}

interface LogProto {
  LogRequest: new () => {
    setSeverity(s: number): void;
    setMessage(m: string): void;
    setUrn(u: string): void;
    setEphemeral(e: boolean): void;
  };
  LogSeverity: { WARNING: number };
}

/** The URN of the provider call running in this async context. */
const currentUrn = new AsyncLocalStorage<string>();
/** The calls that may warn (postback-provider.ts: the answer to a write). */
const WARNING_CALLS = new Set(["/pulumirpc.ResourceProvider/Create", "/pulumirpc.ResourceProvider/Update"]);
/** Bound on how long a warning may hold the operation it reports on. */
const LOG_TIMEOUT_MS = 5_000;

let hooked = false;
let engine: { client: LogClient; proto: LogProto } | undefined;

/** Install the URN context, once, and only in the dynamic provider host. */
export function attachWarningsToResources(): void {
  if (hooked || !isDynamicProviderHost()) return;
  hooked = true;
  try {
    const grpc = hostModule("@grpc/grpc-js") as {
      Server?: { prototype: Record<string, unknown> };
      credentials: { createInsecure(): unknown };
    };
    const proto = grpc.Server?.prototype;
    const lookup = proto?._retrieveHandler;
    const address = process.argv[2];
    if (!proto || typeof lookup !== "function" || !address) return;
    const rpc = hostModule("@pulumi/pulumi/proto/engine_grpc_pb") as {
      EngineClient: new (address: string, credentials: unknown) => LogClient;
    };
    engine = {
      client: new rpc.EngineClient(address, grpc.credentials.createInsecure()),
      proto: hostModule("@pulumi/pulumi/proto/engine_pb") as LogProto,
    };
    const wrapped = new Map<unknown, unknown>();
    proto._retrieveHandler = function (this: unknown, method: string) {
      const handler = (lookup as (m: string) => unknown).call(this, method) as
        | { func?: (call: { request?: { getUrn?: () => string } }, ...rest: unknown[]) => unknown }
        | null
        | undefined;
      if (!handler || typeof handler.func !== "function" || !WARNING_CALLS.has(method)) return handler;
      if (!wrapped.has(handler)) {
        const func = handler.func;
        wrapped.set(handler, {
          ...handler,
          func(this: unknown, call: { request?: { getUrn?: () => string } }, ...rest: unknown[]) {
            const urn = typeof call?.request?.getUrn === "function" ? call.request.getUrn() : "";
            return urn
              ? currentUrn.run(urn, () => func.call(this, call, ...rest))
              : func.call(this, call, ...rest);
          },
        });
      }
      return wrapped.get(handler);
    };
  } catch {
    engine = undefined; // no host internals to use: warnings go to stderr
  }
}

/**
 * A warning about the postback of the current Create or Update call: under its URN when the engine can
 * take it, else (any other call, or no engine) on stderr. Resolves once delivered (or given up), so the
 * operation it is about ends after it.
 */
export async function warnResource(message: string): Promise<void> {
  const urn = currentUrn.getStore();
  if (!engine || !urn) {
    console.warn(`warning: ${message}`);
    return;
  }
  const { client, proto } = engine;
  const request = new proto.LogRequest();
  request.setSeverity(proto.LogSeverity.WARNING);
  request.setMessage(message);
  request.setUrn(urn);
  request.setEphemeral(false);
  const delivered = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), LOG_TIMEOUT_MS);
    client.log(request, (error) => {
      clearTimeout(timer);
      resolve(!error);
    });
  });
  if (!delivered) console.warn(`warning: ${message}`);
}
