import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * What a command needs from its surroundings. `main` takes it as a parameter so that tests run commands
 * in-process and capture their output; the binary passes the real process streams.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The environment the command reads (and passes to the Pulumi CLI). */
  env: NodeJS.ProcessEnv;
  /** The directory relative paths are resolved against. */
  cwd: string;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Exit codes of every command: documented in `pulumi-everflow --help`. */
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
/** `drift` only: a postback differs from its declaration, or is missing. */
export const EXIT_DRIFT = 2;

/** A failure to report as one line on stderr, exit code 1. The message never holds a secret. */
export class CliError extends Error {
  override readonly name: string = "CliError";
}

/** A bad command line: reported with a pointer to `--help`, exit code 1. */
export class UsageError extends CliError {
  override readonly name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;
type StrictConfig<O extends Options> = { args: string[]; options: O; strict: true; allowPositionals: false };
export type Flags<O extends Options> = ReturnType<typeof parseArgs<StrictConfig<O>>>["values"];

/**
 * Strict `node:util` parseArgs (unknown options, missing values and positionals are errors), with the
 * error turned into a one-line {@link UsageError}. Empty option values are refused too.
 */
export function parseFlags<O extends Options>(argv: readonly string[], options: O): Flags<O> {
  let parsed;
  try {
    const config: StrictConfig<O> = { args: [...argv], options, strict: true, allowPositionals: false };
    parsed = parseArgs(config);
  } catch (error) {
    throw new UsageError(firstSentence(messageOf(error)));
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === "string" && value.trim() === "")
      throw new UsageError(`option '--${name}' needs a value`);
  }
  return parsed.values;
}

/** Node's parseArgs messages go on with advice about `--`; the first sentence is the useful part. */
function firstSentence(message: string): string {
  const cut = message.search(/\.\s/);
  const sentence = cut === -1 ? message : message.slice(0, cut);
  return sentence.replace(/\.$/, "").replace(/^./, (c) => c.toLowerCase());
}

/** One line: newlines and runs of whitespace collapsed (engine and API messages span lines). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * The message of anything thrown. Checked by shape, not `instanceof Error`: errors of Node's own modules
 * come from another realm under test runners.
 */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === "string" ? message : String(error);
}
