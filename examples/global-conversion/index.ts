// A global conversion postback: Everflow calls this URL for every conversion of every offer the affiliate
// runs. The API key comes from secret config: `pulumi config set --secret everflow:apiKey <key>`.
import * as pulumi from "@pulumi/pulumi";
import { Postback } from "pulumi-everflow";

const config = new pulumi.Config();
// Where your tracker receives conversions; the {macros} are filled in by Everflow when it fires.
const trackerUrl = config.get("trackerUrl") ?? "https://track.example.com/everflow/conversion";

const conversion = new Postback("global-conversion", {
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: `${trackerUrl}?tid={transaction_id}&offer={offer_id}&amount={revenue}&sub1={sub1}`,
});

/** The postback's id in Everflow: its edit page is /affiliates/postbacks/<pixelId>/edit. */
export const pixelId = conversion.pixelId;
export const postbackUrl = conversion.postbackUrl;
