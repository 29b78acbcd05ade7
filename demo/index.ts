// The stack program of `npm run demo`: three postbacks, one of each common kind. The demo copies this
// directory to a temporary one, installs pulumi-everflow there from `npm pack`, and runs it with the
// plain `pulumi` CLI. The API key and the emulator's URL come from `pulumi config set`.
import { Postback } from "pulumi-everflow";

/** A server-to-server postback for every conversion of every offer. */
const globalConversion = new Postback("global-conversion", {
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: "https://track.example.com/everflow/conversion?tid={transaction_id}&amount={revenue}",
});

/** A postback for events after the conversion on offer 42, sent a minute late (the one the demo drifts). */
const offerPostback = new Postback("offer-postback", {
  deliveryMethod: "postback",
  pixelLevel: "specific",
  networkOfferId: 42,
  pixelType: "post_conversion",
  postbackUrl: "https://track.example.com/everflow/event?tid={transaction_id}&event={event_name}",
  delayMs: 60_000,
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
  "offer-postback": offerPostback.pixelId,
  "html-pixel": htmlPixel.pixelId,
};
