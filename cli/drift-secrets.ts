import { isNotFound } from "../provider/client";
import { toDeclaredShape } from "../provider/core/mapping";
import { DEFAULT_ACCOUNT } from "../provider/core/schema";
import { APPLIED_KEY } from "../provider/core/applied";
import { isSecretValue, secretKeys, type RefreshedPostback } from "./drift-report";

/**
 * The engine's events never show a secret's contents, and a postback's `facebookPixel` is always
 * secret (it holds the access token). To compare it, the declared value is taken from the stack's
 * state (decrypted) and the live value is read from Everflow, with the account's credentials as the
 * provider finds them. Nothing read here is printed: the report shows the token as "[secret]".
 */

type Props = Record<string, unknown>;

/** One resource of the state, as exported with its secrets shown. */
export interface StoredResource {
  inputs: Props;
  outputs: Props;
}

export interface SecretSources {
  /** Stored inputs and outputs by URN, secrets decrypted (`pulumi stack export --show-secrets`). */
  storedState(): Promise<ReadonlyMap<string, StoredResource>>;
  /**
   * The live pixel of one postback in declared shape, read with the credentials of its provider
   * (credentials.ts); undefined when it no longer exists.
   */
  livePostback(
    postback: RefreshedPostback,
    account: string,
    id: number,
    knownToken: string | undefined,
  ): Promise<Props | undefined>;
}

/**
 * Every postback with its secret inputs, and its secret record of the last write, resolved; a postback
 * found gone meanwhile becomes missing.
 */
export async function resolveSecrets(
  postbacks: readonly RefreshedPostback[],
  sources: SecretSources,
): Promise<RefreshedPostback[]> {
  let stored: ReadonlyMap<string, StoredResource> | undefined;
  const storedOf = async (urn: string) => {
    stored ??= await sources.storedState();
    const resource = stored.get(urn);
    if (!resource) throw new Error(`${urn} is not in the stack's state`);
    return resource;
  };
  const out: RefreshedPostback[] = [];
  for (const p of postbacks) {
    const hiddenDeclared = secretKeys(p.declared);
    const hiddenLive = secretKeys(p.live);
    // The record of the last write is secret when anything it derives from is (core/secrecy.ts).
    const applied = isSecretValue(p.applied) ? (await storedOf(p.urn)).outputs[APPLIED_KEY] : p.applied;
    if (hiddenDeclared.length === 0 && hiddenLive.length === 0) {
      out.push({ ...p, applied });
      continue;
    }
    let declared = p.declared;
    if (hiddenDeclared.length > 0) {
      const { inputs } = await storedOf(p.urn);
      declared = { ...p.declared };
      for (const key of hiddenDeclared) setOrDelete(declared, key, inputs[key]);
    }
    let live = p.live;
    if (live !== undefined && hiddenLive.length > 0) {
      const account = typeof declared.account === "string" ? declared.account : DEFAULT_ACCOUNT;
      const fb = declared.facebookPixel as { accessToken?: unknown } | undefined;
      const token = typeof fb?.accessToken === "string" ? fb.accessToken : undefined;
      const read = await sources.livePostback(p, account, Number(p.id), token);
      if (read === undefined) {
        live = undefined;
      } else {
        live = { ...live };
        for (const key of hiddenLive) setOrDelete(live, key, read[key]);
      }
    }
    // Compared in clear, shown as "[secret]": a value secret on either side stays secret in the report.
    out.push({ ...p, declared, live, applied, secret: [...new Set([...hiddenDeclared, ...hiddenLive])] });
  }
  return out;
}

function setOrDelete(props: Props, key: string, value: unknown): void {
  if (value === undefined) delete props[key];
  else props[key] = value;
}

/**
 * A stored value from `pulumi stack export --show-secrets`: a secret comes as
 * `{ <sig>: ..., plaintext: "<JSON>" }`; other values as they are.
 */
export function revealed(value: unknown): unknown {
  if (!isSecretValue(value)) return value;
  const plaintext = value.plaintext;
  if (typeof plaintext !== "string")
    throw new Error("the state export holds an encrypted secret (no plaintext)");
  return revealed(JSON.parse(plaintext) as unknown);
}

/** Stored resources by URN from a deployment export (`{ deployment: { resources: [...] } }`). */
export function stateByUrn(exported: unknown): Map<string, StoredResource> {
  const resources = (exported as { deployment?: { resources?: unknown } } | undefined)?.deployment?.resources;
  const map = new Map<string, StoredResource>();
  if (!Array.isArray(resources)) return map;
  for (const r of resources as Array<{ urn?: unknown; inputs?: unknown; outputs?: unknown }>) {
    if (typeof r.urn !== "string" || typeof r.inputs !== "object" || r.inputs === null) continue;
    map.set(r.urn, { inputs: revealedProps(r.inputs), outputs: revealedProps(r.outputs) });
  }
  return map;
}

/** Every value of `props` (a stored resource's inputs or outputs) revealed; {} for no object. */
export function revealedProps(props: unknown): Props {
  if (typeof props !== "object" || props === null) return {};
  return Object.fromEntries(Object.entries(props as Props).map(([key, value]) => [key, revealed(value)]));
}

/** Live read of a postback with a client's `get`, in the declared shape the provider's `read` returns. */
export async function readLive(
  get: (id: number) => Promise<Parameters<typeof toDeclaredShape>[0]>,
  account: string,
  id: number,
  knownToken: string | undefined,
): Promise<Props | undefined> {
  try {
    return toDeclaredShape(await get(id), account, knownToken) as unknown as Props;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
