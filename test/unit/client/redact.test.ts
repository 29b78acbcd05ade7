import { redact, redactString, REDACTED } from "../../../provider/client";

describe("redact", () => {
  test("replaces values under secret keys and every occurrence of a known secret", () => {
    const input = {
      event: "request-end",
      path: "/v1/affiliates/pixels?key=sk-live-123456",
      headers: { "X-Eflow-API-Key": "sk-live-123456", accept: "application/json" },
      body: { facebook_pixel: { pixel_id: "1", access_token: "EAAB-token-xyz" } },
      list: [{ apiKey: "whatever" }, "contains sk-live-123456 twice sk-live-123456"],
    };
    const out = redact(input, ["sk-live-123456"]);
    expect(out.path).toBe(`/v1/affiliates/pixels?key=${REDACTED}`);
    expect(out.headers["X-Eflow-API-Key"]).toBe(REDACTED);
    expect(out.headers.accept).toBe("application/json");
    expect(out.body.facebook_pixel.access_token).toBe(REDACTED);
    expect(out.body.facebook_pixel.pixel_id).toBe("1");
    expect(out.list[0]).toEqual({ apiKey: REDACTED });
    expect(out.list[1]).toBe(`contains ${REDACTED} twice ${REDACTED}`);
    expect(JSON.stringify(out)).not.toMatch(/sk-live-123456|EAAB-token-xyz/);
    // the input is not modified
    expect(input.body.facebook_pixel.access_token).toBe("EAAB-token-xyz");
  });

  test("errors become plain objects with a redacted message; cycles are cut", () => {
    const err = Object.assign(new Error("connect failed for key sk-live-123456"), { code: "ECONNREFUSED" });
    const cyclic: Record<string, unknown> = { err };
    cyclic.self = cyclic;
    const out = redact(cyclic, ["sk-live-123456"]);
    expect(out.err).toEqual({
      name: "Error",
      code: "ECONNREFUSED",
      message: `connect failed for key ${REDACTED}`,
    });
    expect(out.self).toBe("[Circular]");
  });

  test("empty tokens stay empty (nothing to hide) and short secrets are not substring-replaced", () => {
    expect(redact({ access_token: "" })).toEqual({ access_token: "" });
    expect(redactString("a b c", ["a"])).toBe("a b c");
  });
});
