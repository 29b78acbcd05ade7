import { providerInputs, type ConfigSource } from "../provider/core/settings";
import { accountClient, type AccountClient } from "./everflow";
import { NATIVE_POSTBACK_TYPE, NATIVE_PROVIDER_TYPE } from "./postback-types";
import type { StoredResource } from "./drift-secrets";

/**
 * The settings an Everflow client needs for one postback, found where its provider finds them. The
 * dynamic provider reads the stack's config (then `EVERFLOW_*`). A native postback is served by a
 * `pulumi:providers:everflow` resource, default or explicit, whose inputs the state keeps (`apiKey`,
 * `baseUrl`, `accounts`, ...; secrets decrypted in the export): the engine configures the plugin from
 * them when it does not run the program, so they are used here too, then `EVERFLOW_*`. An explicit
 * provider may name another affiliate's key than the stack's config: its postbacks are listed with it.
 */

/** What a postback of the state says about its provider. */
export interface PostbackRef {
  type: string;
  /** The provider reference, `<provider URN>::<provider id>`; absent for dynamic postbacks. */
  provider?: string | undefined;
}

/** One place credentials come from: the stack's config, or one provider resource. */
export interface CredentialSource {
  /** Tells sources apart: "stack config" or the provider's URN. */
  key: string;
  config: ConfigSource;
}

export class StackCredentials {
  private readonly clients = new Map<string, AccountClient>();

  /**
   * @param stackConfig the stack's config values (`everflow:apiKey`...), secrets decrypted
   * @param stored the state's resources by URN, secrets decrypted (drift-secrets.ts stateByUrn)
   */
  constructor(
    private readonly stackConfig: Readonly<Record<string, string>>,
    private readonly stored: ReadonlyMap<string, StoredResource>,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  sourceOf(postback: PostbackRef): CredentialSource {
    const providerUrn = postback.type === NATIVE_POSTBACK_TYPE ? providerUrnOf(postback.provider) : undefined;
    const provider = providerUrn === undefined ? undefined : this.stored.get(providerUrn);
    if (providerUrn !== undefined && provider !== undefined) {
      return { key: providerUrn, config: providerInputs(provider.inputs) };
    }
    const values = this.stackConfig;
    return { key: "stack config", config: { get: (key) => values[key] } };
  }

  /** The client of `account` under the postback's provider settings (one per source and account). */
  client(postback: PostbackRef, account: string): AccountClient {
    const source = this.sourceOf(postback);
    const cacheKey = JSON.stringify([source.key, account]);
    let entry = this.clients.get(cacheKey);
    if (!entry) {
      entry = accountClient(account, this.env, source.config);
      this.clients.set(cacheKey, entry);
    }
    return entry;
  }
}

/** `urn:...::pulumi:providers:everflow::name::<id>` → the provider's URN; else undefined. */
export function providerUrnOf(reference: string | undefined): string | undefined {
  if (reference === undefined) return undefined;
  const at = reference.lastIndexOf("::");
  if (at === -1) return undefined;
  const urn = reference.slice(0, at);
  return urn.includes(`::${NATIVE_PROVIDER_TYPE}::`) ? urn : undefined;
}
