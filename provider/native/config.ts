import type { CheckFailure } from "../core/check";
import { providerInputs, Settings } from "../core/settings";
export { SECRET_CONFIG_KEYS } from "../core/provider-config";

type Props = Record<string, unknown>;

/**
 * The provider's configuration in the native face. The engine hands each provider (the default one,
 * from the stack's `everflow:*` config; an explicit one, from its arguments) its inputs under their
 * names without the namespace (`apiKey`); core/settings.ts providerInputs() reads them as settings.
 */

/** Each problem of a provider's inputs on the input it is about, as CheckConfig reports them. */
export function configFailures(inputs: Props, env: NodeJS.ProcessEnv = process.env): CheckFailure[] {
  return new Settings(providerInputs(inputs), env).problems().map(({ key, reason }) => ({
    property: key.replace(/^everflow:/, ""),
    reason,
  }));
}
