// A server's error message may quote what we sent ("invalid postback_url https://p.example/cb?api_key=…").
// What we sent can be a secret in the user's state (a URL holding a partner's key, an HTML snippet, a
// Conversions API token), and an error reaches the engine's output and logs in clear. So every value of
// the request body is replaced by the name of its field, `<postback_url>`, before the message is kept:
// in the forms a server may quote it (as sent, JSON-escaped, URL-encoded, HTML-escaped), cut short at
// any point after its first 12 characters, and, for a URL, each query parameter value on its own.

/** Fields whose values are the API's fixed vocabulary ("postback", "global"...): never user data. */
const VOCABULARY = new Set(["delivery_method", "pixel_level", "pixel_status", "pixel_type"]);
/** Values shorter than this are not replaced (they would mangle unrelated words of the message). */
const MIN_VALUE_LENGTH = 4;
/** A quoted value cut short is still found when at least this much of it is quoted. */
const MIN_PREFIX = 12;
/** Query parameter values shorter than this are left alone ("1", "usd"...). */
const MIN_PARAM_LENGTH = 6;

interface SentValue {
  field: string;
  value: string;
}

/** The string values of a request body, with their field paths (`facebook_pixel.access_token`). */
export function sentValues(body: unknown): SentValue[] {
  const out: SentValue[] = [];
  const walk = (value: unknown, field: string): void => {
    if (typeof value === "string") {
      if (value.length >= MIN_VALUE_LENGTH && !VOCABULARY.has(field)) out.push({ field, value });
      for (const param of queryValues(value)) out.push({ field, value: param });
      return;
    }
    if (typeof value !== "object" || value === null) return;
    for (const [key, inner] of Object.entries(value)) walk(inner, field ? `${field}.${key}` : key);
  };
  walk(body, "");
  return out;
}

function queryValues(text: string): string[] {
  if (!/^https?:\/\//i.test(text)) return [];
  try {
    const url = new URL(text);
    const parts = [
      ...url.searchParams.values(),
      decodeURIComponent(url.username),
      decodeURIComponent(url.password),
    ];
    return parts.filter((p) => p.length >= MIN_PARAM_LENGTH);
  } catch {
    return [];
  }
}

const htmlEscaped = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

/** The forms in which a server may quote a value. */
function forms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const all = [
    value,
    json,
    json.replace(/\//g, "\\/"),
    encodeURIComponent(value),
    encodeURI(value),
    htmlEscaped(value),
  ];
  return [...new Set(all)].sort((a, b) => b.length - a.length);
}

/** `text` with every quoted value of `body` replaced by `<field>`. */
export function withoutSentValues(text: string, body: unknown): string {
  const values = sentValues(body).sort((a, b) => b.value.length - a.value.length);
  let out = text;
  for (const { field, value } of values) {
    const name = `<${field}>`;
    // Whole quotes first, in every form; then what is left of a quote cut short. A longer value goes
    // before a shorter one inside it (a URL before its query parameter values).
    const all = forms(value);
    for (const form of all) if (out.includes(form)) out = out.split(form).join(name);
    out = replaceCutShort(
      out,
      all.filter((form) => form.length > MIN_PREFIX),
      name,
    );
  }
  return out;
}

/** Replace each quoted beginning (at least MIN_PREFIX characters) of one of `forms` by `name`. */
function replaceCutShort(text: string, forms: readonly string[], name: string): string {
  if (forms.length === 0) return text;
  let out = "";
  let from = 0;
  for (let at = from; at <= text.length - MIN_PREFIX;) {
    // The longest run of any form starting here: forms share their beginning but differ later.
    let end = at;
    for (const form of forms) {
      let k = 0;
      while (at + k < text.length && k < form.length && text[at + k] === form[k]) k++;
      if (k >= MIN_PREFIX && at + k > end) end = at + k;
    }
    if (end === at) {
      at++;
      continue;
    }
    out += text.slice(from, at) + name;
    from = at = end;
  }
  return out + text.slice(from);
}
