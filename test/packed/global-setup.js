// Once per `npm run test:packed`: pack the package as `npm publish` would (after `npm run build`), and
// resolve the Pulumi CLI (building the engine and the Node language host on a first run) before the
// workers start, so that parallel workers neither pack nor build twice.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const repoRoot = path.resolve(__dirname, "..", "..");

module.exports = async function globalSetup() {
  const cliPath = execFileSync(path.join(repoRoot, "scripts", "ensure-pulumi"), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  process.env.PULUMI_EVERFLOW_TEST_CLI = cliPath;

  if (process.env.PULUMI_EVERFLOW_TARBALL) return;
  if (!fs.existsSync(path.join(repoRoot, "dist", "sdk", "index.js"))) {
    throw new Error("dist/ is missing: run `npm run build` first (npm run test:packed does)");
  }
  const dest = path.join(repoRoot, "test", ".work", "packed");
  fs.mkdirSync(dest, { recursive: true });
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dest], {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [{ filename }] = JSON.parse(out);
  process.env.PULUMI_EVERFLOW_TARBALL = path.join(dest, filename);
};
