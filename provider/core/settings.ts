import { z } from "zod";
import { checkBaseUrl, EVERFLOW_BASE_URL_US, type EverflowClientOptions } from "../client";
import {
  CONFIRM_REMOVED_CONFIG,
  CONFIRM_REMOVED_ENV,
  confirmedAccounts,
  envSuffix,
  keyPlaces,
} from "./config-keys";
import { AccountConfigSchema } from "./provider-config";
import { DEFAULT_ACCOUNT } from "./schema";

/**
 * Where the provider finds credentials and transport settings: stack config (`everflow:*`, secrets
 * arrive decrypted) first, then environment variables. Nothing read here is ever written to state.
 *
 * - The `default` account: `everflow:apiKey` / `EVERFLOW_API_KEY`, `everflow:baseUrl` / `EVERFLOW_BASE_URL`.
 * - A named account N: `everflow:accounts` (an object `{ N: { apiKey, baseUrl } }`, set with
 *   `pulumi config set --secret --path 'everflow:accounts.N.apiKey' KEY`) / `EVERFLOW_API_KEY_N`,
 *   `EVERFLOW_BASE_URL_N` (N upper-cased, `-` as `_`); without a base URL of its own, the default
 *   account's applies.
 * - Limits shared by every account: `everflow:requestsPerSecond` / `EVERFLOW_REQUESTS_PER_SECOND`,
 *   `everflow:burst` / `EVERFLOW_BURST`, `everflow:maxAttempts` / `EVERFLOW_MAX_ATTEMPTS`,
 *   `everflow:timeoutMs` / `EVERFLOW_TIMEOUT_MS`, `everflow:listingMaxAgeSeconds` /
 *   `EVERFLOW_LISTING_MAX_AGE_SECONDS`.
 * - Confirmed removals: `everflow:confirmRemoved` / `EVERFLOW_CONFIRM_REMOVED` (see ownership.ts).
 *
 * The names of these places live in config-keys.ts.
 */

export interface ConfigSource {
  get(key: string): string | undefined;
}

export interface AccountSettings {
  account: string;
  apiKey: string;
  baseUrl?: string;
}

export interface TransportSettings {
  rateLimit?: { rate: number; burst: number };
  maxAttempts?: number;
  timeoutMs?: number;
}

const AccountsConfigSchema = z.record(z.string(), AccountConfigSchema);

/** The error of a missing credential: names every place the key may be set, never a value. */
export class MissingApiKeyError extends Error {
  constructor(readonly account: string) {
    const [config, env] = keyPlaces(account);
    super(
      `No Everflow API key for account "${account}": set it with \`pulumi config set --secret ${config} <key>\` ` +
        `or the ${env} environment variable.`,
    );
    this.name = "MissingApiKeyError";
  }
}

// The numeric settings: config key and environment variable.
const RATE = ["everflow:requestsPerSecond", "EVERFLOW_REQUESTS_PER_SECOND"] as const;
const BURST = ["everflow:burst", "EVERFLOW_BURST"] as const;
const MAX_ATTEMPTS = ["everflow:maxAttempts", "EVERFLOW_MAX_ATTEMPTS"] as const;
const TIMEOUT_MS = ["everflow:timeoutMs", "EVERFLOW_TIMEOUT_MS"] as const;
const LISTING_MAX_AGE = ["everflow:listingMaxAgeSeconds", "EVERFLOW_LISTING_MAX_AGE_SECONDS"] as const;
const NUMBER_SETTINGS = [RATE, BURST, MAX_ATTEMPTS, TIMEOUT_MS, LISTING_MAX_AGE];

/**
 * A provider resource's inputs (`apiKey`, `baseUrl`, `accounts`...: plain values, strings from stack
 * config, objects and numbers from a program) as the settings read them (`everflow:apiKey`...): the
 * native plugin's configuration, and what `pulumi-everflow` reads of an explicit provider in a state.
 */
export function providerInputs(inputs: Record<string, unknown>): ConfigSource {
  return {
    get(key) {
      const name = key.startsWith("everflow:") ? key.slice("everflow:".length) : key;
      const value = inputs[name];
      if (value === undefined || value === null) return undefined;
      return typeof value === "string" ? value : JSON.stringify(value);
    },
  };
}

/** A base URL the client refuses (not http(s), or plain http to a host that is not loopback). */
export class BaseUrlError extends Error {
  constructor(
    readonly account: string,
    reason: string,
  ) {
    super(`account "${account}": ${reason}`);
    this.name = "BaseUrlError";
  }
}

/** An account's credentials, or why it has none (no key, or a base URL the key must not travel to). */
function credentialsOf(
  account: string,
  apiKey: string | undefined,
  baseUrl: string | undefined,
): AccountSettings | MissingApiKeyError | BaseUrlError {
  if (!apiKey) return new MissingApiKeyError(account);
  if (baseUrl !== undefined) {
    try {
      checkBaseUrl(baseUrl, apiKey);
    } catch (error) {
      return new BaseUrlError(account, (error as Error).message.replace(/^EverflowClient: /, ""));
    }
  }
  return { account, apiKey, ...(baseUrl ? { baseUrl } : {}) };
}

export class Settings {
  constructor(
    private readonly config: ConfigSource | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Credentials of one account, or a MissingApiKeyError value for the caller to raise. */
  account(account: string): AccountSettings | MissingApiKeyError | BaseUrlError {
    if (account === DEFAULT_ACCOUNT) {
      const apiKey = this.get("everflow:apiKey") ?? this.env.EVERFLOW_API_KEY;
      const baseUrl = this.get("everflow:baseUrl") ?? this.env.EVERFLOW_BASE_URL;
      return credentialsOf(account, apiKey, baseUrl);
    }
    const configured = this.accounts()[account];
    const suffix = envSuffix(account);
    const apiKey = configured?.apiKey ?? this.env[`EVERFLOW_API_KEY_${suffix}`];
    // Accounts of one team usually live in one region: the default account's base URL applies too.
    const baseUrl =
      configured?.baseUrl ??
      this.env[`EVERFLOW_BASE_URL_${suffix}`] ??
      this.get("everflow:baseUrl") ??
      this.env.EVERFLOW_BASE_URL;
    return credentialsOf(account, apiKey, baseUrl);
  }

  /**
   * Every problem of the settings, each on the config key it is about (`everflow:burst`), for a face
   * that checks its configuration before any call (the native plugin's CheckConfig). Each accessor
   * below raises the same problem when it is used.
   */
  problems(): { key: string; reason: string }[] {
    const problems: { key: string; reason: string }[] = [];
    const attempt = (key: string, read: () => unknown) => {
      try {
        read();
      } catch (error) {
        problems.push({ key, reason: error instanceof Error ? error.message : String(error) });
      }
    };
    attempt("everflow:accounts", () => this.accounts());
    for (const [key, env] of NUMBER_SETTINGS) attempt(key, () => this.number(key, env));
    // A base URL is checked with the key it would carry; a missing key is the postbacks' problem.
    const named = problems.some((p) => p.key === "everflow:accounts") ? [] : Object.keys(this.accounts());
    for (const account of [DEFAULT_ACCOUNT, ...named]) {
      const credentials = this.account(account);
      if (credentials instanceof BaseUrlError) {
        const key = account === DEFAULT_ACCOUNT ? "everflow:baseUrl" : `everflow:accounts.${account}.baseUrl`;
        problems.push({ key, reason: credentials.message });
      }
    }
    return problems;
  }

  /**
   * Whether the user confirmed that the postbacks of `account` were really removed in Everflow
   * (`everflow:confirmRemoved` / `EVERFLOW_CONFIRM_REMOVED`: account names, comma-separated). See
   * ownership.ts for when the provider asks for it.
   */
  removalConfirmed(account: string): boolean {
    const names = this.get(CONFIRM_REMOVED_CONFIG) ?? this.env[CONFIRM_REMOVED_ENV];
    return confirmedAccounts(names).has(account);
  }

  /** The Everflow platform (base URL) an account's postbacks live on: their ids are unique there. */
  platform(account: string): string {
    const credentials = this.account(account);
    return (credentials instanceof Error ? undefined : credentials.baseUrl) ?? EVERFLOW_BASE_URL_US;
  }

  /**
   * How long an account's listing may serve the bases of writes (`everflow:listingMaxAgeSeconds` /
   * `EVERFLOW_LISTING_MAX_AGE_SECONDS`); undefined: the whole run (pixel-reader.ts says why).
   */
  listingMaxAgeMs(): number | undefined {
    const seconds = this.number(...LISTING_MAX_AGE);
    return seconds === undefined ? undefined : seconds * 1000;
  }

  transport(): TransportSettings {
    const rate = this.number(...RATE);
    const burst = this.number(...BURST);
    const maxAttempts = this.number(...MAX_ATTEMPTS);
    const timeoutMs = this.number(...TIMEOUT_MS);
    return {
      ...(rate !== undefined || burst !== undefined
        ? { rateLimit: { rate: rate ?? 5, burst: burst ?? 20 } }
        : {}),
      ...(maxAttempts !== undefined ? { maxAttempts } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    };
  }

  private accounts(): z.infer<typeof AccountsConfigSchema> {
    const raw = this.get("everflow:accounts");
    if (raw === undefined) return {};
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Error(
        'everflow:accounts must be an object of accounts, e.g. { "partner": { "apiKey": "..." } }',
      );
    }
    const parsed = AccountsConfigSchema.safeParse(value);
    if (!parsed.success) {
      // Report where, never what: the value holds API keys.
      const where = parsed.error.issues.map((i) => `everflow:accounts.${i.path.join(".")}: ${i.message}`);
      throw new Error(`invalid everflow:accounts config: ${where.join("; ")}`);
    }
    return parsed.data;
  }

  private number(configKey: string, envKey: string): number | undefined {
    const raw = this.get(configKey) ?? this.env[envKey];
    if (raw === undefined || raw === "") return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) {
      throw new Error(`${configKey} (or ${envKey}) must be a positive number, got ${JSON.stringify(raw)}`);
    }
    return value;
  }

  private get(key: string): string | undefined {
    const value = this.config?.get(key);
    return value === undefined || value === "" ? undefined : String(value);
  }
}

/** The client options of one account under the shared transport settings. */
export function clientOptions(
  credentials: AccountSettings,
  transport: TransportSettings,
): EverflowClientOptions {
  const ms = transport.timeoutMs;
  return {
    apiKey: credentials.apiKey,
    ...(credentials.baseUrl ? { baseUrl: credentials.baseUrl } : {}),
    ...(transport.rateLimit ? { rateLimit: transport.rateLimit } : {}),
    ...(transport.maxAttempts ? { retry: { maxAttempts: transport.maxAttempts } } : {}),
    ...(ms ? { timeouts: { connectMs: ms, headersMs: ms, bodyMs: ms } } : {}),
  };
}
