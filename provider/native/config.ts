import type { CheckFailure } from "../core/check";
import { Settings, type ConfigSource } from "../core/settings";
export { SECRET_CONFIG_KEYS } from "../core/provider-config";

type Props = Record<string, unknown>;

/**
 * The provider's configuration in the native face. The engine hands each provider (the default one,
 * from the stack's `everflow:*` config; an explicit one, from its arguments) its inputs under their
 * names without the namespace (`apiKey`); the core's settings read `everflow:apiKey`. Values come as
 * the engine holds them: strings from stack config, objects and numbers from a program.
 */

/** The core's view of a provider's inputs (plain values). */
export function configSource(inputs: Props): ConfigSource {
  return {
    get(key) {
      const name = key.startsWith("everflow:") ? key.slice("everflow:".length) : key;
      const value = inputs[name];
      if (value === undefined || value === null) return undefined;
      return typeof value === "string" ? value : JSON.stringify(value);
    },
  };
}

/** Each problem of a provider's inputs on the input it is about, as CheckConfig reports them. */
export function configFailures(inputs: Props, env: NodeJS.ProcessEnv = process.env): CheckFailure[] {
  return new Settings(configSource(inputs), env).problems().map(({ key, reason }) => ({
    property: key.replace(/^everflow:/, ""),
    reason,
  }));
}
