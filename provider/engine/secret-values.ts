/**
 * Secrets as the engine encodes them in property values: an object holding the secret signature and
 * the value. A face that tells the engine it accepts secrets receives them so, and must return every
 * secret so too: the engine then no longer re-marks outputs itself (a value returned plain is stored
 * plain). The core works on plain values and the paths that were secret; this module converts at the
 * edge, both ways.
 *
 * Paths are property names joined with "." (`facebookPixel.accessToken`), as the engine names them.
 */

/** The signature key of a special value, and its value for a secret (sdk/go/common/resource/sig). */
export const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

type Props = Record<string, unknown>;

export interface SecretValue {
  [SPECIAL_SIG_KEY]: typeof SECRET_SIG;
  value: unknown;
}

export function isSecretValue(v: unknown): v is SecretValue {
  return (
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[SPECIAL_SIG_KEY] === SECRET_SIG
  );
}

export function secretValue(value: unknown): SecretValue {
  return { [SPECIAL_SIG_KEY]: SECRET_SIG, value };
}

/** Property values with their secrets unwrapped, and the paths that were secret. */
export interface Unwrapped {
  plain: Props;
  secrets: ReadonlySet<string>;
}

/** The plain values of `props`, and the paths of every secret in it (nested secrets included). */
export function unwrapSecrets(props: Props): Unwrapped {
  const secrets = new Set<string>();
  const plain = unwrapObject(props, "", secrets);
  return { plain, secrets };
}

function unwrapObject(props: Props, prefix: string, secrets: Set<string>): Props {
  const out: Props = {};
  for (const [key, raw] of Object.entries(props)) {
    const path = prefix + key;
    let value = raw;
    if (isSecretValue(value)) {
      secrets.add(path);
      value = value.value;
    }
    out[key] = isPlainObject(value) ? unwrapObject(value, `${path}.`, secrets) : unwrapDeep(value);
  }
  return out;
}

/** Values below an array: secret elements taint nothing here; their paths are not tracked. */
function unwrapDeep(value: unknown): unknown {
  if (isSecretValue(value)) return unwrapDeep(value.value);
  if (Array.isArray(value)) return value.map(unwrapDeep);
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapDeep(v)]));
  return value;
}

/**
 * `props` with the value at each path in `secrets` marked secret. A path whose parent is marked already
 * is covered by it; a path to a value that is absent marks nothing.
 */
export function wrapSecrets(props: Props, secrets: Iterable<string>): Props {
  const paths = [...secrets].map((p) => p.split(".")).sort((a, b) => a.length - b.length);
  let out: Props = props;
  for (const path of paths) out = wrapAt(out, path);
  return out;
}

function wrapAt(props: Props, [key, ...rest]: string[]): Props {
  if (key === undefined || !Object.hasOwn(props, key)) return props;
  const value = props[key];
  if (isSecretValue(value) || value === undefined) return props;
  if (rest.length === 0) return { ...props, [key]: secretValue(value) };
  if (!isPlainObject(value)) return props;
  return { ...props, [key]: wrapAt(value, rest) };
}

function isPlainObject(v: unknown): v is Props {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
