// An offer-specific post-conversion postback: Everflow calls this URL for post-conversion events (an
// upsell, a deposit, a subscription renewal...) of one offer, a minute after the event.
//
//   pulumi config set --secret everflow:apiKey <key>
//   pulumi config set networkOfferId 42        # the offer (default 42)
//   pulumi config set payoutRevenueId 0        # one payout/revenue entry of the offer; 0 = all (default)
import * as pulumi from "@pulumi/pulumi";
import { Postback } from "pulumi-everflow";

const config = new pulumi.Config();
const networkOfferId = config.getNumber("networkOfferId") ?? 42;
const payoutRevenueId = config.getNumber("payoutRevenueId") ?? 0;

const eventPostback = new Postback("offer-post-conversion", {
  deliveryMethod: "postback",
  pixelLevel: "specific",
  networkOfferId,
  networkOfferPayoutRevenueId: payoutRevenueId,
  pixelType: "post_conversion",
  postbackUrl:
    "https://track.example.com/everflow/event?tid={transaction_id}&event={event_name}&amount={sale_amount}",
  // Give the event a minute to settle before Everflow fires (0 to 300000 ms).
  delayMs: 60_000,
});

export const pixelId = eventPostback.pixelId;
export const offerId = eventPostback.networkOfferId;
