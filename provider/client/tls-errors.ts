// TLS failures: which errors are the TLS handshake refusing the server (or the server refusing us), so
// that they are named as such, with the base URL, and never retried: a certificate does not heal.
//
// Whether such a failure sent anything is not decided here but by the phase it happened in (see
// `written` in transport.ts): a handshake comes before the request is written, whatever its code.

/** OpenSSL's certificate verification errors, as Node reports them (docs: "X509 certificate error codes"). */
export const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_CRL",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECRYPT_CRL_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CRL_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "CRL_NOT_YET_VALID",
  "CRL_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "ERROR_IN_CRL_LAST_UPDATE_FIELD",
  "ERROR_IN_CRL_NEXT_UPDATE_FIELD",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
  // Node's own check of the name against the certificate's subjectAltName.
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

export type TlsFailure = "certificate" | "handshake";

/**
 * "certificate" when the server's certificate was rejected, "handshake" when the TLS handshake failed
 * otherwise (no common protocol or cipher, an alert, a server that does not speak TLS), else undefined.
 */
export function tlsFailure(code: string | undefined): TlsFailure | undefined {
  if (code === undefined) return undefined;
  if (CERTIFICATE_CODES.has(code)) return "certificate";
  // OpenSSL's errors (ERR_SSL_WRONG_VERSION_NUMBER, ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE, ...), Node's
  // TLS errors, and EPROTO, which older Nodes give for the same failures.
  if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_") || code === "EPROTO") return "handshake";
  return undefined;
}

/** The reason of an OpenSSL error (`wrong version number`) rather than its whole stack line. */
export function tlsReason(err: { message?: unknown; reason?: unknown }): string {
  if (typeof err.reason === "string" && err.reason.trim() !== "") return err.reason;
  return typeof err.message === "string" ? err.message : "TLS failure";
}
