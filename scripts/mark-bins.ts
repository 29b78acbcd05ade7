import * as fs from "node:fs";
import * as path from "node:path";

// `tsc` writes the package's bin files without the execute bit. `npm install` of the tarball sets it for
// users, but in this checkout `npm exec everflow-emulator` runs dist/ as it is (through a link npm made
// once, when it last set the bit): a rebuild without this step leaves "Permission denied".

const root = path.resolve(__dirname, "..", "..");
const bin = (
  JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { bin: Record<string, string> }
).bin;
for (const file of Object.values(bin)) {
  const full = path.join(root, file);
  if (fs.existsSync(full)) fs.chmodSync(full, 0o755);
}
