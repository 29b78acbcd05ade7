import type * as pulumi from "@pulumi/pulumi";
import { Postbacks, PostbackInitError, type CallContext, type Props } from "../core/postbacks";
import type { ConfigSource } from "../core/settings";
import { warnResource } from "./engine-log";
import { PROVIDER_KEY, takeImportName, withoutProvider } from "./hidden-inputs";

/** Warnings under the postback of the Create or Update call being served (engine-log.ts). */
const DYNAMIC_CONTEXT: CallContext = { warn: warnResource };

/**
 * The dynamic provider face: the engine's calls, as @pulumi/pulumi's dynamic provider host makes them,
 * served by the core's {@link Postbacks}. The host passes plain values (it tells the engine it does not
 * accept secrets, and the engine re-marks outputs whose input was secret) with the serialized provider
 * under `__provider`, which it adds back to every answer itself.
 */
export class PostbackProvider implements pulumi.dynamic.ResourceProvider {
  private readonly postbacks = new Postbacks();

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.postbacks.configure(req.config as ConfigSource);
  }

  async check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    const { inputs, importName } = takeImportName(withoutProvider(news)); // hidden-inputs.ts
    return this.postbacks.check(inputs, importName);
  }

  async diff(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    return this.postbacks.diff(id, withoutProvider(olds), withoutProvider(news));
  }

  async create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
    return this.postbacks
      .create(withoutProvider(inputs), DYNAMIC_CONTEXT)
      .catch((error: unknown) => rethrowWithProvider(error, inputs));
  }

  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    return this.postbacks.read(id, withoutProvider(props));
  }

  async update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    return this.postbacks
      .update(id, withoutProvider(olds), withoutProvider(news), DYNAMIC_CONTEXT)
      .catch((error: unknown) => rethrowWithProvider(error, news));
  }

  async delete(id: string, props: Props): Promise<void> {
    return this.postbacks.delete(id, withoutProvider(props));
  }
}

/**
 * The host records the properties of an initialisation failure as the resource's outputs as they are:
 * without the serialized provider in them, later reads and deletes of the resource could not load it.
 */
function rethrowWithProvider(error: unknown, inputs: Props): never {
  if (error instanceof PostbackInitError) {
    Object.assign(error.properties, { [PROVIDER_KEY]: inputs[PROVIDER_KEY] });
  }
  throw error;
}
