/* eslint-disable @typescript-eslint/no-require-imports -- the provider stub loads its implementation lazily */
import * as pulumi from "@pulumi/pulumi";
import { MODELLED_FIELDS, type PostbackInputs } from "../provider/schema";
import { unknownMacros } from "../provider/macros";

/** Every field, at every depth (optional objects too), may be a value, a promise or another resource's output. */
type Inputs<T> = {
  [K in keyof T]: pulumi.Input<
    NonNullable<T[K]> extends object ? Inputs<NonNullable<T[K]>> | Extract<T[K], undefined> : T[K]
  >;
};

/** Every output of a Postback: the engine only resolves outputs whose keys the props carry. */
const OUTPUTS = [
  "pixelId",
  ...MODELLED_FIELDS,
  "account",
  "timeCreated",
  "timeSaved",
  "networkId",
  "networkAffiliateId",
];

/**
 * The arguments of a {@link Postback}. Field rules are checked before any API call: `pulumi preview`
 * lists every violation with its property path.
 */
export type PostbackArgs = Inputs<Omit<PostbackInputs, "importId">>;

/**
 * The provider object that Pulumi serializes into state for every postback. It captures nothing (no
 * credential, no code of this package): each call loads the implementation from the installed
 * `pulumi-everflow` package, so upgrading the package upgrades every existing postback.
 */
const provider: pulumi.dynamic.ResourceProvider = {
  configure: (req) => impl().configure(req),
  check: (olds, news) => impl().check(olds, news),
  diff: (id, olds, news) => impl().diff(id, olds, news),
  create: (inputs) => impl().create(inputs),
  read: (id, props) => impl().read(id, props),
  update: (id, olds, news) => impl().update(id, olds, news),
  delete: (id, props) => impl().delete(id, props),
};

function impl(): Required<pulumi.dynamic.ResourceProvider> {
  return require("pulumi-everflow/provider").postbackProvider;
}

/**
 * An Everflow affiliate postback ("pixel" in the API).
 *
 * Created with `POST /affiliates/pixels`, updated in place with a full-replacement `PUT`, refreshed with
 * `GET`. Everflow has no delete for affiliate postbacks: destroying one sets it `inactive`.
 *
 * Adopt an existing postback with the `import` option (`{ import: "1234" }`): the first `up` takes it
 * over (writing only what differs from the declaration) instead of creating a new one.
 */
export class Postback extends pulumi.dynamic.Resource {
  /** The postback's id in Everflow (the API's `network_pixel_id`). */
  declare readonly pixelId: pulumi.Output<number>;
  declare readonly deliveryMethod: pulumi.Output<string>;
  declare readonly pixelLevel: pulumi.Output<string>;
  declare readonly pixelStatus: pulumi.Output<string>;
  declare readonly pixelType: pulumi.Output<string>;
  declare readonly postbackUrl: pulumi.Output<string | undefined>;
  declare readonly htmlCode: pulumi.Output<string | undefined>;
  declare readonly networkOfferId: pulumi.Output<number | undefined>;
  declare readonly delayMs: pulumi.Output<number>;
  declare readonly networkOfferPayoutRevenueId: pulumi.Output<number>;
  /** Secret in state: it holds the Conversions API access token. */
  declare readonly facebookPixel: pulumi.Output<
    { pixelId: string; eventName: string; accessToken: string } | undefined
  >;
  declare readonly account: pulumi.Output<string>;
  /** Unix seconds. */
  declare readonly timeCreated: pulumi.Output<number>;
  /** Unix seconds. */
  declare readonly timeSaved: pulumi.Output<number>;
  /** The Everflow network and affiliate that own the postback (refresh checks the API key against them). */
  declare readonly networkId: pulumi.Output<number>;
  declare readonly networkAffiliateId: pulumi.Output<number>;

  constructor(name: string, args: PostbackArgs, opts: pulumi.CustomResourceOptions = {}) {
    // The engine's own import never reaches a dynamic provider (pulumi/pulumi#7534): the id travels as
    // an input instead, and create adopts the postback it names.
    const { import: importId, ...options } = opts;
    super(
      provider,
      name,
      {
        ...Object.fromEntries(OUTPUTS.map((key) => [key, undefined])),
        ...args,
        // The token must be secret in inputs as well as outputs.
        facebookPixel: args.facebookPixel === undefined ? undefined : pulumi.secret(args.facebookPixel),
        importId,
        // Names this resource in the check failure of another resource adopting the same id.
        ...(importId === undefined ? {} : { importName: name }),
      },
      { ...options, additionalSecretOutputs: [...(options.additionalSecretOutputs ?? []), "facebookPixel"] },
      "affiliate",
      "Postback",
    );
    if (args.postbackUrl !== undefined) {
      pulumi.output(args.postbackUrl).apply((url) => {
        const unknown = typeof url === "string" ? unknownMacros(url) : [];
        if (unknown.length > 0) {
          const list = unknown.map((m) => `{${m}}`).join(", ");
          pulumi.log.warn(
            `postbackUrl uses macros Everflow does not document: ${list}; check their spelling`,
            this,
          );
        }
      });
    }
  }
}
