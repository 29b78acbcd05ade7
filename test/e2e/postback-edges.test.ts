import * as pulumi from "@pulumi/pulumi";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { Postback } from "../../sdk";
import { createEverflowStack, EverflowTestStack } from "../support/everflow";

const TOKEN = "EAAB-real-token-7d21ab";
const PUT = "PUT /v1/affiliates/pixels/:id";

describe("edges of the Postback resource", () => {
  let t: EverflowTestStack;
  let eventName = "Purchase";
  beforeAll(async () => {
    t = await createEverflowStack("edges", async () => {
      const purchase = new Postback("purchase", {
        deliveryMethod: "facebook",
        pixelLevel: "global",
        pixelType: "conversion",
        facebookPixel: { pixelId: "551", eventName, accessToken: pulumi.secret(TOKEN) },
      });
      // Known only after `purchase` exists: preview must not call it missing.
      new Postback("chained", {
        deliveryMethod: "postback",
        pixelLevel: "global",
        pixelType: "post_conversion",
        postbackUrl: pulumi.interpolate`https://track.example.com/chain/${purchase.pixelId}?tid={transaction_id}&x={mystery_macro}`,
      });
    });
  });
  afterAll(async () => t?.stop());

  it("previews values known only after apply, and warns about undocumented macros", async () => {
    const events: EngineEvent[] = [];
    const preview = await t.stack.preview({ onEvent: (e) => events.push(e) });
    expect(preview.changeSummary).toEqual({ create: 3 });
    expect(t.totalCalls()).toBe(0);
    const up = await t.stack.up({ onEvent: (e) => events.push(e) });
    expect(up.summary.resourceChanges).toEqual({ create: 3 });
    const warnings = events
      .filter((e) => e.diagnosticEvent?.severity === "warning")
      .map((e) => e.diagnosticEvent!.message);
    expect(
      warnings.some((w) => w.includes("postbackUrl uses macros Everflow does not document: {mystery_macro}")),
    ).toBe(true);
    const [purchase] = t.emulator.store.all().filter((p) => p.delivery_method === "facebook");
    const chained = t.emulator.store.all().find((p) => p.delivery_method === "postback");
    expect(chained?.postback_url).toContain(`/chain/${purchase!.network_pixel_id}?`);
  });

  it("sees no drift when Everflow masks the access token on read", async () => {
    t.emulator.settings.setMaskAccessToken(true);
    t.emulator.log.reset();
    const preview = await t.stack.preview({ refresh: true });
    expect(preview.changeSummary).toEqual({ same: 3 });
  });

  it("never writes a masked token back: an update sends the real one", async () => {
    eventName = "Lead";
    const up = await t.stack.up({ refresh: true });
    expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(t.calls()[PUT]).toBe(1);
    const [purchase] = t.emulator.store.all().filter((p) => p.delivery_method === "facebook");
    expect(purchase?.facebook_pixel).toEqual({ pixel_id: "551", event_name: "Lead", access_token: TOKEN });
  });

  it("deactivates with the real token too", async () => {
    await t.stack.destroy();
    const [purchase] = t.emulator.store.all().filter((p) => p.delivery_method === "facebook");
    expect(purchase).toMatchObject({ pixel_status: "inactive", facebook_pixel: { access_token: TOKEN } });
  });
});
