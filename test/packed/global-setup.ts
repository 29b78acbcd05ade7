// Once per `npm run test:packed`: pack the package as `npm publish` would (after `npm run build`), and
// resolve the Pulumi CLI (building the engine and the Node language host on a first run) before the
// workers start, so that parallel workers neither pack nor build twice.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { packTarball } from "../../scripts/packed-project";

const repoRoot = path.resolve(__dirname, "..", "..");

export default function globalSetup(): void {
  const cliPath = execFileSync(path.join(repoRoot, "scripts", "ensure-pulumi"), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  process.env.PULUMI_EVERFLOW_TEST_CLI = cliPath;

  process.env.PULUMI_EVERFLOW_TARBALL ||= packTarball(
    repoRoot,
    path.join(repoRoot, "test", ".work", "packed"),
  );
}
