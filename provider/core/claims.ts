/**
 * Which Everflow postbacks the resources of this run hold. The engine runs every postback of one
 * `pulumi preview`/`up`/`destroy` through one provider process, so a registry here sees the whole run.
 *
 * Three faults of one kind live here: two resources managing one Everflow postback.
 * - Two resources of a program that declare the same `import` id: `check` of the second fails, naming
 *   the first (the engine names the second), before any API call.
 * - The engine creates before it deletes: a renamed resource that keeps its `import` (no alias), a
 *   replacement whose new resource adopts the same id (an account change under the same key), or any
 *   removed resource whose id a new one adopts. The new resource adopts the postback, then the delete of
 *   the old one would deactivate it under the new one's feet. A delete of an id that a create of this
 *   run holds only releases it: no API call.
 * - A new resource that adopts the postback an existing resource of the stack keeps managing: `diff` of
 *   the kept one notes its id, and the adoption fails before any API call, naming the id (and the
 *   keeper, where the face knows its name).
 * - A removed resource whose postback a resource the stack keeps also holds (both came to hold it in
 *   targeted runs, or by state surgery): the delete of the removed one only releases it. The engine
 *   diffs every resource the program keeps before it deletes any, so a full run knows them all; a
 *   targeted run (`--target`) diffs only its targets, and there the provider cannot know (the
 *   documented limit).
 *
 * Keys are the Everflow platform (its base URL) and the id: ids are unique on one platform (US and EU
 * are two), and two account names may share one key.
 *
 * One run may span several provider processes (the dynamic provider's, and a native plugin process per
 * provider): what each holds and keeps is shared with the others through {@link SharedClaims}
 * (engine/run-registry.ts), so the rules hold across them too.
 */

/** What one provider process tells the others of its run. */
export interface SharedClaim {
  /** `hold`: created or adopted by the run; `keep`: managed by a resource the program keeps; `letGo`: no longer. */
  kind: "hold" | "keep" | "letGo";
  /** The platform and id ({@link claimKey}). */
  key: string;
  /** The keeper's resource name, where its face knows it. */
  name?: string;
  /** The process that recorded it (set by the registry). */
  pid?: number;
}

export interface SharedClaims {
  record(claim: SharedClaim): void;
  /** What the run's other processes recorded, in order. */
  others(): SharedClaim[];
}

export class Claims {
  /** Import id → the name of the resource that declared it. */
  private readonly imports = new Map<string, string>();
  /** Ids created or adopted by this run. */
  private readonly held = new Set<string>();
  /**
   * Ids of resources in state that the program keeps (diffed, not replaced): per id, each account that
   * holds it, with the keeper's name where the face knows it.
   */
  private readonly kept = new Map<string, Map<string, string | undefined>>();

  /**
   * Records that resource `name` adopts `id`; returns the reason of a check failure when another
   * resource of the program already declared the same id. The same resource checked again is fine.
   */
  declareImport(platform: string, id: string | undefined, name: string | undefined): string | undefined {
    if (id === undefined || name === undefined) return undefined;
    const key = claimKey(platform, id);
    const first = this.imports.get(key);
    if (first === undefined) {
      this.imports.set(key, name);
      return undefined;
    }
    if (first === name) return undefined;
    return (
      `postback ${id} is also adopted by resource "${first}" of this program: one Everflow postback can ` +
      `be managed by one resource only. Remove one of the two \`import\` options (or give "${name}" an ` +
      `alias of "${first}" if it is a rename)`
    );
  }

  /**
   * @param shared what the run's other provider processes hold and keep, if the face can share it
   * @param platformOf the platform an account name stands for here (to tell others of a keep)
   */
  constructor(
    private readonly shared?: SharedClaims,
    private readonly platformOf?: (account: string) => string,
  ) {}

  /** A create of this run now holds `id` (it created or adopted the postback). */
  hold(platform: string, id: string | number): void {
    const key = claimKey(platform, id);
    this.held.add(key);
    this.shared?.record({ kind: "hold", key });
  }

  /** Whether a create of this run holds `id`: then a delete of it must only release it. */
  isHeld(platform: string, id: string | number): boolean {
    const key = claimKey(platform, id);
    return (
      this.held.has(key) || (this.shared?.others() ?? []).some((c) => c.kind === "hold" && c.key === key)
    );
  }

  /**
   * Whether a resource of the stack keeps managing `id` in `account`: its last diff did not replace it.
   * The account's platform is looked up only when a postback is adopted: `diff` reads no settings.
   */
  keep(account: string, id: string | number, kept: boolean, name?: string): void {
    const key = String(id);
    const accounts = this.kept.get(key) ?? new Map<string, string | undefined>();
    if (kept) accounts.set(account, name);
    else accounts.delete(account);
    if (accounts.size > 0) this.kept.set(key, accounts);
    else this.kept.delete(key);
    if (this.shared && this.platformOf) {
      this.shared.record({
        kind: kept ? "keep" : "letGo",
        key: claimKey(this.platformOf(account), id),
        ...(name === undefined ? {} : { name }),
      });
    }
  }

  /**
   * The resource of the stack that keeps managing `id` on `platform`, if one does: `{ name }`, the name
   * undefined where the face could not tell it.
   */
  keeper(
    platform: string,
    id: string | number,
    platformOf: (account: string) => string,
  ): { name: string | undefined } | undefined {
    const key = claimKey(platform, id);
    for (const [account, name] of this.kept.get(String(id)) ?? []) {
      if (claimKey(platformOf(account), id) === key) return { name };
    }
    return this.sharedKeeper(key);
  }

  /** A resource another process of the run keeps on `key`: each resource's last word on it counts. */
  private sharedKeeper(key: string): { name: string | undefined } | undefined {
    const last = new Map<string, SharedClaim>();
    for (const claim of this.shared?.others() ?? []) {
      if (claim.key === key && claim.kind !== "hold") last.set(`${claim.pid}|${claim.name ?? ""}`, claim);
    }
    for (const claim of last.values()) if (claim.kind === "keep") return { name: claim.name };
    return undefined;
  }

  /** Why a new resource may not adopt `id` on `platform`: another resource of the stack manages it. */
  adoptionConflict(
    platform: string,
    id: string | number,
    platformOf: (account: string) => string,
  ): string | undefined {
    const keeper = this.keeper(platform, id, platformOf);
    if (!keeper) return undefined;
    const other = keeper.name === undefined ? "another resource" : `resource "${keeper.name}"`;
    return (
      `cannot import postback ${id}: ${other} of this stack manages it, and one Everflow postback ` +
      `can be managed by one resource only. Remove the \`import\` option, or remove the other resource in ` +
      `the same \`pulumi up\` to move the postback to this one (an alias keeps it without an import)`
    );
  }
}

export const claimKey = (platform: string, id: string | number) =>
  `${platform.replace(/\/+$/, "")}#${String(id)}`;
