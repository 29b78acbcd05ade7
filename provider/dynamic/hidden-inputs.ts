/**
 * Inputs the SDK's `Postback` adds beside the declared ones, for this face only: the engine's own
 * import never reaches a dynamic provider (pulumi/pulumi#7534), and a dynamic provider's calls carry no
 * resource name. The host's own `__provider` (the serialized provider) is one too.
 */

/** The host's input holding the serialized provider: the host adds it back to every answer. */
export const PROVIDER_KEY = "__provider";

/** The hidden input by which the SDK names a resource that adopts a postback. */
export const IMPORT_NAME = "importName";

/**
 * The hidden input by which the SDK says which declared fields the program marked secret (a
 * comma-separated list; absent when none): the host hands this face every value in plain text. Kept
 * in the inputs and the outputs, so that every later call on the postback knows it too.
 */
export const SECRET_INPUTS = "secretInputs";

type Props = Record<string, unknown>;

/** The inputs without the host's `__provider`. */
export function withoutProvider(props: Props): Props {
  const { [PROVIDER_KEY]: _provider, ...rest } = props;
  return rest;
}

/**
 * Splits the resource name the SDK sends with an `import` off the inputs: it is for messages only, and
 * the state keeps no copy of it.
 */
export function takeImportName(news: Props): { inputs: Props; importName: string | undefined } {
  const { [IMPORT_NAME]: name, ...inputs } = news;
  return { inputs, importName: typeof name === "string" ? name : undefined };
}

/** The paths a program marked secret, as the SDK lists them. */
export function markedSecrets(props: Props): Set<string> {
  const list = props[SECRET_INPUTS];
  return new Set(typeof list === "string" ? list.split(",").filter((f) => f !== "") : []);
}

/** The core's values: without the host's `__provider` and the SDK's list of secret fields. */
export function coreValues(props: Props): Props {
  const { [PROVIDER_KEY]: _provider, [SECRET_INPUTS]: _secrets, ...rest } = props;
  return rest;
}

/** `props` with the list of secret fields put back, for the next call on the postback. */
export function withMarks(props: Props, marked: ReadonlySet<string>): Props {
  return marked.size === 0 ? props : { ...props, [SECRET_INPUTS]: [...marked].sort().join(",") };
}
