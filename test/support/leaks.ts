// Looking for secrets where they must not be: every text a run produced (its output, its event log, a
// stack export, the backend's files), searched for each secret in every form a writer may have put it
// in. A secret that leaked through an encoder is still a leak: a URL quoted in JSON by Node
// (`\/`), by Go's encoder (`\u0026` for `&`), percent-encoded, or HTML-escaped.

/** The forms of `secret` to look for: as is, and as each common encoder writes it. */
export function encodedForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const goJson = json.replace(/&/g, "\\u0026").replace(/</g, "\\u003c").replace(/>/g, "\\u003e");
  const html = secret
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
  // What the emulator's escape quirk returns (three characters only), and that form in JSON.
  const quirk = secret.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
  const forms = [
    secret,
    json,
    json.replace(/\//g, "\\/"),
    goJson,
    encodeURIComponent(secret),
    encodeURI(secret),
    html,
    quirk,
    JSON.stringify(quirk).slice(1, -1),
    JSON.stringify(quirk).slice(1, -1).replace(/&/g, "\\u0026"),
  ];
  return [...new Set(forms)];
}

export interface Seen {
  where: string;
  text: string;
}

/** Every place a form of a secret shows up, as `where: secret (form)`; empty when none. */
export function leaksIn(seen: readonly Seen[], secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (const form of encodedForms(secret)) {
      for (const s of seen) {
        if (s.text.includes(form)) {
          found.push(`${s.where}: ${secret}${form === secret ? "" : ` (as ${JSON.stringify(form)})`}`);
        }
      }
    }
  }
  return [...new Set(found)];
}
