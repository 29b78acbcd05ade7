// Warnings under the resource they are about: the engine's Log RPC, with the URN of the call. The
// engine gives its address as the plugin's argument (or later, by Attach).

import * as grpc from "@grpc/grpc-js";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";

/** Bound on how long a warning may hold the operation it reports on. */
const LOG_TIMEOUT_MS = 5_000;

export class EngineLog {
  private client: enginerpc.EngineClient | undefined;

  constructor(address?: string) {
    if (address) this.connect(address);
  }

  connect(address: string): void {
    this.client?.close();
    this.client = new enginerpc.EngineClient(address, grpc.credentials.createInsecure());
  }

  /**
   * A warning shown under `urn`; resolves once delivered or given up. Without an engine (or when it
   * cannot take it), the warning goes to stderr, which the engine shows as the plugin's.
   */
  async warn(urn: string, message: string): Promise<void> {
    const client = this.client;
    if (!client) {
      console.error(`warning: ${message}`);
      return;
    }
    const request = new engineproto.LogRequest();
    request.setSeverity(engineproto.LogSeverity.WARNING);
    request.setMessage(message);
    request.setUrn(urn);
    request.setEphemeral(false);
    const delivered = await new Promise<boolean>((resolve) => {
      const deadline = new Date(Date.now() + LOG_TIMEOUT_MS);
      client.log(request, new grpc.Metadata(), { deadline }, (error) => resolve(!error));
    });
    if (!delivered) console.error(`warning: ${message}`);
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }
}

/**
 * The engine's address among the plugin's arguments: the engine may put `--logtostderr`, `-v=N` and
 * `--tracing <endpoint>` before it.
 */
export function engineAddress(args: readonly string[]): string | undefined {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--tracing") i++;
    else if (!arg.startsWith("-")) rest.push(arg);
  }
  return rest[0];
}
