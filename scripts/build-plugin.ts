// Builds the native plugin: one self-contained JavaScript file (the native face with everything it
// loads: grpc-js, the engine's protos, undici, zod), and the plugin tarball that
// `pulumi plugin install resource everflow <version> --file <tarball>` installs:
//
//   dist/plugin/pulumi-resource-everflow.js                          (also the npm package's bin)
//   dist/plugin/pulumi-resource-everflow                             (the launcher: dist/plugin is a
//                                                                     plugin folder, as Pulumi.yaml's
//                                                                     plugins.providers path names it)
//   dist/plugin/pulumi-resource-everflow-v<version>-linux-amd64.tar.gz
//     pulumi-resource-everflow       a POSIX sh launcher: finds node on PATH, checks its version
//     pulumi-resource-everflow.js    the bundle
//
// Why a bundle: users of Pulumi YAML, Python or Go have no node_modules, and the plugin must not depend
// on which @pulumi/pulumi a Node project installed. Why a launcher: the engine runs the plugin as an
// executable, and a missing or old Node.js must fail in one line that says so, before Node parses
// anything. The version comes from package.json, like the schema's and the SDKs'.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";
import { MIN_NODE_VERSION } from "../provider/core/node-support";
import { packageJsonVersion, REPO_ROOT } from "./gen-schema";

export const PLUGIN = "pulumi-resource-everflow";
export const PLUGIN_DIR = path.join(REPO_ROOT, "dist", "plugin");

export function tarballPath(version = packageJsonVersion()): string {
  return path.join(PLUGIN_DIR, `${PLUGIN}-v${version}-linux-amd64.tar.gz`);
}

/** The launcher: one line on stderr and exit 1 without a Node.js of the supported versions. */
function launcher(): string {
  const [major, minor, patch] = MIN_NODE_VERSION.split(".").map(Number);
  // ES5 on purpose: it must run on any Node.js to tell an old one that it is too old.
  const check =
    `var v=process.versions.node.split(".").map(Number);` +
    `process.exit(v[0]>${major}||v[0]==${major}&&(v[1]>${minor}||v[1]==${minor}&&v[2]>=${patch})?0:3)`;
  const need = `${PLUGIN}: needs Node.js ${MIN_NODE_VERSION} or later on PATH`;
  return `#!/bin/sh
# The Everflow provider plugin for Pulumi: runs the bundle beside it with the node on PATH.
dir=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null 2>&1; then
  echo "${need}, and there is none; install Node.js 22 or 24" >&2
  exit 1
fi
if ! node -e '${check}' 2>/dev/null; then
  echo "${need}, but $(command -v node) is $(node --version 2>/dev/null || echo 'unknown'); install Node.js 22 or 24" >&2
  exit 1
fi
exec node "$dir/${PLUGIN}.js" "$@"
`;
}

export async function buildPlugin(): Promise<string> {
  fs.mkdirSync(PLUGIN_DIR, { recursive: true });
  const bundle = path.join(PLUGIN_DIR, `${PLUGIN}.js`);
  await build({
    entryPoints: [path.join(REPO_ROOT, "provider", "native", "main.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile: bundle,
    // Smaller, with names kept: a stack trace of the plugin still reads.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    logLevel: "warning",
    // The bundle has no package.json beside it: its version (the User-Agent's) is built in.
    define: { "process.env.PULUMI_EVERFLOW_BUNDLED_VERSION": JSON.stringify(packageJsonVersion()) },
  });
  fs.chmodSync(bundle, 0o755);
  fs.writeFileSync(path.join(PLUGIN_DIR, PLUGIN), launcher(), { mode: 0o755 });
  const stage = fs.mkdtempSync(path.join(PLUGIN_DIR, ".stage-"));
  try {
    fs.copyFileSync(bundle, path.join(stage, `${PLUGIN}.js`));
    fs.writeFileSync(path.join(stage, PLUGIN), launcher(), { mode: 0o755 });
    const tarball = tarballPath();
    for (const old of fs.readdirSync(PLUGIN_DIR)) {
      if (old.endsWith(".tar.gz")) fs.rmSync(path.join(PLUGIN_DIR, old));
    }
    execFileSync("tar", ["-czf", tarball, "-C", stage, PLUGIN, `${PLUGIN}.js`]);
    return tarball;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

if (require.main === module) {
  buildPlugin().then(
    // On stderr: `npm pack --json` (prepack builds) prints its JSON on stdout.
    (tarball) => console.error(`wrote ${path.relative(REPO_ROOT, tarball)}`),
    (error: unknown) => {
      console.error(`build-plugin: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
