/**
 * Declarations that must fail `check`, each with the property the failure names. Shared by the unit
 * tests of check (every case), and by `pulumi preview` through the engine: a sample in `npm test`, the
 * rest in `npm run test:slow`, a few in each language of the native plugin.
 */
export interface BadInput {
  name: string;
  args: Record<string, unknown>;
  property: string;
  /** A fragment of the reason. */
  reason: string;
}

const postback = {
  deliveryMethod: "postback",
  pixelLevel: "global",
  pixelType: "conversion",
  postbackUrl: "https://track.example.com/cb?tid={transaction_id}",
};
const html = {
  deliveryMethod: "html",
  pixelLevel: "global",
  pixelType: "conversion",
  htmlCode: "<img src=x>",
};
const facebook = {
  deliveryMethod: "facebook",
  pixelLevel: "global",
  pixelType: "conversion",
  facebookPixel: { pixelId: "123", eventName: "Purchase", accessToken: "tok" },
};
const without = (o: Record<string, unknown>, key: string) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

export const BAD_INPUTS: BadInput[] = [
  {
    name: "missing deliveryMethod",
    args: without(postback, "deliveryMethod"),
    property: "deliveryMethod",
    reason: "is required",
  },
  {
    name: "unknown deliveryMethod",
    args: { ...postback, deliveryMethod: "email" },
    property: "deliveryMethod",
    reason: "must be one of postback, html, facebook",
  },
  {
    name: "missing pixelLevel",
    args: without(postback, "pixelLevel"),
    property: "pixelLevel",
    reason: "is required",
  },
  {
    name: "unknown pixelLevel",
    args: { ...postback, pixelLevel: "offer" },
    property: "pixelLevel",
    reason: "must be one of global, specific",
  },
  {
    name: "unknown pixelStatus",
    args: { ...postback, pixelStatus: "paused" },
    property: "pixelStatus",
    reason: "must be one of active, inactive",
  },
  {
    name: "missing pixelType",
    args: without(postback, "pixelType"),
    property: "pixelType",
    reason: "is required",
  },
  {
    name: "unknown pixelType",
    args: { ...postback, pixelType: "sale" },
    property: "pixelType",
    reason: "must be one of conversion, post_conversion, cpc",
  },
  {
    name: "postback without postbackUrl",
    args: without(postback, "postbackUrl"),
    property: "postbackUrl",
    reason: "required when deliveryMethod is postback",
  },
  {
    name: "postbackUrl without scheme",
    args: { ...postback, postbackUrl: "track.example.com/cb" },
    property: "postbackUrl",
    reason: "must start with http:// or https://",
  },
  {
    name: "postbackUrl with ftp scheme",
    args: { ...postback, postbackUrl: "ftp://track.example.com" },
    property: "postbackUrl",
    reason: "must start with http:// or https://",
  },
  {
    name: "postbackUrl with a space",
    args: { ...postback, postbackUrl: "https://a.example.com/x y" },
    property: "postbackUrl",
    reason: "no spaces",
  },
  {
    name: "postbackUrl not a string",
    args: { ...postback, postbackUrl: 42 },
    property: "postbackUrl",
    reason: "must be a string",
  },
  {
    name: "postbackUrl on an html pixel",
    args: { ...html, postbackUrl: "https://a.example.com" },
    property: "postbackUrl",
    reason: "not allowed when deliveryMethod is html",
  },
  {
    name: "html without htmlCode",
    args: without(html, "htmlCode"),
    property: "htmlCode",
    reason: "required when deliveryMethod is html",
  },
  {
    name: "empty htmlCode",
    args: { ...html, htmlCode: "  " },
    property: "htmlCode",
    reason: "must not be empty",
  },
  {
    name: "htmlCode on a postback",
    args: { ...postback, htmlCode: "<img>" },
    property: "htmlCode",
    reason: "not allowed when deliveryMethod is postback",
  },
  {
    name: "facebook without facebookPixel",
    args: without(facebook, "facebookPixel"),
    property: "facebookPixel",
    reason: "required when deliveryMethod is facebook",
  },
  {
    name: "facebookPixel without accessToken",
    args: { ...facebook, facebookPixel: { pixelId: "1", eventName: "Lead" } },
    property: "facebookPixel.accessToken",
    reason: "is required",
  },
  {
    name: "facebookPixel with empty eventName",
    args: { ...facebook, facebookPixel: { pixelId: "1", eventName: "", accessToken: "t" } },
    property: "facebookPixel.eventName",
    reason: "must not be empty",
  },
  {
    name: "facebookPixel with an unknown field",
    args: { ...facebook, facebookPixel: { pixelId: "1", eventName: "Lead", accessToken: "t", token: "x" } },
    property: "facebookPixel.token",
    reason: "is not a property",
  },
  {
    name: "facebookPixel on a postback",
    args: { ...postback, facebookPixel: facebook.facebookPixel },
    property: "facebookPixel",
    reason: "not allowed when deliveryMethod is postback",
  },
  {
    name: "specific without networkOfferId",
    args: { ...postback, pixelLevel: "specific" },
    property: "networkOfferId",
    reason: "required when pixelLevel is specific",
  },
  {
    name: "networkOfferId zero",
    args: { ...postback, pixelLevel: "specific", networkOfferId: 0 },
    property: "networkOfferId",
    reason: "positive",
  },
  {
    name: "networkOfferId fractional",
    args: { ...postback, pixelLevel: "specific", networkOfferId: 4.5 },
    property: "networkOfferId",
    reason: "whole number",
  },
  {
    name: "networkOfferId on a global postback",
    args: { ...postback, networkOfferId: 12 },
    property: "networkOfferId",
    reason: "not allowed when pixelLevel is global",
  },
  { name: "delayMs negative", args: { ...postback, delayMs: -1 }, property: "delayMs", reason: "at least 0" },
  {
    name: "delayMs over five minutes",
    args: { ...postback, delayMs: 300_001 },
    property: "delayMs",
    reason: "at most 300000",
  },
  {
    name: "delayMs as text",
    args: { ...postback, delayMs: "10" },
    property: "delayMs",
    reason: "must be a number",
  },
  {
    name: "payout/revenue id negative",
    args: { ...postback, pixelLevel: "specific", networkOfferId: 5, networkOfferPayoutRevenueId: -3 },
    property: "networkOfferPayoutRevenueId",
    reason: "must be 0 or",
  },
  {
    name: "payout/revenue id on a global postback",
    args: { ...postback, networkOfferPayoutRevenueId: 9 },
    property: "networkOfferPayoutRevenueId",
    reason: "only applies when pixelLevel is specific",
  },
  {
    name: "an unknown property",
    args: { ...postback, postbackURL: "https://a.example.com" },
    property: "postbackURL",
    reason: "is not a property of a Postback",
  },
  {
    name: "a malformed account name",
    args: { ...postback, account: "9 lives" },
    property: "account",
    reason: "must start with a letter",
  },
  {
    // Issue 10 case 2: Everflow cuts longer values off, which changes what the postback does.
    name: "a postbackUrl over 2048 characters",
    args: { ...postback, postbackUrl: "https://t.example.com/?q=" + "u".repeat(4_001 - 25) },
    property: "postbackUrl",
    reason: "must be at most 2048 characters (got 4001)",
  },
  {
    name: "an htmlCode over 65535 characters",
    args: { ...html, htmlCode: "<p>" + "h".repeat(70_000 - 7) + "</p>" },
    property: "htmlCode",
    reason: "must be at most 65535 characters (got 70000)",
  },
];

/** The cases of these names, in this order; a name with no case fails at once. */
export function badInputs(...names: string[]): BadInput[] {
  return names.map((name) => {
    const found = BAD_INPUTS.find((c) => c.name === name);
    if (!found) throw new Error(`no case "${name}" in test/support/bad-inputs.ts`);
    return found;
  });
}

/**
 * One case of each kind of check failure, for the suites that cannot afford them all through the
 * engine: a missing required field, a value outside its set, a rule of one field, a rule between two
 * fields, a nested field (whose message must not quote the access token), the account's name.
 */
export const BAD_INPUT_SAMPLE = badInputs(
  "missing deliveryMethod",
  "unknown pixelType",
  "postbackUrl with a space",
  "htmlCode on a postback",
  "facebookPixel on a postback",
  "a malformed account name",
);
