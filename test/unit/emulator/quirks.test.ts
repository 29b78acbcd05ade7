import type { EmulatorHandle, QuirkOptions } from "../../../emulator";
import { call, create, facebook, html, postback, start } from "./helpers";

describe("emulator quirks", () => {
  let h: EmulatorHandle;
  afterEach(async () => h?.stop());

  test("all off by default: what was sent is stored and returned", async () => {
    h = await start();
    const sent = html({ delay_ms: 5000, html_code: '<img src="a?b=1&c=2">' });
    const res = await create(h, sent);
    expect(res.body).toMatchObject({ delay_ms: 5000, html_code: '<img src="a?b=1&c=2">' });
    expect(h.store.get(res.body.network_pixel_id)).toMatchObject({ delay_ms: 5000 });
  });

  test("per-delivery-method defaults are what is stored, on create and on update", async () => {
    h = await start({ quirks: { methodDefaults: { html: { delay_ms: 0 }, facebook: { delay_ms: 0 } } } });
    const created = await create(h, html({ delay_ms: 5000 }));
    expect(created.body.delay_ms).toBe(0);
    const id = created.body.network_pixel_id;
    const put = await call(h, "PUT", `/affiliates/pixels/${id}`, { json: html({ delay_ms: 7000 }) });
    expect(put.body.delay_ms).toBe(0);
    expect(h.store.get(id)?.delay_ms).toBe(0);
    // Other delivery methods keep what they were sent.
    expect((await create(h, postback({ delay_ms: 5000 }))).body.delay_ms).toBe(5000);
  });

  test("length limits cut values off silently, on write", async () => {
    h = await start({ quirks: { truncate: { html_code: 65_535, postback_url: 2_048 } } });
    const longHtml = "<p>" + "x".repeat(70_000) + "</p>";
    const longUrl = "https://t.example/?q=" + "y".repeat(4_001 - 21);
    const a = await create(h, html({ html_code: longHtml }));
    expect(a.status).toBe(200);
    expect(a.body.html_code).toBe(longHtml.slice(0, 65_535));
    const b = await create(h, postback({ postback_url: longUrl }));
    expect(longUrl).toHaveLength(4_001);
    expect(b.body.postback_url).toBe(longUrl.slice(0, 2_048));
    expect(h.store.get(b.body.network_pixel_id)?.postback_url).toHaveLength(2_048);
    // Short values are untouched.
    expect((await create(h, postback())).body.postback_url).toBe(postback().postback_url);
  });

  const url = 'https://t.example/cb?a=1&b="2"&c=<3>';
  const escaped = "https://t.example/cb?a=1&amp;b=&quot;2&quot;&amp;c=&lt;3>";
  const code = '<img src="p?a=1&b=2">';
  const escapedCode = "&lt;img src=&quot;p?a=1&amp;b=2&quot;>";

  /** postback_url as each answer shows it: the two writes, then the three reads. */
  async function urlInEveryAnswer(): Promise<Record<string, string>> {
    const created = await create(h, postback({ postback_url: url }));
    const id = created.body.network_pixel_id;
    const put = await call(h, "PUT", `/affiliates/pixels/${id}`, { json: postback({ postback_url: url }) });
    const one = await call(h, "GET", `/affiliates/pixels/${id}`);
    const list = await call(h, "GET", "/affiliates/pixels");
    const table = await call(h, "POST", "/affiliates/pixelstable?page=1&page_size=10");
    expect(h.store.get(id)?.postback_url).toBe(url);
    return {
      create: created.body.postback_url,
      update: put.body.postback_url,
      get: one.body.postback_url,
      list: list.body.pixels[0].postback_url,
      pixelstable: table.body.pixels[0].postback_url,
    };
  }

  test('escape: "all" escapes & < " in every answer, writes included; the store keeps the text', async () => {
    h = await start();
    h.settings.setQuirks({ escape: "all" });
    expect(await urlInEveryAnswer()).toEqual({
      create: escaped,
      update: escaped,
      get: escaped,
      list: escaped,
      pixelstable: escaped,
    });
    const made = await create(h, html({ html_code: code }));
    expect(made.body.html_code).toBe(escapedCode);
    expect(h.store.get(made.body.network_pixel_id)?.html_code).toBe(code);
  });

  test('escape: "reads" escapes in the GET and pixelstable answers only; writes answer the text as sent', async () => {
    h = await start({ quirks: { escape: "reads" } });
    expect(await urlInEveryAnswer()).toEqual({
      create: url,
      update: url,
      get: escaped,
      list: escaped,
      pixelstable: escaped,
    });
    const made = await create(h, html({ html_code: code }));
    expect(made.body.html_code).toBe(code);
    const read = await call(h, "GET", `/affiliates/pixels/${made.body.network_pixel_id}`);
    expect(read.body.html_code).toBe(escapedCode);
  });

  test('escapeOnRead: true (the older switch) is escape: "all"; false is off', async () => {
    h = await start({ quirks: { escapeOnRead: true } });
    expect(new Set(Object.values(await urlInEveryAnswer()))).toEqual(new Set([escaped]));
    h.settings.setQuirks({ escapeOnRead: false });
    expect(new Set(Object.values(await urlInEveryAnswer()))).toEqual(new Set([url]));
  });

  test("sending the escaped text back stores it escaped (the damage a read-modify-write does)", async () => {
    h = await start({ quirks: { escape: "reads" } });
    const id = (await create(h, postback({ postback_url: url }))).body.network_pixel_id;
    const read = await call(h, "GET", `/affiliates/pixels/${id}`);
    await call(h, "PUT", `/affiliates/pixels/${id}`, {
      json: postback({ postback_url: read.body.postback_url }),
    });
    expect(h.store.get(id)?.postback_url).toBe(escaped);
    h.settings.setQuirks({});
    expect((await call(h, "GET", `/affiliates/pixels/${id}`)).body.postback_url).toBe(escaped);
  });

  test('maskAccessToken: "reads" masks the token in reads only; true and "all" in every answer', async () => {
    const token = facebook().facebook_pixel as { access_token: string };
    const tokens = async (): Promise<string[]> => {
      const made = await create(h, facebook());
      const id = made.body.network_pixel_id;
      const put = await call(h, "PUT", `/affiliates/pixels/${id}`, { json: facebook() });
      const one = await call(h, "GET", `/affiliates/pixels/${id}`);
      const table = await call(h, "POST", "/affiliates/pixelstable", { json: {} });
      expect(h.store.get(id)?.facebook_pixel?.access_token).toBe(token.access_token);
      const last = table.body.pixels[table.body.pixels.length - 1];
      return [made, put, one]
        .map((r) => r.body.facebook_pixel.access_token)
        .concat(last.facebook_pixel.access_token);
    };
    h = await start({ maskAccessToken: "reads" });
    expect(await tokens()).toEqual([token.access_token, token.access_token, "****9876", "****9876"]);
    h.settings.setMaskAccessToken("all");
    expect(await tokens()).toEqual(["****9876", "****9876", "****9876", "****9876"]);
    h.settings.setMaskAccessToken(true);
    expect(new Set(await tokens())).toEqual(new Set(["****9876"]));
    h.settings.setMaskAccessToken(false);
    expect(new Set(await tokens())).toEqual(new Set([token.access_token]));
    expect(() => h.settings.setMaskAccessToken("writes" as "all")).toThrow(/maskAccessToken/);
  });

  test('storedForm: "reads": write answers echo the request; the stored form shows from the next read', async () => {
    h = await start({
      quirks: {
        storedForm: "reads",
        truncate: { postback_url: 30 },
        methodDefaults: { postback: { delay_ms: 0, network_offer_payout_revenue_id: 0 } },
      },
    });
    const sent = postback({
      pixel_level: "specific",
      network_offer_id: 5,
      network_offer_payout_revenue_id: 44,
      delay_ms: 9000,
      postback_url: "https://t.example/cb?tid={transaction_id}&x=1",
    });
    const created = await create(h, sent);
    expect(created.body).toMatchObject({
      postback_url: sent.postback_url,
      delay_ms: 9000,
      network_offer_payout_revenue_id: 44,
      relationship: { payout_revenue: { network_offer_payout_revenue_id: 44 } },
    });
    const id = created.body.network_pixel_id;
    const stored = {
      postback_url: (sent.postback_url as string).slice(0, 30),
      delay_ms: 0,
      network_offer_payout_revenue_id: 0,
      relationship: { payout_revenue: null },
    };
    expect((await call(h, "GET", `/affiliates/pixels/${id}`)).body).toMatchObject(stored);
    const put = await call(h, "PUT", `/affiliates/pixels/${id}`, { json: { ...sent, delay_ms: 8000 } });
    expect(put.body).toMatchObject({ postback_url: sent.postback_url, delay_ms: 8000 });
    expect(put.body.time_saved).toBe(h.store.get(id)?.time_saved);
    expect((await call(h, "GET", "/affiliates/pixels")).body.pixels[0]).toMatchObject(stored);
    // "all" (the default) answers writes with the stored form.
    h.settings.setQuirks({ storedForm: "all", truncate: { postback_url: 30 } });
    expect((await create(h, sent)).body.postback_url).toBe(stored.postback_url);
  });

  test("returned forms combine: an echoed write answer is escaped when escaping shows in writes", async () => {
    h = await start({ quirks: { storedForm: "reads", truncate: { postback_url: 28 }, escape: "all" } });
    const created = await create(h, postback({ postback_url: url }));
    expect(created.body.postback_url).toBe(escaped);
    const read = await call(h, "GET", `/affiliates/pixels/${created.body.network_pixel_id}`);
    expect(read.body.postback_url).toBe("https://t.example/cb?a=1&amp;b=&quot;");
  });

  test("bad switch values are refused with the switch named", async () => {
    h = await start();
    expect(() => h.settings.setQuirks({ truncate: { html_code: -1 } })).toThrow(/truncate\.html_code/);
    expect(() => h.settings.setQuirks({ methodDefaults: { html: { delay_ms: 1.5 } } })).toThrow(
      /methodDefaults\.html\.delay_ms/,
    );
    const loose = (q: Record<string, unknown>): void => h.settings.setQuirks(q as QuirkOptions);
    expect(() => loose({ escape: "writes" })).toThrow(/escape must be "reads" or "all"/);
    expect(() => loose({ storedForm: true })).toThrow(/storedForm must be "reads" or "all"/);
    expect(() => loose({ escape: "all", escapeOnRead: true })).toThrow(/not both/);
    expect(() => loose({ escapeOnReads: true })).toThrow(/unknown switch "escapeOnReads"/);
    expect(() => loose({ truncate: { delay_ms: 3 } })).toThrow(
      /truncate\.delay_ms: only postback_url, html_code/,
    );
    expect(() => loose({ methodDefaults: { html: { postback_url: 3 } } })).toThrow(
      /methodDefaults\.html\.postback_url: only delay_ms/,
    );
    // A refused setting changes nothing: the switches in force stay.
    h.settings.setQuirks({ escape: "all" });
    expect(() => loose({ escape: "sometimes" })).toThrow();
    expect((await create(h, postback({ postback_url: url }))).body.postback_url).toBe(escaped);
  });
});
