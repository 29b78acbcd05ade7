// Error messages that quote the request: a scripted `fail` fault's message may hold placeholders that
// are filled from the request body, the way a real server's validation message repeats the value it
// rejected. `{postback_url}` or `{facebook_pixel.access_token}` quote a field as sent; a filter after
// `|` quotes it the way some servers do: `json` (JSON-escaped), `url` (percent-encoded), `html`
// (HTML-escaped), `cut:N` (its first N characters and "..."). An absent field quotes as "".

const PLACEHOLDER = /\{([a-z_][a-z0-9_.]*)(?:\|(json|url|html|cut:\d+))?\}/gi;

function fieldOf(body: unknown, path: string): string {
  let value: unknown = body;
  for (const key of path.split(".")) {
    value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value === undefined || value === null
    ? ""
    : typeof value === "string"
      ? value
      : JSON.stringify(value);
}

function quoted(value: string, filter: string | undefined): string {
  if (filter === undefined) return value;
  if (filter === "json") return JSON.stringify(value).slice(1, -1).replace(/\//g, "\\/");
  if (filter === "url") return encodeURIComponent(value);
  if (filter === "html") {
    return value
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }
  const n = Number(filter.slice("cut:".length));
  return value.length > n ? `${value.slice(0, n)}...` : value;
}

/** `message` with its placeholders filled from the raw request body (not JSON: every field is ""). */
export function quoteRequest(message: string, bodyText: string): string {
  if (!message.includes("{")) return message;
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  return message.replace(PLACEHOLDER, (_all, path: string, filter: string | undefined) =>
    quoted(fieldOf(body, path), filter),
  );
}
