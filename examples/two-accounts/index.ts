// Postbacks in two Everflow affiliate accounts from one program: each Postback names the account that
// manages it with `account`, and each account's API key is secret stack config under everflow:accounts:
//
//   pulumi config set --secret --path 'everflow:accounts.brand.apiKey' <the brand account's key>
//   pulumi config set --secret --path 'everflow:accounts.partner.apiKey' <the partner account's key>
//   # an account hosted in the EU:
//   pulumi config set --path 'everflow:accounts.partner.baseUrl' https://api-eu.eflow.team/v1
//
// (The key can also come from the environment: EVERFLOW_API_KEY_BRAND, EVERFLOW_API_KEY_PARTNER.)
// A postback without `account` uses the default account, everflow:apiKey. Moving a postback to another
// account replaces it: created in the new account, deactivated in the old one.
import { Postback } from "pulumi-everflow";

const brand = new Postback("brand-conversion", {
  account: "brand",
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: "https://track.brand.example.com/everflow?tid={transaction_id}&amount={revenue}",
});

const partner = new Postback("partner-conversion", {
  account: "partner",
  deliveryMethod: "postback",
  pixelLevel: "specific",
  networkOfferId: 42,
  pixelType: "conversion",
  postbackUrl: "https://partner.example.org/cb?click={transaction_id}&payout={payout_amount}",
});

export const brandPixelId = brand.pixelId;
export const partnerPixelId = partner.pixelId;
