import type { Pixel } from "../client";
import { CONFIRM_REMOVED_CONFIG, CONFIRM_REMOVED_ENV, confirmedAccounts, keyPlaces } from "./config-keys";

/**
 * Account identity: which Everflow affiliate owns a postback, and which affiliate an API key speaks for.
 *
 * Everflow answers a key of another affiliate exactly as it answers for a postback removed in the UI: the
 * GET is a 404 and the listing lacks the id. So "gone" alone is evidence a wrong but valid key also
 * produces, and state must not shrink on it. Every postback's owner is recorded in its outputs
 * (`networkId`, `networkAffiliateId`: two numbers); every pixel Everflow returns names its owner, so each
 * listing or GET tells which affiliate the key speaks for. The rule (docs/configuration.md, "Which affiliate a key
 * speaks for"):
 *
 * - The key is seen to speak for another affiliate than the postback's recorded owner: fail, naming
 *   both, change nothing. No setting overrides this.
 * - The key is seen to speak for the recorded owner: a postback it cannot find is really gone.
 * - The key's affiliate cannot be told (its listing is empty, so every tracked postback of the account is
 *   missing at once), or the postback's owner was never recorded (state of an older version) and no
 *   postback of the account was found under this key in this run: fail, change nothing, unless the user
 *   confirms the removal for that account (`EVERFLOW_CONFIRM_REMOVED` / `everflow:confirmRemoved`).
 */

interface PixelSource {
  list(): Promise<Pixel[]>;
  find(id: number): Promise<Pixel | undefined>;
}

// A type, not an interface: it joins the outputs' index-signature-compatible types.
export type Owner = {
  networkId: number;
  networkAffiliateId: number;
};

/** The owner fields recorded in a postback's outputs. */
export function ownerOutputs(pixel: Pixel): Owner {
  return { networkId: pixel.network_id, networkAffiliateId: pixel.network_affiliate_id };
}

/** The owner recorded in state, if this version of the provider recorded one. */
export function recordedOwner(props: Record<string, unknown>): Owner | undefined {
  const { networkId, networkAffiliateId } = props;
  return isId(networkId) && isId(networkAffiliateId) ? { networkId, networkAffiliateId } : undefined;
}

const isId = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;

const sameOwner = (a: Owner, b: Owner) =>
  a.networkId === b.networkId && a.networkAffiliateId === b.networkAffiliateId;

export const describeOwner = (o: Owner) => `affiliate ${o.networkAffiliateId} of network ${o.networkId}`;

/** A key of another affiliate: proven, so nothing overrides it. */
export class WrongAffiliateError extends Error {
  constructor(account: string, id: number, owner: Owner, key: Owner) {
    const [config, env] = keyPlaces(account);
    super(
      `account "${account}": postback ${id} belongs to ${describeOwner(owner)}, but the API key in use ` +
        `speaks for ${describeOwner(key)} (the postbacks Everflow returns to it are that affiliate's). ` +
        `Nothing was changed. Set the key of affiliate ${owner.networkAffiliateId} (${config} or ${env}) ` +
        `and run again.`,
    );
    this.name = "WrongAffiliateError";
  }
}

/** Gone on evidence a wrong key would also produce: the user has to confirm it. */
export class UnconfirmedRemovalError extends Error {
  constructor(account: string, id: number, reason: string) {
    super(
      `account "${account}": postback ${id} was not found, but ${reason}: a valid key of another ` +
        `affiliate answers exactly so. Nothing was changed. Check the account's API key; if the ` +
        `postbacks were really removed in Everflow, run again with ${CONFIRM_REMOVED_ENV}=${account} ` +
        `(or \`pulumi config set ${CONFIRM_REMOVED_CONFIG} ${account}\`, which a refresh sees after the ` +
        `next \`pulumi up\` or with --run-program) to drop them from the state.`,
    );
    this.name = "UnconfirmedRemovalError";
  }
}

/**
 * What one account's key has shown of itself in this process. Fed every pixel its listings and GETs
 * return; asked whether a postback the key cannot find may leave the state.
 */
export class AccountOwnership {
  private key: Owner | undefined;
  /** A key that returned pixels of two owners cannot be trusted to tell anything. */
  private mixed = false;
  /** A tracked postback was found under this key in this run. */
  private foundTracked = false;

  constructor(
    private readonly account: string,
    private readonly removalConfirmed: () => boolean,
  ) {}

  /** Learns the key's affiliate from what Everflow returned to it. */
  observe(pixels: readonly (Pixel | undefined)[]): void {
    for (const pixel of pixels) {
      if (!pixel || !pixel.network_affiliate_id) continue;
      const owner = ownerOutputs(pixel);
      if (this.key === undefined) this.key = owner;
      else if (!sameOwner(this.key, owner)) this.mixed = true;
    }
  }

  /** A pixel source (the read batcher's) whose every answer teaches this key's affiliate. */
  watch(source: PixelSource): PixelSource {
    return {
      ...source,
      list: async () => {
        const pixels = await source.list();
        this.observe(pixels);
        return pixels;
      },
      find: async (id: number) => {
        const pixel = await source.find(id);
        this.observe([pixel]);
        return pixel;
      },
    };
  }

  /** The affiliate this key speaks for, when its answers have shown it. */
  keyOwner(): Owner | undefined {
    return this.mixed ? undefined : this.key;
  }

  /**
   * Passes when `live` (the postback as read, undefined when the key cannot find it) may be taken as
   * the truth about postback `id`, whose state is `props`; throws otherwise. A pass with `live`
   * undefined means the postback is really gone.
   */
  judge(id: number, props: Record<string, unknown>, live: Pixel | undefined): void {
    const recorded = recordedOwner(props);
    if (live) {
      this.observe([live]);
      const owner = ownerOutputs(live);
      // The same id answered for another affiliate (another region's base URL, say): not our postback.
      if (recorded && owner.networkAffiliateId !== 0 && !sameOwner(recorded, owner)) {
        throw new WrongAffiliateError(this.account, id, recorded, owner);
      }
      this.foundTracked = true;
      return;
    }
    const key = this.keyOwner();
    if (recorded && key && !sameOwner(recorded, key)) {
      throw new WrongAffiliateError(this.account, id, recorded, key);
    }
    if (recorded && key) return;
    if (this.removalConfirmed()) return;
    if (!key) {
      throw new UnconfirmedRemovalError(
        this.account,
        id,
        "Everflow lists no postback at all for this account's API key, so which affiliate the key " +
          "speaks for cannot be told (every postback of the account the stack tracks is missing at once)",
      );
    }
    if (!this.foundTracked) {
      throw new UnconfirmedRemovalError(
        this.account,
        id,
        "its owner is not recorded in the state (written by an older version) and no postback of the " +
          `account tracked by this stack was found under this key (which speaks for ${describeOwner(key)})`,
      );
    }
  }

  /**
   * Before a create: when the stack's other postbacks of the account belong to `expected`, the key must
   * speak for that affiliate too. Costs one listing per run, only when the key has not shown itself yet.
   */
  async beforeCreate(expected: Owner | undefined, list: () => Promise<Pixel[]>): Promise<void> {
    if (!expected) return;
    if (!this.keyOwner()) this.observe(await list());
    const key = this.keyOwner();
    if (key && !sameOwner(key, expected)) {
      throw new Error(
        `account "${this.account}": the stack's postbacks of this account belong to ${describeOwner(expected)}, ` +
          `but the API key in use speaks for ${describeOwner(key)}: a new postback would be created in ` +
          `that affiliate's account. Nothing was created. Set the key of affiliate ` +
          `${expected.networkAffiliateId} (${keyPlaces(this.account).join(" or ")}) and run again.`,
      );
    }
    if (!key && !this.removalConfirmed()) {
      throw new Error(
        `account "${this.account}": the stack's postbacks of this account belong to ${describeOwner(expected)}, ` +
          `but Everflow lists no postback at all for the API key in use, so which affiliate it speaks for ` +
          `cannot be told. Nothing was created. Check the account's API key; if that affiliate's postbacks ` +
          `were really removed, run again with ${CONFIRM_REMOVED_ENV}=${this.account}.`,
      );
    }
  }

  /**
   * After a 404 on a write: lists the account to decide. Resolves true when the postback is really gone
   * (the caller may let it go), false when the listing still holds it; throws when the key is wrong or
   * its affiliate cannot be told.
   */
  async confirmGone(id: number, props: Record<string, unknown>, list: () => Promise<Pixel[]>) {
    const pixels = await list();
    this.observe(pixels);
    if (pixels.some((p) => p.network_pixel_id === id)) return false;
    this.judge(id, props, undefined);
    return true;
  }
}

/**
 * The owners recorded by the stack's postbacks of each account, as `diff` sees them during a run. A
 * create under a key of another affiliate would put the new postback in that affiliate's account: the
 * create checks the key against these first. (The engine diffs each resource as the program registers
 * it, so the postbacks declared before a new one are known by the time it is created.)
 */
export class ExpectedOwners {
  private readonly byAccount = new Map<string, Owner | null>();
  private readonly settling = new Map<string, Promise<void>>();

  constructor(private readonly settleMs = 250) {}

  /**
   * Resolves once the first creates of a run may trust {@link of}. The SDK registers resources
   * concurrently, so a new postback can reach the engine, and be created, before the diffs of the
   * postbacks declared with it: the first create of an account waits a moment for them (once per
   * account and run; later creates do not wait).
   */
  settled(account: string): Promise<void> {
    if (this.byAccount.has(account)) return Promise.resolve();
    let wait = this.settling.get(account);
    if (!wait) {
      wait = new Promise((resolve) => setTimeout(resolve, this.settleMs));
      this.settling.set(account, wait);
    }
    return wait;
  }

  note(account: string, props: Record<string, unknown>): void {
    const owner = recordedOwner(props);
    if (!owner) return;
    const known = this.byAccount.get(account);
    // null: the stack's postbacks of this account name two owners; nothing to expect.
    if (known === undefined) this.byAccount.set(account, owner);
    else if (known !== null && !sameOwner(known, owner)) this.byAccount.set(account, null);
  }

  of(account: string): Owner | undefined {
    return this.byAccount.get(account) ?? undefined;
  }
}

/**
 * For tools that decide from one listing (`pulumi-everflow recover`): why the listing of `account`
 * cannot be trusted, or undefined. The key must speak for the owner the stack's postbacks of the account
 * record; when something would be given up on the listing's evidence (`givesUp`) and the stack's
 * postbacks of the account record an owner, an empty listing (which a right key shows only when every
 * postback of the account was deleted by hand) needs `EVERFLOW_CONFIRM_REMOVED` to name the account. A
 * stack that records no owner for the account (its first run was the one interrupted) has nothing to
 * check the key against.
 */
export function keyOwnerProblem(
  account: string,
  listing: readonly Pixel[],
  resources: readonly Record<string, unknown>[],
  givesUp: boolean,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const expected = new ExpectedOwners();
  for (const r of resources) {
    const outputs = (r.outputs ?? {}) as Record<string, unknown>;
    const inputs = (r.inputs ?? {}) as Record<string, unknown>;
    const owned = typeof inputs.account === "string" ? inputs.account : "default";
    if (owned === account) expected.note(account, outputs);
  }
  const seen = new AccountOwnership(account, () => false);
  seen.observe(listing);
  const key = seen.keyOwner();
  const owner = expected.of(account);
  if (owner && key && !sameOwner(owner, key)) {
    return (
      `account "${account}": the stack's postbacks of this account belong to ${describeOwner(owner)}, but ` +
      `the API key in use speaks for ${describeOwner(key)}. Set the key of affiliate ` +
      `${owner.networkAffiliateId} (${keyPlaces(account).join(" or ")}) and run again.`
    );
  }
  if (givesUp && owner && !key && !confirmedAccounts(env[CONFIRM_REMOVED_ENV]).has(account)) {
    return (
      `account "${account}": the stack's postbacks of this account belong to ${describeOwner(owner)}, but ` +
      `Everflow lists no postback at all for the API key in use, which a key of another affiliate shows ` +
      `too. Check the key; if every postback of the account was really deleted in Everflow, run again ` +
      `with ${CONFIRM_REMOVED_ENV}=${account}.`
    );
  }
  return undefined;
}
