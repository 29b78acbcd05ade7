// Regenerates the SDKs of the native plugin from its package schema (provider/native/schema.json,
// written by gen-schema.ts first: `npm run gen:sdks` runs both), with Pulumi's own generators linked
// into scripts/gen-sdk (built and cached by `scripts/ensure-pulumi --gen-sdk`):
//
//   sdk/python/          the Python package pulumi_everflow (pip-installable)
//   sdk/go/everflow/     the Go package, in the module of sdk/go/go.mod (kept by hand, like go.sum)
//
// The SDKs are committed; CI regenerates them and fails when that changes a file.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT, SCHEMA_PATH } from "./gen-schema";

const SDK = path.join(REPO_ROOT, "sdk");

function genSdkBinary(): string {
  return execFileSync(path.join(REPO_ROOT, "scripts", "ensure-pulumi"), ["--gen-sdk"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

export function generateSdks(): void {
  const genSdk = genSdkBinary();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "everflow-sdks-"));
  try {
    const python = path.join(scratch, "python");
    const go = path.join(scratch, "go");
    execFileSync(
      genSdk,
      ["--schema", SCHEMA_PATH, "--language", "python", "--out", python, "--language", "go", "--out", go],
      {
        stdio: "inherit",
      },
    );
    replaceDir(python, path.join(SDK, "python"));
    // gen-sdk writes the package under go/everflow; the module files beside it are not generated.
    replaceDir(path.join(go, "everflow"), path.join(SDK, "go", "everflow"));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** `target` becomes a copy of `source`: no file of an older schema survives. */
function replaceDir(source: string, target: string): void {
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.cpSync(source, target, { recursive: true });
}

if (require.main === module) {
  generateSdks();
  console.log("wrote sdk/python and sdk/go/everflow");
}
