import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { startEmulator, type EmulatorHandle } from "../../../emulator";
import { resetClientRegistry } from "../../../provider/client";
import { isSecretValue, secretValue } from "../../../provider/engine/secret-values";
import { EngineLog } from "../../../provider/native/engine-log";
import { NativeProvider } from "../../../provider/native/server";

// The native face's service over gRPC, as the engine calls it: a real server and client on loopback,
// a fake engine that takes the Log calls, the emulator behind. The engine end to end is in
// test/packed/native.

const KEY = "native-server-key";
const URN = "urn:pulumi:dev::p::everflow:index:Postback::conv";
let emulator: EmulatorHandle;
let server: grpc.Server;
let engine: grpc.Server;
let client: provrpc.ResourceProviderClient;
const logged: { urn: string; message: string }[] = [];

async function listen(s: grpc.Server): Promise<number> {
  return new Promise((resolve, reject) =>
    s.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, port) =>
      e ? reject(e) : resolve(port),
    ),
  );
}

type Callback<Res> = (e: grpc.ServiceError | null, res: Res) => void;

/** A unary call as a promise (the client's methods are overloaded: the answer's type is given). */
function call<Res>(
  method: (request: never, callback: Callback<Res>) => unknown,
  request: unknown,
): Promise<Res> {
  const send = method as unknown as (r: unknown, cb: Callback<Res>) => unknown;
  return new Promise<Res>((resolve, reject) =>
    send.call(client, request, (e, res) => (e ? reject(e) : resolve(res))),
  );
}

const struct = (props: Record<string, unknown>) => structproto.Struct.fromJavaScript(props as never);

beforeAll(async () => {
  emulator = await startEmulator({
    accounts: [{ apiKey: KEY, networkId: 1, affiliateId: 7 }],
    rateLimit: { rate: 1000, burst: 1000 },
    quirks: { escape: "all" },
  });
  engine = new grpc.Server();
  engine.addService(enginerpc.EngineService, {
    log: (
      c: grpc.ServerUnaryCall<engineproto.LogRequest, emptyproto.Empty>,
      cb: grpc.sendUnaryData<emptyproto.Empty>,
    ) => {
      logged.push({ urn: c.request.getUrn(), message: c.request.getMessage() });
      cb(null, new emptyproto.Empty());
    },
  });
  const enginePort = await listen(engine);
  const provider = new NativeProvider(
    { version: "0.1.0", schema: "{}" },
    new EngineLog(`127.0.0.1:${enginePort}`),
  );
  server = new grpc.Server();
  server.addService(provrpc.ResourceProviderService, provider.service());
  client = new provrpc.ResourceProviderClient(
    `127.0.0.1:${await listen(server)}`,
    grpc.credentials.createInsecure(),
  );
});
afterAll(async () => {
  client?.close();
  server?.forceShutdown();
  engine?.forceShutdown();
  await resetClientRegistry();
  await emulator?.stop();
});

describe("the native plugin's service", () => {
  it("CheckConfig names each bad input and returns the credentials secret", async () => {
    const req = new provproto.CheckRequest();
    req.setUrn("urn:pulumi:dev::p::pulumi:providers:everflow::default");
    req.setNews(struct({ apiKey: KEY, baseUrl: "http://example.com/v1", burst: "lots" }));
    const res = await call<provproto.CheckResponse>(client.checkConfig, req);
    expect(
      res
        .getFailuresList()
        .map((f) => f.getProperty())
        .sort(),
    ).toEqual(["baseUrl", "burst"]);
    const inputs = res.getInputs()!.toJavaScript();
    expect(isSecretValue(inputs.apiKey)).toBe(true);
    expect(JSON.stringify(res.toObject())).not.toMatch(/would send.*native-server-key/);
  });

  it("creates with the key from Configure, warns under the URN, and marks what derives from a secret", async () => {
    const configure = new provproto.ConfigureRequest();
    configure.setArgs(struct({ apiKey: secretValue(KEY), baseUrl: emulator.url }));
    expect((await call<provproto.ConfigureResponse>(client.configure, configure)).getAcceptsecrets()).toBe(
      true,
    );

    const url = "https://t.example.com/cb?api_key=S3CR3T&tid={transaction_id}";
    const declared = {
      deliveryMethod: "postback",
      pixelLevel: "global",
      pixelType: "conversion",
      postbackUrl: secretValue(url),
    };
    const check = new provproto.CheckRequest();
    check.setUrn(URN);
    check.setNews(struct(declared));
    const checked = await call<provproto.CheckResponse>(client.check, check);
    expect(checked.getFailuresList()).toEqual([]);
    const inputs = checked.getInputs()!.toJavaScript();
    expect(isSecretValue(inputs.postbackUrl)).toBe(true);
    expect(inputs.delayMs).toBe(0);

    const create = new provproto.CreateRequest();
    create.setUrn(URN);
    create.setProperties(checked.getInputs());
    const created = await call<provproto.CreateResponse>(client.create, create);
    const outs = created.getProperties()!.toJavaScript();
    expect(isSecretValue(outs.postbackUrl)).toBe(true);
    expect(isSecretValue(outs.lastApplied)).toBe(true);
    expect(outs.pixelId).toBe(Number(created.getId()));
    // The escape quirk: Everflow answered another form; the warning names the field, not the value.
    expect(logged).toEqual([
      { urn: URN, message: expect.stringContaining("postbackUrl (secret, values not shown)") },
    ]);
    expect(JSON.stringify(logged)).not.toContain("S3CR3T");
  });

  it("reads with no state as the engine's import, and answers a no-op diff with no change", async () => {
    const seeded = emulator.store.seed(KEY, {
      delivery_method: "postback",
      pixel_level: "global",
      pixel_type: "conversion",
      postback_url: "https://t.example.com/legacy",
    });
    const read = new provproto.ReadRequest();
    read.setId(String(seeded.network_pixel_id));
    read.setUrn("urn:pulumi:dev::p::everflow:index:Postback::legacy");
    const res = await call<provproto.ReadResponse>(client.read, read);
    expect(res.getId()).toBe(String(seeded.network_pixel_id));
    const state = res.getProperties()!.toJavaScript();
    expect(state).toMatchObject({
      pixelId: seeded.network_pixel_id,
      postbackUrl: "https://t.example.com/legacy",
    });

    emulator.log.reset();
    const diff = new provproto.DiffRequest();
    diff.setId(res.getId());
    diff.setUrn("urn:pulumi:dev::p::everflow:index:Postback::legacy");
    diff.setOlds(res.getProperties());
    diff.setNews(res.getInputs());
    const d = await call<provproto.DiffResponse>(client.diff, diff);
    expect(d.getChanges()).toBe(provproto.DiffResponse.DiffChanges.DIFF_NONE);
    expect(emulator.log.entries()).toEqual([]);
  });

  it("Cancel gives up a create waiting on the account, and sends nothing after", async () => {
    emulator.faults.latency("POST /v1/affiliates/pixels", 5_000);
    const create = new provproto.CreateRequest();
    create.setUrn("urn:pulumi:dev::p::everflow:index:Postback::slow");
    create.setProperties(
      struct({
        deliveryMethod: "html",
        pixelLevel: "global",
        pixelType: "conversion",
        htmlCode: "<img>",
        account: "default",
        pixelStatus: "active",
        delayMs: 0,
        networkOfferPayoutRevenueId: 0,
      }),
    );
    const pending = call<provproto.CreateResponse>(client.create, create).then(
      () => "created",
      (e: grpc.ServiceError) => e.details,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await call<emptyproto.Empty>(client.cancel, new emptyproto.Empty());
    // The POST on the wire runs to its answer (its id must be recorded): only what waits is given up.
    expect(await pending).toBe("created");
    const later = new provproto.CreateRequest();
    later.setUrn("urn:pulumi:dev::p::everflow:index:Postback::later");
    later.setProperties(create.getProperties());
    const posts = emulator.log.count("POST /v1/affiliates/pixels");
    await expect(call<provproto.CreateResponse>(client.create, later)).rejects.toMatchObject({
      details: expect.stringMatching(/cancelled/),
    });
    expect(emulator.log.count("POST /v1/affiliates/pixels")).toBe(posts);
  }, 30_000);
});
