/**
 * Inputs the SDK's `Postback` adds beside the declared ones, for this face only: the engine's own
 * import never reaches a dynamic provider (pulumi/pulumi#7534), and a dynamic provider's calls carry no
 * resource name. The host's own `__provider` (the serialized provider) is one too.
 */

/** The host's input holding the serialized provider: the host adds it back to every answer. */
export const PROVIDER_KEY = "__provider";

/** The hidden input by which the SDK names a resource that adopts a postback. */
export const IMPORT_NAME = "importName";

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
