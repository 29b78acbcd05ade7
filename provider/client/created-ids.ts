// Ids returned by creates in this process, per account (the registry key of base URL and hashed API key):
// reconciliation never adopts one of them for another create, so two postbacks with identical bodies
// cannot end up as one.

const createdIds = new Map<string, Set<number>>();

/** The ids this account's creates returned in this process (a live set: adds are seen by every create). */
export function claimedIds(accountKey: string): Set<number> {
  let set = createdIds.get(accountKey);
  if (!set) {
    set = new Set();
    createdIds.set(accountKey, set);
  }
  return set;
}

/** Forget every claimed id (tests). */
export function resetClaimedIds(): void {
  createdIds.clear();
}
