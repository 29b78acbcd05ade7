import type { EmulatorHandle } from "../../../emulator";
import { call, create, html, postback, start } from "./helpers";

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

  test('escaping on read: every pixel returned has & < " escaped; the store keeps the text', async () => {
    h = await start();
    h.settings.setQuirks({ escapeOnRead: true });
    const url = 'https://t.example/cb?a=1&b="2"&c=<3>';
    const created = await create(h, postback({ postback_url: url }));
    const escaped = "https://t.example/cb?a=1&amp;b=&quot;2&quot;&amp;c=&lt;3>";
    expect(created.body.postback_url).toBe(escaped);
    const id = created.body.network_pixel_id;
    expect(h.store.get(id)?.postback_url).toBe(url);
    expect((await call(h, "GET", `/affiliates/pixels/${id}`)).body.postback_url).toBe(escaped);
    expect((await call(h, "GET", "/affiliates/pixels")).body.pixels[0].postback_url).toBe(escaped);
    // Sending the escaped text back stores it escaped: the damage a read-modify-write does.
    await call(h, "PUT", `/affiliates/pixels/${id}`, { json: postback({ postback_url: escaped }) });
    expect(h.store.get(id)?.postback_url).toBe(escaped);
    h.settings.setQuirks({});
    expect((await call(h, "GET", `/affiliates/pixels/${id}`)).body.postback_url).toBe(escaped);
  });

  test("bad switch values are refused with the switch named", async () => {
    h = await start();
    expect(() => h.settings.setQuirks({ truncate: { html_code: -1 } })).toThrow(/truncate\.html_code/);
    expect(() => h.settings.setQuirks({ methodDefaults: { html: { delay_ms: 1.5 } } })).toThrow(
      /methodDefaults\.html\.delay_ms/,
    );
  });
});
