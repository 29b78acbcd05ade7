#!/usr/bin/env node
// pulumi-resource-everflow: the native plugin. The engine starts it with its own address as the
// argument, reads the port it prints, and calls the ResourceProvider service there.
// First: on an unsupported Node.js, one line and exit 1, before undici loads.
import "./supported-node";
import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import { endWithEngine } from "../engine/process-end";
import { RunRegistry } from "../engine/run-registry";
import { EngineLog, engineAddress } from "./engine-log";
import { NativeProvider } from "./server";
import schema from "./schema.json";

async function main(args: readonly string[]): Promise<void> {
  const address = engineAddress(args);
  const provider = new NativeProvider(
    { version: schema.version, schema: JSON.stringify(schema) },
    new EngineLog(address),
    RunRegistry.forEngine(address), // the run's other provider processes share the claims
  );
  // The engine's own limits: a schema or a listing's outputs may exceed grpc-js's 4 MiB default.
  const server = new grpc.Server({
    "grpc.max_receive_message_length": 400 * 1024 * 1024,
    "grpc.max_send_message_length": 400 * 1024 * 1024,
  });
  server.addService(provrpc.ResourceProviderService, provider.service());
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  endWithEngine(provider.served); // engine/process-end.ts
  // The engine reads the port from the first line of stdout.
  process.stdout.write(`${port}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `pulumi-resource-everflow: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
