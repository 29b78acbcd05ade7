import * as settings from "@pulumi/pulumi/runtime/settings";

// Why every Pulumi gRPC client in a test process gets connections of its own.
//
// A test file runs all its inline programs in one process, and grpc-js shares one connection per
// address among all the clients of a process. A client left over from an earlier run, whose engine
// has exited, holds its address's connection in transient failure. When the kernel later hands the
// same port to another engine's resource monitor, the new run's first call shares that connection
// and fails at once: "14 UNAVAILABLE: No connection established. Last error: null". The automation
// server takes any gRPC error from a program for the engine shutting down and reports the run
// successful, so the preview "succeeds" with no resource registered (seen once in CI, in
// bad-inputs.test.ts). A user's program runs once per process and never meets this.

/** The grpc-js channel option that gives a client connections of its own. */
export const OWN_CONNECTIONS = "grpc.use_local_subchannel_pool";

// The options Pulumi creates its monitor and engine clients with: grpcClientOptions in 3.248 (the
// lockfile's), grpcChannelOptions in 3.216 (the peer minimum). Both are internal: no typings.
const exported = settings as unknown as Record<"grpcClientOptions" | "grpcChannelOptions", unknown>;
const options = (exported.grpcClientOptions ?? exported.grpcChannelOptions) as
  Record<string, unknown> | undefined;
if (!options) {
  throw new Error(
    "@pulumi/pulumi/runtime/settings exports neither grpcClientOptions nor grpcChannelOptions: see " +
      "test/support/grpc-connections.ts",
  );
}
options[OWN_CONNECTIONS] = 1;

/** The options Pulumi's clients are created with in this process. */
export const pulumiClientOptions = options;
