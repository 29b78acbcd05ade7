// API keys: affiliate keys (accounts) and network keys. Header names are case-insensitive (Node
// lower-cases them), so the key is read from `x-eflow-api-key`.

import type { EmulatorAccount, NetworkKey } from "./types";

export const DEFAULT_ACCOUNT: EmulatorAccount = { apiKey: "test-api-key", networkId: 1, affiliateId: 7 };

export type Caller =
  | { kind: "affiliate"; account: EmulatorAccount; label: string }
  | { kind: "network"; networkId: number; label: string };

export type AuthResult = { ok: true; caller: Caller } | { ok: false; error: string; label: string | null };

function checkId(value: number, what: string): void {
  if (!Number.isInteger(value) || value <= 0)
    throw new RangeError(`emulator: ${what} must be an integer > 0`);
}

export class Accounts {
  private readonly byKey = new Map<string, Caller>();
  private readonly accounts: EmulatorAccount[];

  constructor(accounts: EmulatorAccount[], networkKeys: NetworkKey[]) {
    this.accounts = accounts.map((a) => ({ ...a }));
    const claim = (apiKey: string, caller: Caller): void => {
      if (typeof apiKey !== "string" || apiKey === "")
        throw new Error("emulator: an API key must be a non-empty string");
      if (this.byKey.has(apiKey)) throw new Error(`emulator: API key given twice (label ${caller.label})`);
      this.byKey.set(apiKey, caller);
    };
    for (const account of this.accounts) {
      checkId(account.networkId, "networkId");
      checkId(account.affiliateId, "affiliateId");
      claim(account.apiKey, {
        kind: "affiliate",
        account,
        label: account.label ?? `affiliate:${account.affiliateId}`,
      });
    }
    for (const key of networkKeys) {
      checkId(key.networkId, "networkId");
      claim(key.apiKey, {
        kind: "network",
        networkId: key.networkId,
        label: key.label ?? `network:${key.networkId}`,
      });
    }
  }

  authenticate(header: string | string[] | undefined): AuthResult {
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || key.trim() === "") {
      return { ok: false, error: "No Authentication Method Found", label: null };
    }
    const caller = this.byKey.get(key.trim());
    if (!caller) return { ok: false, error: "Invalid API key", label: "unknown" };
    return { ok: true, caller };
  }

  /** The account of an API key or (first match) of an affiliate id; throws when there is none. */
  find(apiKeyOrAffiliateId: string | number): EmulatorAccount {
    const account =
      typeof apiKeyOrAffiliateId === "number"
        ? this.accounts.find((a) => a.affiliateId === apiKeyOrAffiliateId)
        : this.accounts.find((a) => a.apiKey === apiKeyOrAffiliateId);
    if (!account) {
      const what =
        typeof apiKeyOrAffiliateId === "number" ? `affiliate id ${apiKeyOrAffiliateId}` : "API key";
      throw new Error(`emulator store: no account for that ${what}`);
    }
    return account;
  }
}
