import { DEFAULT_ACCOUNT } from "./schema";

/**
 * Where each setting lives: its stack config key and its environment variable. Settings reads them;
 * messages (a missing key, a wrong affiliate, a removal to confirm) name them. Holds no values.
 */

/** The two places an account's API key may be set, as a message names them. */
export function keyPlaces(account: string): [config: string, env: string] {
  return account === DEFAULT_ACCOUNT
    ? ["everflow:apiKey", "EVERFLOW_API_KEY"]
    : [`--path 'everflow:accounts.${account}.apiKey'`, `EVERFLOW_API_KEY_${envSuffix(account)}`];
}

/** An account name as environment variables spell it: upper-cased, `-` as `_`. */
export const envSuffix = (account: string) => account.toUpperCase().replace(/-/g, "_");

/** The place a user sets to confirm that an account's postbacks were really removed. */
export const CONFIRM_REMOVED_ENV = "EVERFLOW_CONFIRM_REMOVED";
export const CONFIRM_REMOVED_CONFIG = "everflow:confirmRemoved";

/** The names in `EVERFLOW_CONFIRM_REMOVED` / `everflow:confirmRemoved`: comma- or space-separated. */
export function confirmedAccounts(value: string | undefined): Set<string> {
  return new Set((value ?? "").split(/[\s,]+/).filter((name) => name !== ""));
}
