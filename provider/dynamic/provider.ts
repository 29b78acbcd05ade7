import type * as pulumi from "@pulumi/pulumi";
import { Postbacks, PostbackInitError, secretOutputs, type CallContext, type Props } from "../core/postbacks";
import type { ConfigSource } from "../core/settings";
import { RunRegistry } from "../engine/run-registry";
import { wrapSecrets } from "../engine/secret-values";
import { isDynamicProviderHost } from "./engine-cancel";
import { warnResource } from "./engine-log";
import { coreValues, markedSecrets, PROVIDER_KEY, takeImportName, withMarks } from "./hidden-inputs";

/**
 * The dynamic provider face: the engine's calls, as @pulumi/pulumi's dynamic provider host makes them,
 * served by the core's {@link Postbacks}. The host passes plain values (it tells the engine it does not
 * accept secrets, for every dynamic provider of the program) with the serialized provider under
 * `__provider`, which it adds back to every answer itself. Which fields the program marked secret
 * comes with the SDK's hidden `secretInputs`; what derives from a secret is returned marked secret in
 * the engine's encoding, which the engine keeps (it only adds marks for a provider that takes none).
 */
export class PostbackProvider implements pulumi.dynamic.ResourceProvider {
  // engine/run-registry.ts: in the engine's host, the run's native plugin processes share the claims.
  private readonly postbacks = new Postbacks(
    RunRegistry.forEngine(isDynamicProviderHost() ? process.argv[2] : undefined),
  );

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.postbacks.configure(req.config as ConfigSource);
  }

  async check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    const marked = markedSecrets(news);
    const { inputs, importName } = takeImportName(coreValues(news)); // hidden-inputs.ts
    const result = this.postbacks.check(inputs, { importName, secrets: marked });
    return { ...result, inputs: withMarks(result.inputs, marked) };
  }

  async diff(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    return this.postbacks.diff(id, coreValues(olds), coreValues(news), {
      marks: { olds: markedSecrets(olds), news: markedSecrets(news) },
    });
  }

  async create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
    const marked = markedSecrets(inputs);
    try {
      const { id, outs } = await this.postbacks.create(coreValues(inputs), context(marked));
      return { id, outs: answer(outs, marked) };
    } catch (error) {
      throw initFailure(error, inputs, marked);
    }
  }

  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    const marked = markedSecrets(props);
    const result = await this.postbacks.read(id, coreValues(props));
    if (!result.id) return result;
    return {
      id: result.id,
      props: answer(result.props, marked),
      ...(result.inputs ? { inputs: answer(result.inputs, marked) } : {}),
    };
  }

  async update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    const marked = markedSecrets(news);
    try {
      const { outs } = await this.postbacks.update(id, coreValues(olds), coreValues(news), context(marked));
      return { outs: answer(outs, marked) };
    } catch (error) {
      throw initFailure(error, news, marked);
    }
  }

  async delete(id: string, props: Props): Promise<void> {
    return this.postbacks.delete(id, coreValues(props), context(markedSecrets(props)));
  }
}

/** Warnings under the postback of the Create or Update call being served (engine-log.ts), else on stderr. */
function context(marked: ReadonlySet<string>): CallContext {
  return { warn: warnResource, secrets: marked };
}

/** The core's values as this face returns them: the marks kept, what derives from a secret marked. */
function answer(props: Props, marked: ReadonlySet<string>): Props {
  return wrapSecrets(withMarks(props, marked), secretOutputs(props, marked));
}

/**
 * The host records the properties of an initialisation failure as the resource's outputs as they are:
 * without the serialized provider in them, later reads and deletes of the resource could not load it.
 */
function initFailure(error: unknown, inputs: Props, marked: ReadonlySet<string>): unknown {
  if (!(error instanceof PostbackInitError)) return error;
  return error.withProperties({ ...answer(error.properties, marked), [PROVIDER_KEY]: inputs[PROVIDER_KEY] });
}
