import { z } from "zod";

/**
 * The provider's configuration as a schema: every `everflow:*` key settings.ts reads, with the type a
 * program gives it (stack config holds strings; settings.ts parses those). The native plugin's package
 * schema takes its config variables and provider inputs from here, and the field docs here are the docs
 * users of every language see. Environment variables stand in for every key (config-keys.ts): they are
 * read by the provider at run time, never stored in state.
 */

export const AccountConfigSchema = z.looseObject({
  /** The named account's affiliate API key. Stored as a secret. */
  apiKey: z.string().min(1).optional(),
  /** The named account's API base URL, including `/v1`; without one, the default account's applies. */
  baseUrl: z.url().optional(),
});

export const ProviderConfigSchema = z.strictObject({
  /**
   * The affiliate API key of the `default` account, sent as `X-Eflow-API-Key`. Stored as a secret.
   * Environment fallback: `EVERFLOW_API_KEY`.
   */
  apiKey: z.string().optional(),
  /**
   * The API base URL, including `/v1`: `https://api.eflow.team/v1` (the default) or, for EU-hosted
   * accounts, `https://api-eu.eflow.team/v1`. Environment fallback: `EVERFLOW_BASE_URL`.
   */
  baseUrl: z.string().optional(),
  /**
   * Named accounts a postback can select with its `account` input: `{ NAME: { apiKey, baseUrl } }`.
   * Stored as a secret. Environment fallbacks: `EVERFLOW_API_KEY_<NAME>`, `EVERFLOW_BASE_URL_<NAME>`.
   */
  accounts: z.record(z.string(), AccountConfigSchema).optional(),
  /**
   * Sustained rate of the client-side rate limiter, in requests per second (default 5, Everflow's
   * limit for affiliate keys). Environment fallback: `EVERFLOW_REQUESTS_PER_SECOND`.
   */
  requestsPerSecond: z.number().positive().optional(),
  /**
   * Bucket size of the rate limiter: how many requests may go out at once after an idle period
   * (default 20). Environment fallback: `EVERFLOW_BURST`.
   */
  burst: z.number().positive().optional(),
  /**
   * Attempts per request on 5xx and network failures, counting the first (default 6; 429s do not
   * count). Environment fallback: `EVERFLOW_MAX_ATTEMPTS`.
   */
  maxAttempts: z.number().int().positive().optional(),
  /**
   * Sets the connect, response-headers and body timeouts at once, in milliseconds (default 10000
   * connect, 30000 the others). Environment fallback: `EVERFLOW_TIMEOUT_MS`.
   */
  timeoutMs: z.number().int().positive().optional(),
  /**
   * How long one listing of an account may serve the bases of writes before it is taken again, in
   * seconds (default: the whole run). Environment fallback: `EVERFLOW_LISTING_MAX_AGE_SECONDS`.
   */
  listingMaxAgeSeconds: z.number().positive().optional(),
  /**
   * Account names (comma-separated) whose postbacks you confirm were really removed in Everflow, when
   * the key's affiliate cannot be told. Remove it afterwards. Environment fallback:
   * `EVERFLOW_CONFIRM_REMOVED`.
   */
  confirmRemoved: z.string().optional(),
});

/** The provider's inputs that hold credentials: secret in state however they were set. */
export const SECRET_CONFIG_KEYS = ["apiKey", "accounts"] as const satisfies readonly (keyof z.infer<
  typeof ProviderConfigSchema
>)[];
