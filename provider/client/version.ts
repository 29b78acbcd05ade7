// The package version, for the default User-Agent. Found by walking up from this file to the nearest
// package.json named pulumi-everflow, so that it works from the sources (provider/client), from the
// build (dist/provider/client) and from an installed copy (node_modules/pulumi-everflow/dist/...).

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const PACKAGE_NAME = "pulumi-everflow";

let cached: string | undefined;

/**
 * Set by scripts/build-plugin.ts in the plugin's bundle (esbuild's `define`), which has no package.json
 * beside it; undefined everywhere else.
 */
const BUNDLED_VERSION = process.env.PULUMI_EVERFLOW_BUNDLED_VERSION;

export function packageVersion(startDir: string = __dirname): string {
  if (startDir === __dirname && BUNDLED_VERSION) return BUNDLED_VERSION;
  if (startDir === __dirname && cached !== undefined) return cached;
  let dir = startDir;
  let version = "0.0.0";
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === "string") {
        version = pkg.version;
        break;
      }
    } catch {
      // No (readable) package.json here: keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (startDir === __dirname) cached = version;
  return version;
}

export function defaultUserAgent(): string {
  return `${PACKAGE_NAME}/${packageVersion()}`;
}
