/**
 * The oldest Node.js this package runs on: undici 7 (the HTTP client) needs 20.18.1 and fails on older
 * releases with a ReferenceError from deep inside it. Kept equal to package.json's `engines.node` (a
 * unit test checks). This module must load nothing else, so that the check runs before undici does.
 */
export const MIN_NODE_VERSION = "20.18.1";

function parts(version: string): number[] {
  return version
    .replace(/^v/, "")
    .split(/[.+-]/)
    .slice(0, 3)
    .map((p) => Number(p));
}

/** The one-line explanation when `version` is older than MIN_NODE_VERSION; undefined when it is supported. */
export function unsupportedNodeMessage(version: string = process.versions.node): string | undefined {
  const have = parts(version);
  const need = parts(MIN_NODE_VERSION);
  for (let i = 0; i < need.length; i++) {
    const h = have[i] ?? 0;
    const n = need[i] ?? 0;
    if (Number.isNaN(h) || h > n) return undefined;
    if (h < n) {
      return (
        `pulumi-everflow needs Node.js ${MIN_NODE_VERSION} or later, but this is Node.js ${version.replace(/^v/, "")} ` +
        `(${process.execPath}); install a maintained Node.js (22 or 24) and run again`
      );
    }
  }
  return undefined;
}

/** Raised at load time on an unsupported Node.js; its stack is its one-line message. */
export class UnsupportedNodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedNodeError";
    // The dynamic provider host prints `${error}: ${error.stack}`: with these two, that is one line,
    // "UnsupportedNodeError: <message>", not the message twice over a list of frames.
    this.stack = message;
  }

  override toString(): string {
    return this.name;
  }
}

/** Throws UnsupportedNodeError on an unsupported Node.js. */
export function assertSupportedNode(version: string = process.versions.node): void {
  const message = unsupportedNodeMessage(version);
  if (message !== undefined) throw new UnsupportedNodeError(message);
}
