import { EverflowApiError, EverflowClient, resetClientRegistry } from "../../../provider/client";
import { API_KEY, FAST_RETRY, postbackBody, scriptedServer, wirePixel } from "./helpers";

afterEach(() => resetClientRegistry());

const now = () => Math.floor(Date.now() / 1000);

describe("creates whose write lands late or whose answer does not fit", () => {
  it("lets an ambiguous create settle before looking, so a write landing late is adopted, not repeated", async () => {
    const listed: Record<string, unknown>[] = [];
    const server = await scriptedServer((req) => {
      if (req.method === "POST") {
        // A gateway gives up, the backend finishes the write 100 ms later.
        setTimeout(() => listed.push(wirePixel(501, { ...postbackBody(), time_created: now() })), 100);
        return { status: 504, body: { error: "Gateway Timeout" } };
      }
      return { body: { pixels: listed } };
    });
    const client = new EverflowClient({
      apiKey: API_KEY,
      baseUrl: server.url,
      retry: FAST_RETRY,
      reconcile: { settleMs: 400 },
      rateLimit: { rate: 10_000, burst: 10_000 },
    });
    try {
      const pixel = await client.create(postbackBody());
      expect(pixel.network_pixel_id).toBe(501);
      expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });

  it("hands back the id of a created postback whose answer fails the schema, without a second POST", async () => {
    const server = await scriptedServer(() => ({
      body: { ...wirePixel(777, postbackBody()), time_created: "yesterday" },
    }));
    const client = new EverflowClient({
      apiKey: API_KEY,
      baseUrl: server.url,
      retry: FAST_RETRY,
      reconcile: { settleMs: 10 },
      rateLimit: { rate: 10_000, burst: 10_000 },
    });
    try {
      const error = (await client.create(postbackBody()).catch((e: unknown) => e)) as EverflowApiError;
      expect(error).toBeInstanceOf(EverflowApiError);
      expect(error).toMatchObject({ operation: "create", kind: "invalid-response", pixelId: 777 });
      expect(error.message).toContain("time_created");
      expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });
});
