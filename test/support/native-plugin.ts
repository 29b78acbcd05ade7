// The native plugin as a user installs it: the tarball `npm run build` writes, put into a PULUMI_HOME by
// `pulumi plugin install resource everflow <version> --file <tarball>`, where the engine finds it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PLUGIN, tarballPath } from "../../scripts/build-plugin";
import { packageJsonVersion } from "../../scripts/gen-schema";
import { run, type Run } from "../../scripts/packed-project";

/** The package version: the plugin's, the schema's and the SDKs'. */
export const PLUGIN_VERSION = packageJsonVersion();
/** The native face's resource type. */
export const NATIVE_POSTBACK = "everflow:index:Postback";

/** The plugin tarball of the last `npm run build`. */
export function pluginTarball(): string {
  const tarball = tarballPath(PLUGIN_VERSION);
  if (!fs.existsSync(tarball)) throw new Error(`${tarball} is missing: run \`npm run build\` first`);
  return tarball;
}

/** `pulumi plugin install` of the tarball into the PULUMI_HOME of `env` (never rejects; check the code). */
export function installPlugin(env: NodeJS.ProcessEnv): Promise<Run> {
  return run(
    "pulumi",
    ["plugin", "install", "resource", "everflow", PLUGIN_VERSION, "--file", pluginTarball()],
    { cwd: os.tmpdir(), env, timeoutMs: 120_000 },
  );
}

/** Where `pulumi plugin install` puts the plugin's executable in a PULUMI_HOME. */
export function installedPlugin(home: string): string {
  return path.join(home, "plugins", `resource-everflow-v${PLUGIN_VERSION}`, PLUGIN);
}
