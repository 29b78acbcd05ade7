import { isNotFound } from "../provider/client";
import { toDeclaredShape } from "../provider/core/mapping";
import { DEFAULT_ACCOUNT } from "../provider/core/schema";
import { isSecretValue, secretKeys, type RefreshedPostback } from "./drift-report";

/**
 * The engine's events never show a secret's contents, and a postback's `facebookPixel` is always
 * secret (it holds the access token). To compare it, the declared value is taken from the stack's
 * state (decrypted) and the live value is read from Everflow, with the account's credentials as the
 * provider finds them. Nothing read here is printed: the report shows the token as "[secret]".
 */

type Props = Record<string, unknown>;

export interface SecretSources {
  /** Stored inputs by URN, secrets decrypted (`pulumi stack export --show-secrets`). */
  storedInputs(): Promise<ReadonlyMap<string, Props>>;
  /** The live pixel of one postback in declared shape; undefined when it no longer exists. */
  livePostback(account: string, id: number, knownToken: string | undefined): Promise<Props | undefined>;
}

/** Every postback with its secret inputs resolved; a postback found gone meanwhile becomes missing. */
export async function resolveSecrets(
  postbacks: readonly RefreshedPostback[],
  sources: SecretSources,
): Promise<RefreshedPostback[]> {
  let stored: ReadonlyMap<string, Props> | undefined;
  const out: RefreshedPostback[] = [];
  for (const p of postbacks) {
    const hiddenDeclared = secretKeys(p.declared);
    const hiddenLive = secretKeys(p.live);
    if (hiddenDeclared.length === 0 && hiddenLive.length === 0) {
      out.push(p);
      continue;
    }
    let declared = p.declared;
    if (hiddenDeclared.length > 0) {
      stored ??= await sources.storedInputs();
      const inputs = stored.get(p.urn);
      if (!inputs) throw new Error(`${p.urn} is not in the stack's state`);
      declared = { ...p.declared };
      for (const key of hiddenDeclared) setOrDelete(declared, key, inputs[key]);
    }
    let live = p.live;
    if (live !== undefined && hiddenLive.length > 0) {
      const account = typeof declared.account === "string" ? declared.account : DEFAULT_ACCOUNT;
      const fb = declared.facebookPixel as { accessToken?: unknown } | undefined;
      const token = typeof fb?.accessToken === "string" ? fb.accessToken : undefined;
      const read = await sources.livePostback(account, Number(p.id), token);
      if (read === undefined) {
        live = undefined;
      } else {
        live = { ...live };
        for (const key of hiddenLive) setOrDelete(live, key, read[key]);
      }
    }
    // Compared in clear, shown as "[secret]": a value secret on either side stays secret in the report.
    out.push({ ...p, declared, live, secret: [...new Set([...hiddenDeclared, ...hiddenLive])] });
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

/** Stored inputs by URN from a deployment export (`{ deployment: { resources: [...] } }`). */
export function inputsByUrn(exported: unknown): Map<string, Props> {
  const resources = (exported as { deployment?: { resources?: unknown } } | undefined)?.deployment?.resources;
  const map = new Map<string, Props>();
  if (!Array.isArray(resources)) return map;
  for (const r of resources as Array<{ urn?: unknown; inputs?: unknown }>) {
    if (typeof r.urn !== "string" || typeof r.inputs !== "object" || r.inputs === null) continue;
    const inputs: Props = {};
    for (const [key, value] of Object.entries(r.inputs as Props)) inputs[key] = revealed(value);
    map.set(r.urn, inputs);
  }
  return map;
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
