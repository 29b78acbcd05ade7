// The program of the repository's own Pulumi project (Pulumi.yaml at the top level): a handful of
// postbacks, one of each common kind, deployed from this checkout with the plain `pulumi` CLI against
// whatever `everflow:baseUrl` and `everflow:apiKey` name (the emulator, as CONTRIBUTING.md shows, or an
// Everflow account). It imports the package by its own name, as a user's program does; Node resolves
// that name through package.json "exports" to dist/, so `npm run build` comes first (./ready checks).
import "./ready";
import { Postback } from "pulumi-everflow";

/** A server-to-server postback for every conversion of every offer. */
const globalConversion = new Postback("global-conversion", {
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: "https://track.example.com/everflow/conversion?tid={transaction_id}&amount={revenue}",
});

/** Events after the conversion on offer 42, sent a minute late. */
const offerEvents = new Postback("offer-events", {
  deliveryMethod: "postback",
  pixelLevel: "specific",
  networkOfferId: 42,
  pixelType: "post_conversion",
  postbackUrl: "https://track.example.com/everflow/event?tid={transaction_id}&event={event_name}",
  delayMs: 60_000,
});

/** Clicks on offer 42 (a CPC payout), counted on the tracker. */
const offerClicks = new Postback("offer-clicks", {
  deliveryMethod: "postback",
  pixelLevel: "specific",
  networkOfferId: 42,
  pixelType: "cpc",
  postbackUrl: "https://track.example.com/everflow/click?tid={transaction_id}&sub1={sub1}",
});

/** An HTML image pixel, fired in the browser on every conversion. */
const htmlPixel = new Postback("html-pixel", {
  deliveryMethod: "html",
  pixelLevel: "global",
  pixelType: "conversion",
  htmlCode:
    '<img src="https://px.example.com/conversion?tid={transaction_id}" width="1" height="1" alt="" />',
});

/** Each postback's id in Everflow, by resource name. */
export const postbackIds = {
  "global-conversion": globalConversion.pixelId,
  "offer-events": offerEvents.pixelId,
  "offer-clicks": offerClicks.pixelId,
  "html-pixel": htmlPixel.pixelId,
};
