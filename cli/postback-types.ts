/**
 * The resource types a stack's postbacks have: the dynamic provider's (TypeScript programs, the `Postback`
 * class of this package) and the native plugin's (`pulumi-resource-everflow`, every language). One stack
 * may hold both; the commands treat them alike.
 */

export const DYNAMIC_POSTBACK_TYPE = "pulumi-nodejs:dynamic/affiliate:Postback";
export const NATIVE_POSTBACK_TYPE = "everflow:index:Postback";
export const POSTBACK_TYPES: readonly string[] = [DYNAMIC_POSTBACK_TYPE, NATIVE_POSTBACK_TYPE];

/** The native face's provider resources: explicit ones carry their own credentials. */
export const NATIVE_PROVIDER_TYPE = "pulumi:providers:everflow";

export function isPostbackType(type: unknown): boolean {
  return typeof type === "string" && POSTBACK_TYPES.includes(type);
}

/** URN globs of every postback, at the top level or inside components (see deploy.UrnTargets). */
export const POSTBACK_TARGETS: readonly string[] = POSTBACK_TYPES.map((type) => `**${type}::**`);
