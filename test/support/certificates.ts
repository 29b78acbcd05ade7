// Certificates for TLS tests, made fresh by `openssl` in a temporary directory (nothing checked in to
// expire): a CA, leaves it signs for given names, expired ones, and self-signed ones.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface KeyPair {
  key: string;
  cert: string;
}

export interface LeafOptions {
  /** Validity in days from now; negative makes a certificate that has already expired. Default 2. */
  days?: number;
}

export interface TestPki {
  ca: KeyPair;
  /** A server certificate for `names` (DNS names and IP addresses), signed by `ca`. */
  leaf(names: string[], options?: LeafOptions): KeyPair;
  /** A server certificate for `names` that signs itself. */
  selfSigned(names: string[]): KeyPair;
  /** Remove the temporary directory. */
  dispose(): void;
}

const CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = pulumi-everflow test
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
`;

function subjectAltName(names: string[]): string {
  return names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(",");
}

function leafExtensions(names: string[]): string {
  return [
    "[leaf_ext]",
    "basicConstraints = CA:FALSE",
    "keyUsage = critical,digitalSignature",
    "extendedKeyUsage = serverAuth",
    `subjectAltName = ${subjectAltName(names)}`,
    "",
  ].join("\n");
}

export function testPki(name = "Test CA"): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "everflow-pki-"));
  const config = join(dir, "openssl.cnf");
  let serial = 0;
  const openssl = (...args: string[]): void => {
    try {
      execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? "";
      throw new Error(`openssl ${args[0]} failed (the TLS tests need the openssl command): ${stderr}`, {
        cause: err,
      });
    }
  };
  const read = (base: string): KeyPair => ({
    key: readFileSync(join(dir, `${base}.key`), "utf8"),
    cert: readFileSync(join(dir, `${base}.crt`), "utf8"),
  });
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

  writeFileSync(config, CONFIG);
  openssl(
    "req",
    "-x509",
    "-config",
    config,
    "-extensions",
    "ca_ext",
    ...newKey,
    "-subj",
    `/CN=${name}`,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
  );

  return {
    ca: read("ca"),
    leaf(names, options = {}) {
      const base = `leaf${++serial}`;
      writeFileSync(join(dir, `${base}.ext`), leafExtensions(names));
      openssl(
        "req",
        "-new",
        "-config",
        config,
        ...newKey,
        "-subj",
        `/CN=${names[0]}`,
        "-keyout",
        `${base}.key`,
        "-out",
        `${base}.csr`,
      );
      openssl(
        "x509",
        "-req",
        "-in",
        `${base}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-set_serial",
        String(1000 + serial),
        "-days",
        String(options.days ?? 2),
        "-extfile",
        `${base}.ext`,
        "-extensions",
        "leaf_ext",
        "-out",
        `${base}.crt`,
      );
      return read(base);
    },
    selfSigned(names) {
      const base = `self${++serial}`;
      writeFileSync(join(dir, `${base}.cnf`), `${CONFIG}\n${leafExtensions(names)}`);
      openssl(
        "req",
        "-x509",
        "-config",
        `${base}.cnf`,
        "-extensions",
        "leaf_ext",
        ...newKey,
        "-subj",
        `/CN=${names[0]}`,
        "-keyout",
        `${base}.key`,
        "-out",
        `${base}.crt`,
        "-days",
        "2",
      );
      return read(base);
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
