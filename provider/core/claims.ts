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
 */
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

  /** A create of this run now holds `id` (it created or adopted the postback). */
  hold(platform: string, id: string | number): void {
    this.held.add(claimKey(platform, id));
  }

  /** Whether a create of this run holds `id`: then a delete of it must only release it. */
  isHeld(platform: string, id: string | number): boolean {
    return this.held.has(claimKey(platform, id));
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

const claimKey = (platform: string, id: string | number) => `${platform.replace(/\/+$/, "")}#${String(id)}`;
