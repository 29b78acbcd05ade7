import * as pulumi from "@pulumi/pulumi";
import { MODELLED_FIELDS } from "../provider/core/rules";
import type { PostbackInputs } from "../provider/core/schema";
import { macroWarning } from "../provider/core/macros";
import { IMPORT_NAME, SECRET_INPUTS } from "../provider/dynamic/hidden-inputs";
import { plainPromiseStamps } from "./registration-stacks";

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
 * The `__provider` of every postback: the module text the dynamic provider host evaluates (with
 * require-from-string, then `.handler()`, once per distinct text per process) to get the provider. The
 * engine stores it twice per postback (inputs and outputs), so it is written here by hand, 80 bytes,
 * rather than serialized from a closure by `pulumi.dynamic.Resource` (2.2 KB for an object of seven
 * delegating methods: the serializer wraps each function in its own scaffolding). It captures nothing
 * (no credential, no code of this package) and loads the implementation from the installed
 * `pulumi-everflow` package when the provider process first needs it, so upgrading the package upgrades
 * every existing postback. Postbacks written by earlier versions carry the older, larger stub, which
 * calls the same `postbackProvider` export; that export must stay.
 */
export const PROVIDER_STUB = `exports.handler = () => require("pulumi-everflow/provider").postbackProvider;\n`;

/** The type token `pulumi.dynamic.Resource` gives `module` "affiliate", type "Postback": unchanged. */
export const POSTBACK_TYPE = "pulumi-nodejs:dynamic/affiliate:Postback";

/**
 * An Everflow affiliate postback ("pixel" in the API).
 *
 * Created with `POST /affiliates/pixels`, updated in place with a full-replacement `PUT`, refreshed with
 * `GET`. Everflow has no delete for affiliate postbacks: destroying one sets it `inactive`.
 *
 * Adopt an existing postback with the `import` option (`{ import: "1234" }`): the first `up` takes it
 * over (writing only what differs from the declaration) instead of creating a new one.
 */
export class Postback extends pulumi.CustomResource {
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
    // The hidden inputs are the SDK's to set: they are dropped from untyped arguments.
    const {
      importId: _notAnArgument,
      [IMPORT_NAME]: _importName,
      [SECRET_INPUTS]: _secretInputs,
      ...fields
    } = args as PostbackArgs & { importId?: unknown; [IMPORT_NAME]?: unknown; [SECRET_INPUTS]?: unknown };
    // What pulumi.dynamic.Resource does (its type token, its `__provider` input), with the stub above
    // in place of a serialized closure.
    const props = {
      ...Object.fromEntries(OUTPUTS.map((key) => [key, undefined])),
      ...fields,
      // The token must be secret in inputs as well as outputs.
      facebookPixel: args.facebookPixel === undefined ? undefined : pulumi.secret(args.facebookPixel),
      // The host hands the provider plain values: which of them are secret travels beside them.
      [SECRET_INPUTS]: secretFields(fields),
      __provider: PROVIDER_STUB,
      // Only with `import`: every key of the props costs the registration four promises, each stamped
      // with a stack trace. importName names this resource in the check failure of another resource
      // adopting the same id.
      ...(importId === undefined ? {} : { importId, [IMPORT_NAME]: name }),
    };
    const secretOutputs = [...(options.additionalSecretOutputs ?? []), "facebookPixel"];
    plainPromiseStamps(); // registration-stacks.ts
    super(POSTBACK_TYPE, name, props, { ...options, additionalSecretOutputs: secretOutputs });
    if (args.postbackUrl !== undefined) {
      pulumi.output(args.postbackUrl).apply((url) => {
        const warning = typeof url === "string" ? macroWarning(url) : undefined;
        if (warning) pulumi.log.warn(warning, this);
      });
    }
  }
}

/**
 * The declared fields that are secret (`pulumi.secret(...)`, or another resource's secret output), as
 * the provider's hidden `secretInputs` lists them; undefined, so absent from the inputs, when none is.
 * Secretness is known at preview even where the value is not.
 */
function secretFields(fields: Record<string, unknown>): pulumi.Output<string | undefined> {
  const checks = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(async ([field, value]) =>
      (await pulumi.isSecret(pulumi.output(value as pulumi.Input<unknown>))) ? field : undefined,
    );
  return pulumi.output(
    Promise.all(checks).then((marked) => marked.filter((f) => f !== undefined).join(",") || undefined),
  );
}
