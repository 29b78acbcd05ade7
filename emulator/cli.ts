#!/usr/bin/env node
// everflow-emulator: run the Everflow affiliate postback API emulator from the command line.
// Prints the base URL (with /v1) alone on the first line of stdout, then runs until SIGINT, SIGTERM or
// SIGHUP, or until the process that started it is gone.

import { parseArgs } from "node:util";

import { startEmulator, type EmulatorHandle, type EmulatorOptions } from "./index";
import { PAGING_QUIRK_NAMES, type PagingQuirks } from "./paging";
import {
  ANSWER_SCOPES,
  METHOD_DEFAULT_FIELDS,
  Quirks,
  TRUNCATED_FIELDS,
  type AnswerScope,
  type LengthLimits,
  type MethodDefaults,
  type QuirkOptions,
} from "./quirks";
import { DELIVERY_METHODS } from "./types";

export const USAGE = `Usage: everflow-emulator [options]

Options:
  --port N               port to listen on (default 8787; 0 = any free port)
  --host HOST            address to listen on (default 127.0.0.1)
  --api-key KEY          an affiliate API key (repeatable; default $EVERFLOW_API_KEY, else "test-api-key")
  --affiliate-id N       affiliate id of the keys (default 7)
  --network-id N         network id of the keys (default 1)
  --account A[/N]=KEY    an affiliate API key of affiliate A in network N (default the --network-id),
                         for several affiliates in one emulator (repeatable; without --api-key, no
                         default key is added)
  --network-key KEY      a network API key: 403 "Out of realm" on affiliate routes (repeatable)
  --rate N               rate limit: requests per second per network (default 5)
  --burst N              rate limit: bucket size (default 20)
  --latency-ms N         added latency on every response (default 0)
  --jitter-ms N          random extra latency, 0..N ms (default 0)
  --creation-disabled    POST /v1/affiliates/pixels answers 403
  --paging SWITCH[=N]    a paging anomaly of the list route (repeatable): alwaysPaged, zeroBased,
                         repeatFirstPage, duplicateAcrossPages, endless, totalOffset=N, shortPages=N,
                         maxPageSize=N

Quirks: how Everflow may store and return postbacks (all off by default). SCOPE names the answers that
show a returned form: "reads" (GET list, GET one, pixelstable) or "all" (the POST/PUT answers too).
  --escape SCOPE         & < " of postback_url and html_code are HTML-escaped in those answers
  --mask-access-token-in SCOPE
                         facebook_pixel.access_token is returned as "****" + its last 4 in those answers
  --mask-access-token    the same as --mask-access-token-in all
  --truncate FIELD=N     FIELD (postback_url, html_code) is cut to N characters when stored (repeatable)
  --method-default METHOD.FIELD=N
                         METHOD (postback, html, facebook) stores FIELD (delay_ms,
                         network_offer_payout_revenue_id) as N whatever was sent (repeatable)
  --stored-form SCOPE    answers that show the form --truncate/--method-default stored: "all" (default)
                         or "reads" (POST/PUT answers echo the request; the next read shows the change)

  -h, --help             show this help

Out-of-band routes (not Everflow's API: no key, no rate limit, not in the request log), for what
someone does in the Everflow UI. Under http://HOST:PORT/_emulator:
  GET /pixels                 every pixel of every affiliate, as stored
  GET | DELETE /pixels/ID     one pixel as stored; delete it
  PATCH /pixels/ID            change fields (a shallow merge of wire fields; time_saved is bumped), e.g.
    curl -X PATCH -d '{"delay_ms": 5000}' http://127.0.0.1:8787/_emulator/pixels/1000
`;

export class UsageError extends Error {}

/** An error's message (duck-typed: errors from node:util may come from another realm under jest). */
function messageOf(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : String(err);
}

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  /**
   * Resolves when the emulator should stop, with the reason if one is worth reporting (default: on
   * SIGINT, SIGTERM or SIGHUP, or once the parent process is gone). Called just before the URL is
   * printed, so that a signal sent by whoever reads that line is never missed.
   */
  waitForStop(handle: EmulatorHandle): Promise<string | void>;
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`--${name} must be a number > 0, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Parse the command line into emulator options; throws UsageError on a bad flag. `help` is set for -h. */
export function parseCli(
  argv: string[],
  env: Record<string, string | undefined>,
): { help: true } | { help: false; options: EmulatorOptions } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "api-key": { type: "string", multiple: true },
        "affiliate-id": { type: "string" },
        "network-id": { type: "string" },
        "network-key": { type: "string", multiple: true },
        account: { type: "string", multiple: true },
        rate: { type: "string" },
        burst: { type: "string" },
        "latency-ms": { type: "string" },
        "jitter-ms": { type: "string" },
        "creation-disabled": { type: "boolean" },
        "mask-access-token": { type: "boolean" },
        "mask-access-token-in": { type: "string" },
        paging: { type: "string", multiple: true },
        escape: { type: "string" },
        truncate: { type: "string", multiple: true },
        "method-default": { type: "string", multiple: true },
        "stored-form": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new UsageError(messageOf(err));
  }
  if (values.help) return { help: true };

  const max = Number.MAX_SAFE_INTEGER;
  const networkId = integer("network-id", values["network-id"], 1, 1, max);
  const affiliateId = integer("affiliate-id", values["affiliate-id"], 7, 1, max);
  const envKey = env.EVERFLOW_API_KEY?.trim();
  const others = (values.account ?? []).map((raw) => parseAccount(raw, networkId));
  const keys =
    values["api-key"] ??
    (others.length > 0 ? [] : [envKey !== undefined && envKey !== "" ? envKey : "test-api-key"]);
  for (const key of [...keys, ...(values["network-key"] ?? [])]) {
    if (key.trim() === "") throw new UsageError("--api-key and --network-key must not be empty");
  }
  const allKeys = [...keys, ...others.map((a) => a.apiKey), ...(values["network-key"] ?? [])];
  if (new Set(allKeys).size !== allKeys.length) {
    throw new UsageError("the same key was given twice");
  }
  const host = values.host ?? "127.0.0.1";
  if (host.trim() === "") throw new UsageError("--host must not be empty");

  return {
    help: false,
    options: {
      port: integer("port", values.port, 8787, 0, 65535),
      host,
      accounts: [
        ...keys.map((apiKey, i) => ({
          apiKey,
          networkId,
          affiliateId,
          label: keys.length > 1 ? `affiliate:${affiliateId}#${i + 1}` : `affiliate:${affiliateId}`,
        })),
        ...others,
      ],
      networkKeys: (values["network-key"] ?? []).map((apiKey, i) => ({
        apiKey,
        networkId,
        label: `network:${networkId}#${i + 1}`,
      })),
      rateLimit: {
        rate: positive("rate", values.rate, 5),
        burst: integer("burst", values.burst, 20, 1, max),
      },
      latency: {
        fixedMs: integer("latency-ms", values["latency-ms"], 0, 0, max),
        jitterMs: integer("jitter-ms", values["jitter-ms"], 0, 0, max),
      },
      creationDisabled: values["creation-disabled"] ?? false,
      maskAccessToken: parseMask(values["mask-access-token"] ?? false, values["mask-access-token-in"]),
      paging: parsePaging(values.paging ?? []),
      quirks: parseQuirks(values),
    },
  };
}

function scope(flag: string, raw: string): AnswerScope {
  if (!(ANSWER_SCOPES as readonly string[]).includes(raw)) {
    throw new UsageError(`--${flag} must be ${ANSWER_SCOPES.join(" or ")}, got ${JSON.stringify(raw)}`);
  }
  return raw as AnswerScope;
}

function parseMask(all: boolean, raw: string | undefined): false | AnswerScope {
  if (raw === undefined) return all ? "all" : false;
  if (all) throw new UsageError("give --mask-access-token or --mask-access-token-in, not both");
  return scope("mask-access-token-in", raw);
}

/** `NAME=N` with N an integer >= 0; `what` names the flag and the form expected in errors. */
function assignment(flag: string, form: string, raw: string): [string, number] {
  const match = /^([^=]+)=(\d+)$/.exec(raw.trim());
  if (!match || !Number.isSafeInteger(Number(match[2]))) {
    throw new UsageError(`--${flag} must be ${form} with N an integer >= 0, got ${JSON.stringify(raw)}`);
  }
  return [match[1]!, Number(match[2])];
}

function oneOfNames(flag: string, what: string, name: string, allowed: readonly string[]): void {
  if (!allowed.includes(name)) {
    throw new UsageError(`--${flag}: unknown ${what} ${JSON.stringify(name)} (${allowed.join(", ")})`);
  }
}

/** The quirk flags as `QuirkOptions` (only the switches given), checked as the emulator checks them. */
function parseQuirks(values: {
  escape?: string;
  truncate?: string[];
  "method-default"?: string[];
  "stored-form"?: string;
}): QuirkOptions {
  const quirks: QuirkOptions = {};
  if (values.escape !== undefined) quirks.escape = scope("escape", values.escape);
  if (values["stored-form"] !== undefined) quirks.storedForm = scope("stored-form", values["stored-form"]);
  const truncate: LengthLimits = {};
  for (const raw of values.truncate ?? []) {
    const [field, max] = assignment("truncate", "FIELD=N", raw);
    oneOfNames("truncate", "field", field, TRUNCATED_FIELDS);
    if (field in truncate) throw new UsageError(`--truncate ${field} was given twice`);
    truncate[field as keyof LengthLimits] = max;
  }
  if (Object.keys(truncate).length > 0) quirks.truncate = truncate;
  const defaults: Record<string, Record<string, number>> = {};
  for (const raw of values["method-default"] ?? []) {
    const [target, value] = assignment("method-default", "METHOD.FIELD=N", raw);
    const dot = target.indexOf(".");
    const [method, field] = dot < 0 ? [target, ""] : [target.slice(0, dot), target.slice(dot + 1)];
    oneOfNames("method-default", "delivery method", method, DELIVERY_METHODS);
    oneOfNames("method-default", "field", field, METHOD_DEFAULT_FIELDS);
    defaults[method] ??= {};
    if (field in defaults[method])
      throw new UsageError(`--method-default ${method}.${field} was given twice`);
    defaults[method][field] = value;
  }
  if (Object.keys(defaults).length > 0) quirks.methodDefaults = defaults as MethodDefaults;
  try {
    new Quirks(quirks);
  } catch (err) {
    throw new UsageError(messageOf(err));
  }
  return quirks;
}

/** `--paging zeroBased --paging maxPageSize=50` → { zeroBased: true, maxPageSize: 50 }. */
function parsePaging(flags: string[]): Partial<PagingQuirks> {
  const out: Record<string, boolean | number> = {};
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    const [name, raw] = eq < 0 ? [flag, undefined] : [flag.slice(0, eq), flag.slice(eq + 1)];
    if (!(PAGING_QUIRK_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(
        `--paging: unknown switch ${JSON.stringify(name)} (${PAGING_QUIRK_NAMES.join(", ")})`,
      );
    }
    const numeric = name === "totalOffset" || name === "shortPages" || name === "maxPageSize";
    if (numeric !== (raw !== undefined) || (numeric && !/^-?\d+$/.test(raw!))) {
      throw new UsageError(
        numeric ? `--paging ${name} needs an integer: ${name}=N` : `--paging ${name} takes no value`,
      );
    }
    out[name] = numeric ? Number(raw) : true;
  }
  return out as Partial<PagingQuirks>;
}

/** `--account A[/N]=KEY`: affiliate A of network N (default `networkId`) holds KEY. */
function parseAccount(raw: string, networkId: number) {
  const match = /^(\d+)(?:\/(\d+))?=(.+)$/.exec(raw);
  if (!match || match[3]!.trim() === "") {
    throw new UsageError(
      `--account must be AFFILIATE[/NETWORK]=KEY, got ${JSON.stringify(raw.split("=")[0])}=...`,
    );
  }
  const max = Number.MAX_SAFE_INTEGER;
  const affiliateId = integer("account affiliate id", match[1], 0, 1, max);
  const network = integer("account network id", match[2], networkId, 1, max);
  return { apiKey: match[3]!, networkId: network, affiliateId, label: `affiliate:${affiliateId}` };
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const PARENT_POLL_MS = 500;

/**
 * Resolves with the reason to stop: SIGINT, SIGTERM or SIGHUP (the terminal went away), or the process
 * that started the emulator gone. The last is for wrappers that do not forward signals: `npx
 * everflow-emulator &` runs npm exec -> sh -c -> node, and killing npm's pid ends npm and the sh but
 * leaves node serving, re-parented. So the parent is polled (as the provider does in engine-cancel.ts),
 * and the emulator cannot outlive whoever started it. A parent of 1 at start (a daemon, pid 1 in a
 * container) never changes, so nothing is watched then.
 */
export function waitForStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const parent = process.ppid;
    const stop = (reason: string): void => {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
      clearInterval(poll);
      resolve(reason);
    };
    const onSignal = (signal: NodeJS.Signals): void => stop(signal);
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
    const poll = setInterval(() => {
      if (process.ppid !== parent) stop(`its parent process ${parent} exited`);
    }, PARENT_POLL_MS);
  });
}

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  waitForStop: () => waitForStopSignal(),
};

/** Run the CLI; resolves with the exit code (0 after a clean stop, 1 when it cannot start, 2 on bad flags). */
export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const { stdout, stderr, env, waitForStop } = { ...defaultIo, ...io };
  let parsed;
  try {
    parsed = parseCli(argv, env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    stderr(`everflow-emulator: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.help) {
    stdout(USAGE);
    return 0;
  }
  let handle: EmulatorHandle;
  try {
    handle = await startEmulator(parsed.options);
  } catch (err) {
    stderr(`everflow-emulator: cannot start: ${messageOf(err)}\n`);
    return 1;
  }
  // Watch for the stop before printing the URL: whoever reads that line may signal at once.
  const stopped = waitForStop(handle);
  stdout(`${handle.url}\n`);
  const { rateLimit, accounts } = parsed.options;
  stderr(
    `everflow-emulator: listening on ${handle.url} (${accounts?.length ?? 0} affiliate key(s), ` +
      `rate ${rateLimit?.rate}/s burst ${rateLimit?.burst}); out-of-band edits: PATCH ` +
      `${handle.adminUrl}/pixels/{id}; Ctrl-C to stop\n`,
  );
  const reason = await stopped;
  if (reason) stderr(`everflow-emulator: stopping (${reason})\n`);
  await handle.stop();
  return 0;
}

if (require.main === module) {
  // Once the parent is gone its end of a stdout/stderr pipe may be too: a failed write must not stop
  // the clean stop.
  process.stdout.on("error", () => undefined);
  process.stderr.on("error", () => undefined);
  void main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`everflow-emulator: ${messageOf(err)}\n`);
      process.exit(1);
    },
  );
}
