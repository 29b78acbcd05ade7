import type * as pulumi from "@pulumi/pulumi";
import { EverflowClient, isEverflowApiError, isNotFound, toPixelBody } from "./client";
import type { Pixel } from "./client";
import { checkPostback, hasUnknowns, UNKNOWN } from "./check";
import { changedFields, declaredBody, toDeclaredShape, toOutputs } from "./mapping";
import { PixelReader } from "./pixel-reader";
import { AccountOwnership, ExpectedOwners } from "./ownership";
import { Claims, takeImportName } from "./claims";
import { CheckedPostbackInputs, DEFAULT_ACCOUNT, PostbackInputsSchema } from "./schema";
import { clientOptions, ConfigSource, Settings } from "./settings";

type Props = Record<string, unknown>;

interface Account {
  client: EverflowClient;
  reader: PixelReader;
  ownership: AccountOwnership;
}

/**
 * Raised when the postback is ours but a later step failed (an import whose update was refused): the id
 * and the postback's live outputs travel with the error, so the engine records the postback in state
 * ("created but failed to initialise") instead of losing track of it.
 */
export class PostbackInitError extends Error {
  readonly reasons: string[];
  constructor(
    readonly id: string,
    readonly properties: Props,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`postback ${id} was adopted but not brought to its declaration: ${reason}`);
    // The engine shows the reasons of an initialisation failure, not the message.
    this.reasons = [this.message];
  }
}

/**
 * The Postback resource provider. One instance serves every postback of a program (the engine runs
 * them all in one provider process), so clients, connection pools, rate limiters and read batches are
 * shared per account.
 */
export class PostbackProvider implements pulumi.dynamic.ResourceProvider {
  private settings = new Settings(undefined);
  private readonly accounts = new Map<string, Account>();
  // Ids held by this run's resources (claims.ts); not cleared by configure, which may run twice.
  private readonly claims = new Claims();
  // ownership.ts: the owners the stack's postbacks record, per account, for creates to check the key.
  private readonly expectedOwners = new ExpectedOwners();

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    // Synchronous on purpose: the engine caches this provider before configure settles.
    this.settings = new Settings(req.config as ConfigSource);
    this.accounts.clear();
  }

  async check(_olds: Props, declaredNews: Props): Promise<pulumi.dynamic.CheckResult> {
    const { inputs: news, importName } = takeImportName(declaredNews); // claims.ts
    const result = checkPostback(news);
    if (result.ok === false) return { inputs: news, failures: result.failures };
    // A missing key fails the preview too, not only the first API call of `up`.
    const account = result.inputs.account ?? DEFAULT_ACCOUNT;
    const credentials =
      typeof account === "string" && account !== UNKNOWN ? this.settings.account(account) : undefined;
    if (credentials instanceof Error) {
      return { inputs: news, failures: [{ property: "account", reason: credentials.message }] };
    }
    // claims.ts: two resources adopting one postback fail here, at preview.
    const platform =
      typeof account === "string" && account !== UNKNOWN ? this.settings.platform(account) : "";
    const importId = typeof result.inputs.importId === "string" ? result.inputs.importId : undefined;
    const shared = this.claims.declareImport(platform, importId, importName);
    if (shared) return { inputs: news, failures: [{ property: "importId", reason: shared }] };
    return { inputs: result.inputs };
  }

  async diff(_id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    this.expectedOwners.note(accountOf(olds), olds); // ownership.ts
    // An account not known yet may differ: preview must show the replacement `up` may do.
    const replaces = news.account === UNKNOWN || accountOf(olds) !== accountOf(news) ? ["account"] : [];
    // Preview passes values not known yet; any of them may change the postback.
    const changes = replaces.length > 0 || hasUnknowns(news) || changedFields(news, olds).length > 0;
    return { changes, replaces, deleteBeforeReplace: false };
  }

  async create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
    const declared = parseDeclared(inputs);
    const { client, reader, ownership } = this.account(declared.account);
    if (declared.importId !== undefined) {
      return this.adopt(Number(declared.importId), declared, inputs, client, reader);
    }
    await ownership.beforeCreate(this.expectedOwners.of(declared.account), () => client.list()); // ownership.ts
    const pixel = await writing(reader, () => client.create(declaredBody(declared))).catch(
      (error: unknown) => {
        // Everflow answered with the new id, but not in a form the client could read: record the id.
        if (isEverflowApiError(error) && error.pixelId !== undefined) {
          const { importId: _none, ...outs } = declared;
          throw new PostbackInitError(
            String(error.pixelId),
            withProvider({ ...outs, pixelId: error.pixelId }, inputs),
            error,
          );
        }
        throw error;
      },
    );
    this.claims.hold(this.settings.platform(declared.account), pixel.network_pixel_id); // claims.ts
    return {
      id: String(pixel.network_pixel_id),
      outs: toOutputs(pixel, declared.account, declared.facebookPixel?.accessToken),
    };
  }

  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    const account = accountOf(props);
    const { reader, ownership } = this.account(account);
    const pixel = await reader.read(Number(id));
    ownership.judge(Number(id), props, pixel); // ownership.ts: a wrong key's "gone" must not shrink state
    // An empty id tells the engine the postback is gone, so a refresh drops it from state.
    if (!pixel) return { id: "", props: {} };
    const token = knownToken(props);
    return {
      id,
      props: toOutputs(pixel, account, token),
      inputs: toDeclaredShape(pixel, account, token),
    };
  }

  async update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    const declared = parseDeclared(news);
    const { client, reader, ownership } = this.account(declared.account);
    const live = await client.get(Number(id)).catch(async (error: unknown) => {
      if (!isNotFound(error)) throw error;
      await ownership.confirmGone(Number(id), olds, () => client.list()); // ownership.ts
      // An update cannot give the postback a new id: the state has to learn it is gone first.
      throw new Error(
        `postback ${id} no longer exists in Everflow (removed outside Pulumi): run \`pulumi refresh\` to ` +
          `drop it from the state, then \`pulumi up\` creates it again (${(error as Error).message})`,
      );
    });
    ownership.judge(Number(id), olds, live); // ownership.ts: never write another affiliate's postback
    const pixel = await writing(reader, () => this.putDeclared(client, live, declared));
    return { outs: toOutputs(pixel, declared.account, declared.facebookPixel?.accessToken) };
  }

  /** Everflow has no DELETE for affiliate pixels: deleting deactivates (a soft delete). */
  async delete(id: string, props: Props): Promise<void> {
    // claims.ts: another resource of this run adopted this postback; deleting only releases it.
    if (this.claims.isHeld(this.settings.platform(accountOf(props)), id)) return;
    const { client, reader, ownership } = this.account(accountOf(props));
    // A token the API masks on read must not be written back masked: state holds the real one.
    const token = knownToken(props);
    const options = token === undefined ? {} : { facebookAccessToken: token };
    await writing(reader, () => client.deactivate(Number(id), options)).catch(async (error: unknown) => {
      // Already gone is what delete wants, but a 404 alone may be a wrong base URL: the account's
      // listing must agree before the postback is let go.
      // ownership.ts: a wrong key's 404 fails, naming both affiliates.
      if (!isNotFound(error) || !(await ownership.confirmGone(Number(id), props, () => client.list())))
        throw error;
    });
  }

  /** `import`: take over an existing postback, writing only if it differs from the declaration. */
  private async adopt(
    id: number,
    declared: CheckedPostbackInputs,
    inputs: Props,
    client: EverflowClient,
    reader: PixelReader,
  ) {
    const live = await client.get(id);
    this.claims.hold(this.settings.platform(declared.account), id); // claims.ts
    const token = declared.facebookPixel?.accessToken;
    const taken = { id: String(id), outs: toOutputs(live, declared.account, token) };
    if (changedFields(declared, toDeclaredShape(live, declared.account, token)).length === 0) return taken;
    try {
      const pixel = await writing(reader, () => this.putDeclared(client, live, declared));
      return { id: taken.id, outs: toOutputs(pixel, declared.account, token) };
    } catch (error) {
      // The postback is ours now even though the write failed: the engine records it as it is, and the
      // next `up` retries the update instead of importing again.
      throw new PostbackInitError(taken.id, withProvider(taken.outs, inputs), error);
    }
  }

  /** Full-replacement PUT: the live pixel's fields this provider does not model, then the declaration. */
  private putDeclared(client: EverflowClient, live: Pixel, declared: CheckedPostbackInputs): Promise<Pixel> {
    return client.update(live.network_pixel_id, { ...toPixelBody(live), ...declaredBody(declared) });
  }

  private account(name: string): Account {
    let account = this.accounts.get(name);
    if (!account) {
      const credentials = this.settings.account(name);
      if (credentials instanceof Error) throw credentials;
      const client = new EverflowClient(clientOptions(credentials, this.settings.transport()));
      const ownership = new AccountOwnership(name, () => this.settings.removalConfirmed(name));
      const reader = new PixelReader(
        ownership.watch({
          list: () => client.list(),
          find: (id) =>
            client.get(id).catch((error: unknown) => {
              if (isNotFound(error)) return undefined;
              throw error;
            }),
        }),
      );
      account = { client, reader, ownership };
      this.accounts.set(name, account);
    }
    return account;
  }
}

/** Runs a write, then forgets the account's listing, whether the write succeeded or not. */
async function writing<T>(reader: PixelReader, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } finally {
    reader.invalidate();
  }
}

/**
 * The properties of an initialisation failure become the resource's outputs as they are: without the
 * serialized provider in them, later reads and deletes of the resource could not load the provider.
 */
function withProvider(outs: Props, inputs: Props): Props {
  return { ...outs, __provider: inputs.__provider };
}

/** Inputs reach create and update already checked; parse again for their types and defaults. */
function parseDeclared(inputs: Props): CheckedPostbackInputs {
  const { __provider: _provider, ...declared } = inputs;
  const parsed = PostbackInputsSchema.safeParse(declared);
  if (!parsed.success) {
    throw new Error(
      `invalid postback inputs: ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`,
    );
  }
  return parsed.data;
}

const accountOf = (props: Props): string =>
  typeof props.account === "string" ? props.account : DEFAULT_ACCOUNT;

function knownToken(props: Props): string | undefined {
  const fb = props.facebookPixel as { accessToken?: unknown } | undefined;
  return typeof fb?.accessToken === "string" ? fb.accessToken : undefined;
}
