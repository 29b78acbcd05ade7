import * as grpc from "@grpc/grpc-js";
import { OWN_CONNECTIONS, pulumiClientOptions } from "../../support/grpc-connections";

// A ping service: the smallest thing a client can call.
const service = {
  ping: {
    path: "/test.Test/Ping",
    requestStream: false,
    responseStream: false,
    requestSerialize: () => Buffer.alloc(0),
    requestDeserialize: () => ({}),
    responseSerialize: () => Buffer.alloc(0),
    responseDeserialize: () => ({}),
  },
} satisfies grpc.ServiceDefinition;
const Client = grpc.makeGenericClientConstructor(service, "Test");

async function serve(port: number): Promise<[grpc.Server, number]> {
  const server = new grpc.Server();
  server.addService(service, { ping: (_call: unknown, cb: grpc.sendUnaryData<object>) => cb(null, {}) });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return [server, bound];
}

const ping = (client: grpc.Client) =>
  new Promise<string>((resolve) =>
    (client as unknown as { ping(r: object, cb: (e: Error | null) => void): void }).ping({}, (error) =>
      resolve(error ? error.message : "ok"),
    ),
  );

/**
 * An earlier run's client, still open, whose server went away; then a new server on the same port and
 * a new client to it: what a test process meets when the kernel gives a new engine an old engine's port.
 */
async function pingAfterPortReuse(options: grpc.ClientOptions): Promise<string> {
  const [first, port] = await serve(0);
  const servers = [first];
  const earlier = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), options);
  const clients = [earlier];
  try {
    expect(await ping(earlier)).toBe("ok");
    first.forceShutdown();
    expect(await ping(earlier)).toContain("UNAVAILABLE");
    const [second] = await serve(port);
    servers.push(second);
    const later = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), options);
    clients.push(later);
    return await ping(later);
  } finally {
    for (const c of clients) c.close();
    for (const s of servers) s.forceShutdown();
  }
}

describe("Pulumi's gRPC clients in a test process", () => {
  it("would share a failed connection: a new client to a reused port fails at once", async () => {
    const { [OWN_CONNECTIONS]: _own, ...stock } = pulumiClientOptions;
    expect(await pingAfterPortReuse(stock)).toContain("No connection established. Last error: null");
  });

  it("get connections of their own from the test support: the new client reaches the new server", async () => {
    expect(pulumiClientOptions[OWN_CONNECTIONS]).toBe(1);
    expect(await pingAfterPortReuse(pulumiClientOptions)).toBe("ok");
  });
});
