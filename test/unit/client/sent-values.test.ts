// A server message quoting what we sent keeps the field's name, never the value, in every form a
// server may quote it; and the emulator's fail faults can produce such messages.

import { EverflowApiError } from "../../../provider/client";
import { sentValues, withoutSentValues } from "../../../provider/client/sent-values";
import { API_KEY, facebookBody, postbackBody, ROUTE, setup, type Env } from "./helpers";

const URL_WITH_KEY =
  "https://partner.example/cb?api_key=pk_live_8c1f0e93d2&tid={transaction_id}&amt={revenue}";
const body = postbackBody({ postback_url: URL_WITH_KEY });

describe("withoutSentValues", () => {
  test.each([
    ["as sent", URL_WITH_KEY],
    ["JSON-escaped", JSON.stringify(URL_WITH_KEY).slice(1, -1).replace(/\//g, "\\/")],
    ["percent-encoded", encodeURIComponent(URL_WITH_KEY)],
    ["HTML-escaped", URL_WITH_KEY.replace(/&/g, "&amp;")],
    ["cut short", `${URL_WITH_KEY.slice(0, 30)}...`],
    ["cut short after the key", `${URL_WITH_KEY.slice(0, 60)}…`],
  ])("a URL quoted %s becomes <postback_url>", (_form, quote) => {
    const out = withoutSentValues(`Invalid postback URL: ${quote} (rejected)`, body);
    expect(out).not.toContain("pk_live_8c1f0e93d2");
    expect(out).not.toContain("partner.example/cb");
    expect(out).toMatch(/^Invalid postback URL: <postback_url>(\.\.\.|…)? \(rejected\)$/);
  });

  test("a query parameter quoted alone is named after its field", () => {
    expect(withoutSentValues("parameter api_key=pk_live_8c1f0e93d2 is not allowed", body)).toBe(
      "parameter api_key=<postback_url> is not allowed",
    );
  });

  test("facebook token and html code are named by their paths; the vocabulary is left alone", () => {
    const fb = facebookBody("EAAB-conversions-token-77aa1b");
    const token = fb.facebook_pixel!.access_token;
    expect(withoutSentValues(`token ${token} expired for delivery_method facebook`, fb)).toBe(
      "token <facebook_pixel.access_token> expired for delivery_method facebook",
    );
    const html = { ...postbackBody(), html_code: "<img src='https://px.example/a?k=secret123'>" };
    expect(
      withoutSentValues(`bad html: &lt;img src=&#39;https://px.example/a?k=secret123&#39;&gt;`, html),
    ).toBe("bad html: <html_code>");
    expect(sentValues({ pixel_type: "conversion", delivery_method: "postback" })).toEqual([]);
  });
});

describe("through the client, against the emulator's quoting faults", () => {
  let env: Env;
  beforeEach(async () => {
    env = await setup();
  });
  afterEach(() => env.close());

  test.each([
    "{postback_url}",
    "{postback_url|json}",
    "{postback_url|url}",
    "{postback_url|html}",
    "{postback_url|cut:40}",
  ])("a rejected create quoting %s: the error names the field", async (placeholder) => {
    env.emu.faults.failNext(
      ROUTE.create,
      1,
      400,
      `Invalid parameters: postback_url ${placeholder} is not allowed`,
    );
    const err = (await env.client.create(body).catch((e: unknown) => e)) as EverflowApiError;
    expect(err).toBeInstanceOf(EverflowApiError);
    expect(err.kind).toBe("bad-request");
    expect(err.message).toMatch(
      /^Everflow create of postback failed: HTTP 400: Invalid parameters: postback_url <postback_url>(\.\.\.)? is not allowed$/,
    );
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain("pk_live_8c1f0e93d2");
  });

  test("a rejected update quoting the token, whole or cut short", async () => {
    const token = "EAAB-other-token-8f8e1a42";
    const created = await env.client.create(facebookBody(token));
    const update = () =>
      env.client
        .update(created.network_pixel_id, facebookBody(token))
        .catch((e: unknown) => e as EverflowApiError);

    env.emu.faults.failNext(ROUTE.update, 1, 400, "access_token {facebook_pixel.access_token} is invalid");
    // A known secret keeps the redaction it always had.
    expect((await update()).apiMessage).toBe("access_token [REDACTED] is invalid");

    env.emu.faults.failNext(
      ROUTE.update,
      1,
      400,
      "access_token {facebook_pixel.access_token|cut:16} is invalid",
    );
    // Cut short, it is no longer the secret's whole text: named by its field.
    const cut = await update();
    expect(cut.apiMessage).toBe("access_token <facebook_pixel.access_token>... is invalid");
    expect(cut.message).not.toContain(token.slice(0, 16));
    expect(cut.message).not.toContain(API_KEY);
  });
});
