// A Facebook (Meta Conversions API) pixel. Its access token is a credential: it comes from secret config
// and stays encrypted in the stack's state.
//
//   pulumi config set --secret everflow:apiKey <key>
//   pulumi config set facebookPixelId 1234567890
//   pulumi config set --secret facebookAccessToken <Conversions API access token>
//   pulumi config set facebookEventName Lead   # optional, default Purchase
import * as pulumi from "@pulumi/pulumi";
import { Postback } from "pulumi-everflow";

const config = new pulumi.Config();

const facebook = new Postback("facebook-purchase", {
  deliveryMethod: "facebook",
  pixelLevel: "global",
  pixelType: "conversion",
  // The Postback keeps the whole facebookPixel secret in state, since it holds the token.
  facebookPixel: {
    pixelId: config.require("facebookPixelId"),
    eventName: config.get("facebookEventName") ?? "Purchase",
    accessToken: config.requireSecret("facebookAccessToken"),
  },
});

export const pixelId = facebook.pixelId;
