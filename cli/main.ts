#!/usr/bin/env node
// First: on an unsupported Node.js, one line and exit 1, before undici loads.
import "./supported-node";
import { resetClientRegistry } from "../provider/client";
import { adopt, ADOPT_USAGE } from "./adopt";
import { CliError, EXIT_ERROR, EXIT_OK, messageOf, oneLine, processIo, UsageError, type CliIo } from "./args";
import { drift, DRIFT_USAGE } from "./drift";
import { recover, RECOVER_USAGE } from "./recover";

export const MAIN_HELP = `usage: pulumi-everflow <command> [options]

Commands:
  drift   report postbacks of a stack whose live values in Everflow differ from their declaration as
          last applied by \`pulumi up\` (a refresh-only preview; changes nothing)
  adopt   write a stack program that declares, and imports, every postback of an Everflow account
  recover after a \`pulumi up\` killed mid-create, record the postbacks it created (instead of creating
          them again) and clear the creates that never happened

Run \`pulumi-everflow <command> --help\` for a command's options.

Exit codes: 0 success (drift: no drift), 1 error (bad flags included), 2 drift found (drift only).
`;

const COMMANDS: Record<
  string,
  { run: (argv: readonly string[], io: CliIo) => Promise<number>; usage: string }
> = {
  drift: { run: drift, usage: DRIFT_USAGE },
  adopt: { run: adopt, usage: ADOPT_USAGE },
  recover: { run: recover, usage: RECOVER_USAGE },
};

/**
 * Runs one command and resolves with its exit code; never throws and never exits the process. Errors
 * are one line on stderr: `pulumi-everflow <command>: <message>`.
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = { ...processIo(), ...io };
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? full.stderr : full.stdout)(MAIN_HELP);
    return name === undefined ? EXIT_ERROR : EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    full.stderr(
      `pulumi-everflow: unknown command ${JSON.stringify(name)} (commands: drift, adopt, recover; see --help)\n`,
    );
    return EXIT_ERROR;
  }
  try {
    return await command.run(rest, full);
  } catch (error) {
    if (error instanceof UsageError) {
      full.stderr(`pulumi-everflow ${name}: ${error.message}; ${command.usage} (see --help)\n`);
    } else if (error instanceof CliError) {
      full.stderr(`pulumi-everflow ${name}: ${error.message}\n`);
    } else {
      const message = messageOf(error);
      full.stderr(`pulumi-everflow ${name}: unexpected error: ${oneLine(message)}\n`);
    }
    return EXIT_ERROR;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then(async (code) => {
    // Close the API client's keep-alive connections so that the process ends now.
    await resetClientRegistry();
    process.exitCode = code;
  });
}
