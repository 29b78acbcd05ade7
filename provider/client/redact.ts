// Redaction of secrets from anything the client logs or puts in an error: the API key (wherever it
// appears as a substring) and every value held under a secret-looking key (access_token, api keys,
// authorization headers).

export const REDACTED = "[REDACTED]";

const SECRET_KEY = /^(access_?token|api_?key|x-eflow-api-key|authorization|password|secret|token)$/i;

/** Secrets shorter than this are not substring-replaced (they would mangle unrelated text). */
const MIN_SECRET_LENGTH = 4;

function usableSecrets(secrets: readonly (string | undefined)[]): string[] {
  const out = secrets.filter((s): s is string => typeof s === "string" && s.length >= MIN_SECRET_LENGTH);
  // Longest first, so that a secret containing another is replaced whole.
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

/** Replace every occurrence of each secret in a string. */
export function redactString(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of usableSecrets(secrets)) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * A deep copy of `value` with secrets removed: values under secret-looking keys (`access_token`,
 * `apiKey`, `x-eflow-api-key`, `authorization`, ...) become "[REDACTED]" and every occurrence of one of
 * `secrets` (the API key, known tokens) inside any string is replaced. Errors become plain objects
 * holding their name, code and (redacted) message. Cycles are cut.
 */
export function redact<T>(value: T, secrets: readonly (string | undefined)[] = []): T {
  const list = usableSecrets(secrets);
  const seen = new WeakSet<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redactString(v, list);
    if (typeof v !== "object" || v === null) return v;
    if (seen.has(v)) return "[Circular]";
    seen.add(v);
    if (v instanceof Error) {
      const code = (v as { code?: unknown }).code;
      return {
        name: v.name,
        ...(typeof code === "string" ? { code } : {}),
        message: redactString(v.message, list),
      };
    }
    if (Array.isArray(v)) return v.map(walk);
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(v)) {
      out[key] = SECRET_KEY.test(key) && inner !== "" && inner !== null ? REDACTED : walk(inner);
    }
    return out;
  };
  return walk(value) as T;
}
