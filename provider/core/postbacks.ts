import { EverflowClient, isEverflowApiError, isNotFound, matchesIntended, toPixelBody } from "../client";
import type { Pixel, PixelBody } from "../client";
import { checkPostback, unknownFields, UNKNOWN, type CheckFailure } from "./check";
import { macroWarning } from "./macros";
import {
  APPLIED_KEY,
  appliedOf,
  appliedRecord,
  checkAnswer,
  drift,
  matchesLastAnswer,
  programChanges,
  readForm,
  unchangedValue,
} from "./applied";
import { declaredBody, toDeclaredShape, toOutputs } from "./mapping";
import {
  canonical,
  changedUnits,
  fromUnits,
  sameValue,
  unitValues,
  WRITE_UNITS,
  type WriteUnit,
} from "./rules";
import { PixelReader } from "./pixel-reader";
import { AccountOwnership, ExpectedOwners } from "./ownership";
import { claimKey, Claims, type SharedClaims } from "./claims";
import { holdsSecret, markChanges, secretInputs } from "./secrecy";
import { CheckedPostbackInputs, DEFAULT_ACCOUNT, PostbackInputsSchema } from "./schema";
import { clientOptions, ConfigSource, Settings } from "./settings";

/**
 * The postback operations, as every face serves them: the dynamic provider (provider/dynamic) and the
 * native plugin (provider/native) translate the engine's calls into these and the answers back. Nothing
 * here knows how it is served: values arrive plain (a face unwraps secrets and strips what it adds),
 * warnings leave through the call's {@link CallContext}.
 */

export type Props = Record<string, unknown>;

/** What a face supplies with each call that writes. */
export interface CallContext {
  /** Shows a warning under the postback the call is about; resolves once delivered (or given up). */
  warn(message: string): Promise<void>;
  /** The paths of the call's values that the program marked secret (secrecy.ts adds the rest). */
  secrets: ReadonlySet<string>;
}

/** Warnings go to stderr, where the engine shows them as the provider's (tests, tools); no marks. */
export const STDERR_CONTEXT: CallContext = {
  warn: async (message) => console.warn(`warning: ${message}`),
  secrets: new Set(),
};

/**
 * The outputs of a postback that carry a secret (secrecy.ts), given its values and the paths the
 * program marked secret: those paths, what is always secret, and the record of the last write when
 * any secret is present.
 */
export function secretOutputs(props: Props, marked: Iterable<string>): Set<string> {
  const secrets = secretInputs(marked);
  if (holdsSecret(props, secrets)) secrets.add(APPLIED_KEY);
  return secrets;
}

export interface CheckOutcome {
  inputs: Props;
  failures?: CheckFailure[];
  /** Valid, but worth a word (an undocumented macro): for a face that can show it under the resource. */
  warnings?: string[];
}

export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  /** The fields that may change: what the program changed, what drifted, what is not known yet. */
  changed: string[];
  deleteBeforeReplace: boolean;
}

export interface CreateOutcome {
  id: string;
  outs: Props;
}

export interface ReadOutcome {
  /** Empty when the postback is gone: the engine drops it from the state. */
  id: string;
  props: Props;
  inputs?: Props;
}

interface Account {
  client: EverflowClient;
  reader: PixelReader;
  ownership: AccountOwnership;
}

/**
 * Raised when the postback is ours but a later step failed (an import whose update was refused): the id
 * and the postback's live outputs travel with the error, so the engine records the postback in state
 * ("created but failed to initialise") instead of losing track of it. Each face hands it to the engine
 * in its own form.
 */
export class PostbackInitError extends Error {
  readonly reasons: string[];
  constructor(
    readonly id: string,
    readonly properties: Props,
    /** How the postback became the resource's: the message says which. */
    readonly how: "created" | "adopted",
    override readonly cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      how === "adopted"
        ? `postback ${id} was adopted (and is recorded in the state) but not brought to its declaration: ${reason}`
        : `postback ${id} was created (and is recorded in the state), but: ${reason}`,
    );
    // The engine shows the reasons of an initialisation failure, not the message.
    this.reasons = [this.message];
  }

  /** The same failure with the properties in the form a face hands to the engine. */
  withProperties(properties: Props): PostbackInitError {
    return new PostbackInitError(this.id, properties, this.how, this.cause);
  }
}

/**
 * The postbacks of one provider process. One instance serves every postback of a run (the engine runs
 * them all in one provider process), so clients, connection pools, rate limiters and read batches are
 * shared per account.
 */
export class Postbacks {
  private settings = new Settings(undefined);
  private readonly accounts = new Map<string, Account>();
  // Ids held by this run's resources (claims.ts); not cleared by configure, which may run twice.
  private readonly claims: Claims;
  // ownership.ts: the owners the stack's postbacks record, per account, for creates to check the key.
  private readonly expectedOwners = new ExpectedOwners();

  /** The soft delete of each postback this run deletes (claims.ts key): one at a time per postback. */
  private readonly deleting = new Map<string, Promise<void>>();
  /** The platform (base URL) of each account name, read once per configuration. */
  private readonly platforms = new Map<string, string>();

  /** `shared`: what the run's other provider processes hold and keep, where the face can share it. */
  constructor(shared?: SharedClaims) {
    this.claims = new Claims(shared, (account) => this.platform(account));
  }

  private platform(account: string): string {
    let platform = this.platforms.get(account);
    if (platform === undefined) {
      platform = this.settings.platform(account);
      this.platforms.set(account, platform);
    }
    return platform;
  }

  /** Synchronous on purpose: the dynamic host caches its provider before configure settles. */
  configure(config: ConfigSource | undefined): void {
    this.settings = new Settings(config);
    this.accounts.clear();
    this.platforms.clear();
  }

  /**
   * `importName` names the resource that declares `news`, for the failure of a second resource that
   * adopts the same postback (claims.ts); `secrets` are the paths the program marked secret, whose
   * values no failure quotes.
   */
  check(news: Props, options: { importName?: string; secrets?: ReadonlySet<string> } = {}): CheckOutcome {
    const { importName, secrets = new Set<string>() } = options;
    const result = checkPostback(news, secrets);
    if (result.ok === false) return { inputs: news, failures: result.failures };
    // A missing key fails the preview too, not only the first API call of `up`.
    const account = result.inputs.account ?? DEFAULT_ACCOUNT;
    const credentials =
      typeof account === "string" && account !== UNKNOWN ? this.settings.account(account) : undefined;
    if (credentials instanceof Error) {
      return { inputs: news, failures: [{ property: "account", reason: credentials.message }] };
    }
    // claims.ts: two resources adopting one postback fail here, at preview.
    const platform = typeof account === "string" && account !== UNKNOWN ? this.platform(account) : "";
    const importId = typeof result.inputs.importId === "string" ? result.inputs.importId : undefined;
    const shared = this.claims.declareImport(platform, importId, importName);
    if (shared) return { inputs: news, failures: [{ property: "importId", reason: shared }] };
    const url = result.inputs.postbackUrl;
    const warning = typeof url === "string" && url !== UNKNOWN ? macroWarning(url) : undefined;
    return { inputs: result.inputs, ...(warning ? { warnings: [warning] } : {}) };
  }

  /**
   * `name` names the resource, where the face knows it, for the messages of claims.ts. `marks`: the
   * paths the program marked secret when the postback was last written, and now: a field newly marked
   * (or no longer) is a change, so that the state's outputs take the new mark (secrecy.ts).
   */
  diff(
    id: string,
    olds: Props,
    news: Props,
    options: { name?: string; marks?: { olds: Iterable<string>; news: Iterable<string> } } = {},
  ): DiffOutcome {
    const { name, marks } = options;
    // An account not known yet may differ: preview must show the replacement `up` may do.
    this.expectedOwners.note(accountOf(olds), olds); // ownership.ts
    const replaces = news.account === UNKNOWN || accountOf(olds) !== accountOf(news) ? ["account"] : [];
    // claims.ts: a kept postback may not be adopted by a new resource as well, nor deactivated by the
    // delete of another. (`up --refresh` diffs each resource twice: the refresh's diff keeps, the
    // update's may replace.)
    this.claims.keep(accountOf(olds), id, replaces.length === 0, name);
    // Preview passes values not known yet; any of them may change the postback.
    // What the program changed, and what Everflow changed since its last answer: never the
    // declaration against the server's form (see applied.ts).
    const changed = [
      ...new Set<string>([
        ...replaces,
        ...unknownFields(news),
        ...programChanges(news, olds),
        ...drift(olds),
        ...(marks ? markChanges(marks.olds, marks.news) : []),
      ]),
    ];
    return { changes: changed.length > 0, replaces, changed, deleteBeforeReplace: false };
  }

  async create(inputs: Props, ctx: CallContext): Promise<CreateOutcome> {
    const declared = parseDeclared(inputs);
    const { client, reader, ownership } = this.account(declared.account);
    if (declared.importId !== undefined) {
      return this.adopt(Number(declared.importId), declared, client, reader, ctx);
    }
    await this.expectedOwners.settled(declared.account); // ownership.ts
    // ownership.ts; the shared listing, which later writes of the run reuse.
    await ownership.beforeCreate(this.expectedOwners.of(declared.account), () => reader.listing());
    const body = declaredBody(declared);
    const twins = await this.twins(declared.account, reader, body);
    const pixel = await writing(reader, undefined, () => client.create(body)).catch((error: unknown) => {
      // Everflow answered with the new id, but not in a form the client could read: record the id.
      if (isEverflowApiError(error) && error.pixelId !== undefined) {
        const { importId: _none, ...outs } = declared;
        throw new PostbackInitError(
          String(error.pixelId),
          { ...outs, pixelId: error.pixelId },
          "created",
          error,
        );
      }
      throw error;
    });
    this.claims.hold(this.platform(declared.account), pixel.network_pixel_id); // claims.ts
    const id = String(pixel.network_pixel_id);
    const token = declared.facebookPixel?.accessToken;
    const answered = toOutputs(pixel, declared.account, token);
    const check = checkAnswer(declared, answered, secretInputs(ctx.secrets));
    if (check.broken.length > 0) {
      // Recorded without a last applied declaration: the next `up` sees the difference and tries again.
      throw new PostbackInitError(id, answered, "created", brokenWrite(check.broken));
    }
    await warnAnswer(ctx, id, check.notes);
    if (twins.length > 0) await ctx.warn(twinWarning(id, twins));
    return { id, outs: { ...answered, [APPLIED_KEY]: appliedRecord(declared, answered) } };
  }

  /**
   * Postbacks of the account that already are what `body` declares (any status) and that no resource
   * of this run holds or keeps: after a `pulumi destroy` (a soft delete) or a `pulumi state delete`, the
   * next create makes a second one beside the one the stack let go of. From the account's listing this
   * run shares; a listing that fails decides nothing here (the create does not need it).
   */
  private async twins(account: string, reader: PixelReader, body: PixelBody): Promise<Pixel[]> {
    const platformOf = (name: string) => this.platform(name);
    const platform = platformOf(account);
    const listing = await reader.listing().catch(() => []);
    return listing.filter(
      (p) =>
        matchesIntended(p, { ...body, pixel_status: p.pixel_status }) &&
        !this.claims.isHeld(platform, p.network_pixel_id) &&
        !this.claims.keeper(platform, p.network_pixel_id, platformOf),
    );
  }

  /**
   * A refresh of a postback in state, or, with no state (`props` empty: the engine's import), the
   * postback taken over by a resource of the default account (claims.ts).
   */
  async read(id: string, props: Props): Promise<ReadOutcome> {
    if (Object.keys(props).length === 0) return this.importRead(id);
    const account = accountOf(props);
    const { reader, ownership } = this.account(account);
    const pixel = await reader.read(Number(id));
    ownership.judge(Number(id), props, pixel); // ownership.ts: a wrong key's "gone" must not shrink state
    // An empty id tells the engine the postback is gone, so a refresh drops it from state.
    if (!pixel) return { id: "", props: {} };
    const token = knownToken(props);
    // applied.ts: text Everflow presents escaped in its read answers is taken in the form it stores.
    const { live, record } = readForm(toDeclaredShape(pixel, account, token), props);
    return {
      id,
      // The record of the last write survives a refresh: drift is the live postback against it.
      props: { ...toOutputs(pixel, account, token), ...live, ...(record ? { [APPLIED_KEY]: record } : {}) },
      inputs: live,
    };
  }

  async update(id: string, olds: Props, news: Props, ctx: CallContext): Promise<{ outs: Props }> {
    const declared = parseDeclared(news);
    const changing = new Set([...programChanges(news, olds), ...drift(olds)]);
    // Only which values are secret changed (the diff's `marks`): nothing to write; the face returns the
    // outputs marked anew.
    if (changing.size === 0) return { outs: olds };
    const { client, reader, ownership } = this.account(declared.account);
    // The base of the full-replacement PUT comes from the account's listing this run shares; only a
    // postback the listing lacks costs a GET, whose 404 the error then quotes.
    const live =
      (await reader.base(Number(id))) ??
      (await client.get(Number(id)).catch(async (error: unknown) => {
        if (!isNotFound(error)) throw error;
        await ownership.confirmGone(Number(id), olds, () => client.list()); // ownership.ts
        // An update cannot give the postback a new id: the state has to learn it is gone first.
        throw new Error(
          `postback ${id} no longer exists in Everflow (removed outside Pulumi): run \`pulumi refresh\` to ` +
            `drop it from the state, then \`pulumi up\` creates it again (${(error as Error).message})`,
        );
      }));
    ownership.judge(Number(id), olds, live); // ownership.ts: never write another affiliate's postback
    // Only what the program changed, and what a refresh showed drifted, is written from the declaration
    // (`changing`); every other field keeps its live value, so ignored fields and hand edits survive.
    return { outs: await this.write(client, reader, live, declared, olds, changing, ctx) };
  }

  /**
   * Everflow has no DELETE for affiliate pixels: deleting deactivates (a soft delete). Only
   * `pixel_status` changes; every other field is sent back as Everflow last answered our write (or as
   * it is now, when changed outside Pulumi), never in a form the server produced on read.
   */
  async delete(id: string, props: Props, ctx: CallContext = STDERR_CONTEXT): Promise<void> {
    const account = accountOf(props);
    const platformOf = (name: string) => this.platform(name);
    // claims.ts: another resource of this run adopted this postback; deleting only releases it.
    if (this.claims.isHeld(platformOf(account), id)) return;
    // claims.ts: a resource the stack keeps holds it too; deleting only releases it.
    const keeper = this.claims.keeper(platformOf(account), id, platformOf);
    if (keeper) {
      const other = keeper.name === undefined ? "another resource" : `resource "${keeper.name}"`;
      await ctx.warn(
        `postback ${id} stays active: ${other} of this stack manages it too; the removed resource only ` +
          `lets go of it`,
      );
      return;
    }
    // Two resources of the run may hold the postback (both removed): the engine deletes them at
    // once, and the second delete must find the first's answer, not deactivate again.
    const key = claimKey(platformOf(account), id);
    const earlier = this.deleting.get(key) ?? Promise.resolve();
    const mine = earlier.catch(() => undefined).then(() => this.deactivate(id, props, account));
    this.deleting.set(key, mine);
    return mine;
  }

  private async deactivate(id: string, props: Props, account: string): Promise<void> {
    const { client, reader, ownership } = this.account(account);
    // A token the API masks on read must not be written back masked: state holds the real one.
    const token = knownToken(props);
    // Gone already (the listing lacks it and a GET answers 404) is what delete wants, unless a wrong
    // key's evidence says so (ownership.ts: judge fails, naming both affiliates). A postback of another
    // affiliate is never written.
    const live = await reader.base(Number(id));
    ownership.judge(Number(id), props, live);
    if (!live || live.pixel_status === "inactive") return;
    const deactivate = async () => {
      // Every unit as the last write left it, or as changed outside Pulumi; never in a read form.
      const { live: liveShape, record } = readForm(toDeclaredShape(live, account, token), props);
      const known = { ...props, [APPLIED_KEY]: record };
      const units = unitValues(canonical(liveShape));
      for (const u of WRITE_UNITS) units[u] = unchangedValue(u, liveShape, known);
      const kept = { ...fromUnits(units), pixelStatus: "inactive" };
      const body = { ...toPixelBody(live), ...declaredBody(kept as never) };
      return client.update(Number(id), body, "deactivate");
    };
    await writing(reader, Number(id), deactivate).catch(async (error: unknown) => {
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
    client: EverflowClient,
    reader: PixelReader,
    ctx: CallContext,
  ): Promise<CreateOutcome> {
    const live = await this.takeOver(id, declared.account, client);
    const token = declared.facebookPixel?.accessToken;
    const liveOuts = toOutputs(live, declared.account, token);
    const taken = { id: String(id), outs: liveOuts };
    const differing = changedUnits(declared, toDeclaredShape(live, declared.account, token));
    if (differing.length === 0) {
      return { ...taken, outs: { ...liveOuts, [APPLIED_KEY]: appliedRecord(declared, liveOuts) } };
    }
    try {
      // The live postback is the last answer here: write the fields that differ from the declaration.
      const outs = await this.write(client, reader, live, declared, liveOuts, new Set(differing), ctx);
      return { id: taken.id, outs };
    } catch (error) {
      // The postback is ours now even though the write failed: the engine records it as it is, and the
      // next `up` retries the update instead of importing again.
      throw new PostbackInitError(taken.id, taken.outs, "adopted", error);
    }
  }

  /** The engine's import (`pulumi import`, or the `import` option of the native face): reads only. */
  private async importRead(id: string): Promise<ReadOutcome> {
    const account = DEFAULT_ACCOUNT;
    const live = await this.takeOver(Number(id), account, this.account(account).client);
    return { id, props: toOutputs(live, account), inputs: toDeclaredShape(live, account) };
  }

  /**
   * The live postback a new resource takes over, now held by this run (claims.ts). Fails, before any
   * request, when a resource the stack keeps manages it; fails naming the id and the account when the
   * key cannot see it.
   */
  private async takeOver(id: number, account: string, client: EverflowClient): Promise<Pixel> {
    // claims.ts; the kept postbacks are known once the diffs of those declared with this one have run.
    await this.expectedOwners.settled(account);
    const platformOf = (name: string) => this.platform(name);
    const platform = platformOf(account);
    const conflict = this.claims.adoptionConflict(platform, id, platformOf);
    if (conflict) throw new Error(conflict);
    const live = await client.get(id).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
      // Everflow answers a postback of another affiliate exactly as one that does not exist.
      throw new Error(
        `cannot import postback ${id}: Everflow knows no postback ${id} for the API key of account ` +
          `"${account}". Check the id, and that the key is the affiliate's that owns the ` +
          `postback (${(error as Error).message})`,
      );
    });
    this.claims.hold(platform, id);
    return live;
  }

  /**
   * One full-replacement PUT: the live pixel, with the declared value for each field in `changing` and,
   * for every other field, the value {@link unchangedValue} picks. Everflow's answer is then compared
   * with what was sent: a value cut off fails the write; any other difference warns once and is
   * recorded, so the next `up` does not write it again.
   */
  private async write(
    client: EverflowClient,
    reader: PixelReader,
    live: Pixel,
    declared: CheckedPostbackInputs,
    olds: Props,
    changing: ReadonlySet<WriteUnit>,
    ctx: CallContext,
  ): Promise<Props> {
    const id = String(live.network_pixel_id);
    const token = declared.facebookPixel?.accessToken;
    // applied.ts: the base in the form Everflow stores, not the escaped form it presents on read.
    const base = readForm(toDeclaredShape(live, declared.account, token), olds);
    const liveShape = base.live;
    const known = base.record ? { ...olds, [APPLIED_KEY]: base.record } : olds;
    const declaredUnits = unitValues(canonical(declared));
    const units = { ...declaredUnits };
    const fromDeclaration: WriteUnit[] = [];
    for (const u of WRITE_UNITS) {
      if (changing.has(u) || matchesLastAnswer(u, liveShape, known)) fromDeclaration.push(u);
      else units[u] = unchangedValue(u, liveShape, known);
    }
    const sent: Props = { ...declared, ...fromUnits(units) };
    const body = { ...toPixelBody(live), ...declaredBody(sent as CheckedPostbackInputs) };
    const pixel = await writing(reader, live.network_pixel_id, () =>
      client.update(live.network_pixel_id, body),
    );
    const answered = toOutputs(pixel, declared.account, token);
    const check = checkAnswer(sent, answered, secretInputs(ctx.secrets), appliedOf(olds), fromDeclaration);
    if (check.broken.length > 0) throw new Error(`postback ${id}: ${brokenWrite(check.broken)}`);
    await warnAnswer(ctx, id, check.notes);
    const kept = WRITE_UNITS.filter(
      (u) => !fromDeclaration.includes(u) && !sameValue(units[u], declaredUnits[u]),
    );
    if (kept.length > 0) {
      await ctx.warn(
        `postback ${id}: kept ${kept.join(", ")} as changed outside Pulumi (the program did not change ` +
          `${kept.length === 1 ? "it" : "them"}); run \`pulumi up --refresh\` to see such changes before writing`,
      );
    }
    return {
      ...answered,
      [APPLIED_KEY]: appliedRecord(declared, answered, base.record?.r === "html"),
    };
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
        { snapshotTtlMs: this.settings.listingMaxAgeMs() },
      );
      account = { client, reader, ownership };
      this.accounts.set(name, account);
    }
    return account;
  }
}

/**
 * Warnings are shown under the postback of the call (the face's context); each also names the postback
 * by id, for where they reach only stderr.
 */
async function warnAnswer(ctx: CallContext, id: string, notes: string[]): Promise<void> {
  if (notes.length === 0) return;
  await ctx.warn(
    `postback ${id}: Everflow stored a different value than was sent; Pulumi takes Everflow's value as ` +
      `applied and will not write it again: ${notes.join("; ")}`,
  );
}

/** The word about postbacks a create found already there (see Postbacks.twins). */
function twinWarning(id: string, twins: Pixel[]): string {
  const listed = twins.map((p) => `${p.network_pixel_id} (${p.pixel_status})`).join(", ");
  const active = twins.some((p) => p.pixel_status === "active");
  return (
    `postback ${id} was created, but Everflow already holds a postback identical to this declaration ` +
    `that no resource of this stack manages: ${listed}${active ? "; both fire for every conversion" : ""}. ` +
    `If it is the one this resource managed before (a \`pulumi destroy\` or \`pulumi state delete\` let go ` +
    `of it), keep one: adopt it with the \`import\` resource option and remove ${id}, or deactivate it`
  );
}

/** Why a write whose answer cut a value off failed. */
function brokenWrite(broken: string[]): string {
  return (
    `Everflow changed what the postback does: ${broken.join("; ")}. Shorten the value ` +
    `to what Everflow stores; the next \`pulumi up\` writes it again`
  );
}

/**
 * Runs a write and keeps the account's listing current: the answer replaces the listed postback (no
 * re-list, no GET before the next write); after a failure the listed copy is dropped, since the write may
 * have landed.
 */
async function writing(
  reader: PixelReader,
  id: number | undefined,
  write: () => Promise<Pixel>,
): Promise<Pixel> {
  try {
    const pixel = await write();
    reader.written(pixel);
    return pixel;
  } catch (error) {
    if (id !== undefined) reader.forget(id);
    throw error;
  }
}

/** Inputs reach create and update already checked; parse again for their types and defaults. */
function parseDeclared(inputs: Props): CheckedPostbackInputs {
  const parsed = PostbackInputsSchema.safeParse(inputs);
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
