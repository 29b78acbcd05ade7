import type * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { cancelRequests } from "../client/cancel";
import type { CheckFailure } from "../core/check";
import type { SharedClaims } from "../core/claims";
import { Postbacks, PostbackInitError, secretOutputs, type CallContext, type Props } from "../core/postbacks";
import { APPLIED_KEY } from "../core/applied";
import { secretInputs } from "../core/secrecy";
import { ServedCalls } from "../engine/served-calls";
import { unwrapSecrets, wrapSecrets } from "../engine/secret-values";
import { providerInputs } from "../core/settings";
import { configFailures, SECRET_CONFIG_KEYS } from "./config";
import type { EngineLog } from "./engine-log";
import { fromStruct, toStruct, unary, type InitFailure } from "./rpc";
import { stringInputs } from "./string-inputs";

/** What the plugin tells the engine of itself. */
export interface PluginInfo {
  version: string;
  /** The package schema, as JSON. */
  schema: string;
}

/** Not an input of the native resource: the engine's own `import` takes over a postback here. */
const IMPORT_ID = "importId";

/**
 * The native face: the engine's ResourceProvider service, served by the core's {@link Postbacks}.
 * The engine passes values in its encoding (this face accepts secrets), so each call unwraps them for
 * the core and marks what the core returns: secret inputs stay secret, and so does all that derives
 * from them (core/secrecy.ts). Warnings are sent to the engine under the URN of the call.
 */
export class NativeProvider {
  private readonly postbacks: Postbacks;
  /** Calls being served, so that a signal lets them answer before the process ends. */
  readonly served = new ServedCalls();

  /** `runRegistry`: what the run's other provider processes hold and keep (engine/run-registry.ts). */
  constructor(
    private readonly info: PluginInfo,
    private readonly engine: EngineLog,
    runRegistry?: SharedClaims,
  ) {
    this.postbacks = new Postbacks(runRegistry);
  }

  /** The service's handlers; methods not here answer UNIMPLEMENTED (grpc-js). */
  service(): grpc.UntypedServiceImplementation {
    const call = <Req, Res>(run: (request: Req) => Promise<Res>) => unary(run, this.served);
    return {
      getPluginInfo: call(async () => new plugproto.PluginInfo().setVersion(this.info.version)),
      getSchema: call(async (req: provproto.GetSchemaRequest) => {
        if (req.getVersion() !== 0) throw new Error(`unsupported schema version ${req.getVersion()}`);
        return new provproto.GetSchemaResponse().setSchema(this.info.schema);
      }),
      checkConfig: call((req: provproto.CheckRequest) => this.checkConfig(req)),
      diffConfig: call((req: provproto.DiffRequest) => this.diffConfig(req)),
      configure: call((req: provproto.ConfigureRequest) => this.configure(req)),
      check: call((req: provproto.CheckRequest) => this.check(req)),
      diff: call((req: provproto.DiffRequest) => this.diff(req)),
      create: call((req: provproto.CreateRequest) => this.create(req)),
      read: call((req: provproto.ReadRequest) => this.read(req)),
      update: call((req: provproto.UpdateRequest) => this.update(req)),
      delete: call((req: provproto.DeleteRequest) => this.delete(req)),
      cancel: call(async () => {
        cancelRequests("the engine cancelled the run");
        return new emptyproto.Empty();
      }),
      attach: call(async (req: plugproto.PluginAttach) => {
        this.engine.connect(req.getAddress());
        return new emptyproto.Empty();
      }),
    };
  }

  /**
   * The provider's inputs, checked before any call: each problem on its input. The credentials are
   * returned secret, so the state never holds them in clear, however they were set.
   */
  private async checkConfig(req: provproto.CheckRequest): Promise<provproto.CheckResponse> {
    const news = unwrapSecrets(fromStruct(req.getNews()));
    const response = new provproto.CheckResponse();
    response.setInputs(toStruct(wrapSecrets(news.plain, [...news.secrets, ...SECRET_CONFIG_KEYS])));
    response.setFailuresList(configFailures(news.plain).map(failure));
    return response;
  }

  /** A change of configuration updates the provider; it never replaces it (that would replace every postback). */
  private async diffConfig(req: provproto.DiffRequest): Promise<provproto.DiffResponse> {
    const olds = unwrapSecrets(fromStruct(req.getOldInputs() ?? req.getOlds())).plain;
    const news = unwrapSecrets(fromStruct(req.getNews())).plain;
    const changed = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
      (key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]),
    );
    const response = new provproto.DiffResponse();
    response.setChanges(
      changed.length > 0
        ? provproto.DiffResponse.DiffChanges.DIFF_SOME
        : provproto.DiffResponse.DiffChanges.DIFF_NONE,
    );
    response.setDiffsList(changed);
    return response;
  }

  private async configure(req: provproto.ConfigureRequest): Promise<provproto.ConfigureResponse> {
    const args = req.hasArgs() ? unwrapSecrets(fromStruct(req.getArgs())).plain : fromVariables(req);
    this.postbacks.configure(providerInputs(args));
    const response = new provproto.ConfigureResponse();
    response.setAcceptsecrets(true);
    response.setSupportspreview(false);
    response.setAcceptresources(false);
    return response;
  }

  private async check(req: provproto.CheckRequest): Promise<provproto.CheckResponse> {
    const news = unwrapSecrets(fromStruct(req.getNews()));
    const response = new provproto.CheckResponse();
    if (news.plain[IMPORT_ID] !== undefined) {
      response.setInputs(req.getNews());
      response.setFailuresList([
        failure({
          property: IMPORT_ID,
          reason: `${IMPORT_ID} is not a property of everflow:index:Postback: use the \`import\` resource option`,
        }),
      ]);
      return response;
    }
    const result = this.postbacks.check(stringInputs(news.plain), { secrets: news.secrets });
    for (const warning of result.warnings ?? []) await this.engine.warn(req.getUrn(), warning);
    response.setInputs(toStruct(wrapSecrets(result.inputs, secretInputs(news.secrets))));
    response.setFailuresList((result.failures ?? []).map(failure));
    return response;
  }

  private async diff(req: provproto.DiffRequest): Promise<provproto.DiffResponse> {
    const olds = unwrapSecrets(fromStruct(req.getOlds()));
    const news = unwrapSecrets(fromStruct(req.getNews()));
    // The state's outputs carry the marks of the last write (what derives from them aside).
    const marked = [...olds.secrets].filter((path) => path !== APPLIED_KEY);
    const result = this.postbacks.diff(req.getId(), olds.plain, news.plain, {
      name: nameOf(req.getUrn()),
      marks: { olds: marked, news: news.secrets },
    });
    const response = new provproto.DiffResponse();
    const { DiffChanges } = provproto.DiffResponse;
    response.setChanges(result.changes ? DiffChanges.DIFF_SOME : DiffChanges.DIFF_NONE);
    response.setReplacesList(result.replaces);
    response.setDeletebeforereplace(result.deleteBeforeReplace);
    response.setDiffsList([...new Set(result.changed.map((path) => path.split(".")[0] ?? path))]);
    // Exactly the fields that may change, so that a preview shows nothing else.
    const detailed = response.getDetaileddiffMap();
    for (const field of result.changed) {
      const kind = result.replaces.includes(field)
        ? provproto.PropertyDiff.Kind.UPDATE_REPLACE
        : provproto.PropertyDiff.Kind.UPDATE;
      detailed.set(field, new provproto.PropertyDiff().setKind(kind).setInputdiff(false));
    }
    response.setHasdetaileddiff(true);
    return response;
  }

  private async create(req: provproto.CreateRequest): Promise<provproto.CreateResponse> {
    const inputs = unwrapSecrets(fromStruct(req.getProperties()));
    const { id, outs } = await this.postbacks
      .create(inputs.plain, this.context(req.getUrn(), inputs.secrets))
      .catch((error: unknown) => {
        throw initFailure(error, inputs.plain, inputs.secrets);
      });
    const response = new provproto.CreateResponse();
    response.setId(id);
    response.setProperties(toStruct(marked(outs, inputs.secrets)));
    return response;
  }

  private async read(req: provproto.ReadRequest): Promise<provproto.ReadResponse> {
    const state = unwrapSecrets(fromStruct(req.getProperties()));
    const oldInputs = unwrapSecrets(fromStruct(req.getInputs()));
    const secrets = new Set([...state.secrets, ...oldInputs.secrets]);
    const result = await this.postbacks.read(req.getId(), state.plain);
    const response = new provproto.ReadResponse();
    response.setId(result.id);
    if (!result.id) return response;
    response.setProperties(toStruct(marked(result.props, secrets)));
    if (result.inputs) response.setInputs(toStruct(wrapSecrets(result.inputs, secretInputs(secrets))));
    return response;
  }

  private async update(req: provproto.UpdateRequest): Promise<provproto.UpdateResponse> {
    const olds = unwrapSecrets(fromStruct(req.getOlds())).plain;
    const news = unwrapSecrets(fromStruct(req.getNews()));
    const { outs } = await this.postbacks
      .update(req.getId(), olds, news.plain, this.context(req.getUrn(), news.secrets))
      .catch((error: unknown) => {
        throw initFailure(error, news.plain, news.secrets);
      });
    return new provproto.UpdateResponse().setProperties(toStruct(marked(outs, news.secrets)));
  }

  private async delete(req: provproto.DeleteRequest): Promise<emptyproto.Empty> {
    const state = unwrapSecrets(fromStruct(req.getProperties()));
    await this.postbacks.delete(req.getId(), state.plain, this.context(req.getUrn(), state.secrets));
    return new emptyproto.Empty();
  }

  private context(urn: string, secrets: ReadonlySet<string>): CallContext {
    return { warn: (message) => this.engine.warn(urn, message), secrets };
  }
}

/** Outputs as the engine must store them: what derives from a secret marked secret. */
function marked(outs: Props, secrets: ReadonlySet<string>): Props {
  return wrapSecrets(outs, secretOutputs(outs, secrets));
}

function initFailure(error: unknown, inputs: Props, secrets: ReadonlySet<string>): unknown {
  if (!(error instanceof PostbackInitError)) return error;
  const failed: InitFailure = {
    message: error.message,
    id: error.id,
    properties: marked(error.properties, secrets),
    inputs: wrapSecrets(inputs, secretInputs(secrets)),
    reasons: error.reasons,
  };
  return failed;
}

function failure(f: CheckFailure): provproto.CheckFailure {
  return new provproto.CheckFailure().setProperty(f.property).setReason(f.reason);
}

/** The resource's name: the last part of its URN. */
function nameOf(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** An engine that sends no arguments (older ones) sends `everflow:config:<key>` variables instead. */
function fromVariables(req: provproto.ConfigureRequest): Props {
  const args: Props = {};
  for (const [key, value] of req.getVariablesMap().entries()) {
    const name = key.replace(/^everflow:config:/, "");
    args[name] = value;
  }
  return args;
}
