/**
 * Macros the API reference names for postback URLs (docs/everflow-api.md). The full list is not public in one place, so a macro
 * outside this list earns a warning, never an error.
 */
export const KNOWN_MACROS: ReadonlySet<string> = new Set([
  "transaction_id",
  "offer_id",
  "sub1",
  "sub2",
  "sub3",
  "sub4",
  "sub5",
  "revenue",
  "event_id",
  "event_name",
  "sale_amount",
  "payout_amount",
]);

/** The `{name}` macros of a URL that Everflow does not document, in order of appearance, each once. */
export function unknownMacros(url: string): string[] {
  const names = [...url.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? "");
  return [...new Set(names.filter((name) => !KNOWN_MACROS.has(name)))];
}

/** The warning about a URL's undocumented macros, or undefined when it uses none. */
export function macroWarning(url: string): string | undefined {
  const unknown = unknownMacros(url);
  if (unknown.length === 0) return undefined;
  const list = unknown.map((m) => `{${m}}`).join(", ");
  return `postbackUrl uses macros Everflow does not document: ${list}; check their spelling`;
}
