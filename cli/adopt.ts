import * as fs from "node:fs";
import * as path from "node:path";
import { EVERFLOW_BASE_URL_US } from "../provider/client";
import { DEFAULT_ACCOUNT } from "../provider/core/schema";
import { CliError, EXIT_OK, messageOf, oneLine, parseFlags, UsageError, type CliIo } from "./args";
import { DEFAULT_PROJECT, generateProgram, LANGUAGES, type Language } from "./adopt-program";
import { accountClient } from "./everflow";

export const ADOPT_USAGE =
  "usage: pulumi-everflow adopt [--out FILE] [--language typescript|yaml|python] [--project NAME] [--account NAME] [--active-only]";

export const ADOPT_HELP = `${ADOPT_USAGE}

Lists every postback of an Everflow account and writes a stack program that declares each one, so that
an account built by hand comes under code in one step. The program imports each postback by its id:

  typescript  new Postback("postback-1234", { ...its current fields... }, { import: "1234" });
              (the Postback class of this package). The first \`pulumi up\` adopts each postback in its
              create (the preview shows creates) and writes to Everflow only where it differs from the
              declaration: run on an unchanged account, it writes nothing.
  yaml        a whole Pulumi.yaml (runtime: yaml; project name from --project) whose resources are
              type: everflow:index:Postback with options: import: "1234" (the native plugin,
              pulumi-resource-everflow). The engine imports each postback (the preview shows imports)
              and writes nothing; it refuses to import a postback that differs from its declaration.
  python      a __main__.py of pulumi_everflow.Postback(..., opts=pulumi.ResourceOptions(import_="1234"))
              (the generated Python SDK, the native plugin): imported as for yaml.

Without --language, the language follows the extension of --out (.ts typescript, .yaml or .yml yaml,
.py python), else typescript. Postbacks are sorted by id; the output is the same for the same account.

Facebook access tokens are never written: the program reads each from secret stack config
(\`facebookAccessToken<id>\`; the YAML program declares each in its config: section as a secret), and
the \`pulumi config set --secret\` commands to run are printed on stderr. Nor is a postback URL or HTML
code that holds a credential (a parameter such as api_key=, token=, secret=, or a URL with a password):
it is read from secret stack config too (\`postbackUrl<id>\`, \`htmlCode<id>\`), to be copied from
Everflow, so that no credential lands in the program's file. Inactive postbacks are declared with
pixelStatus "inactive" (keeping them under code keeps them off); --active-only leaves them out.

Options:
  --out FILE      write the program to FILE (default: stdout)
  --language L    typescript (default), yaml or python
  --project NAME  yaml: the project name in the written Pulumi.yaml (default ${DEFAULT_PROJECT})
  --account NAME  a named account: key from EVERFLOW_API_KEY_<NAME>, base URL from EVERFLOW_BASE_URL_<NAME>
                  (NAME upper-cased, - as _); the postbacks are declared with account: NAME
  --active-only   leave inactive postbacks out
  -h, --help      show this help

Environment: EVERFLOW_API_KEY (required), EVERFLOW_BASE_URL (default ${EVERFLOW_BASE_URL_US}),
EVERFLOW_MAX_ATTEMPTS, EVERFLOW_TIMEOUT_MS, EVERFLOW_REQUESTS_PER_SECOND, EVERFLOW_BURST;
HTTPS_PROXY, HTTP_PROXY and NO_PROXY as for the provider.

Exit codes: 0 written (also for an account without postbacks), 1 error (bad flags included).
`;

const ACCOUNT_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
const PROJECT_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

const EXTENSIONS: Record<string, Language> = {
  ".ts": "typescript",
  ".yaml": "yaml",
  ".yml": "yaml",
  ".py": "python",
};

/** --language, else the language --out's extension names, else typescript; a contradiction is refused. */
export function languageOf(flag: string | undefined, out: string | undefined): Language {
  const byExtension = out === undefined ? undefined : EXTENSIONS[path.extname(out).toLowerCase()];
  if (flag === undefined) return byExtension ?? "typescript";
  if (!(LANGUAGES as readonly string[]).includes(flag)) {
    throw new UsageError(`--language must be one of ${LANGUAGES.join(", ")}, got ${JSON.stringify(flag)}`);
  }
  const language = flag as Language;
  if (byExtension !== undefined && byExtension !== language) {
    throw new UsageError(`--out ${out} is a ${byExtension} file, but --language is ${language}`);
  }
  return language;
}

export async function adopt(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, {
    out: { type: "string" },
    language: { type: "string" },
    project: { type: "string" },
    account: { type: "string" },
    "active-only": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (flags.help) {
    io.stdout(ADOPT_HELP);
    return EXIT_OK;
  }
  const account = flags.account ?? DEFAULT_ACCOUNT;
  if (!ACCOUNT_NAME.test(account)) {
    throw new UsageError(`--account must start with a letter and hold only letters, digits, - and _`);
  }
  const language = languageOf(flags.language, flags.out);
  if (flags.project !== undefined && language !== "yaml") {
    throw new UsageError(`--project names the project of a YAML program: it needs --language yaml`);
  }
  if (flags.project !== undefined && !PROJECT_NAME.test(flags.project)) {
    throw new UsageError(`--project must hold only letters, digits, -, _ and . (a Pulumi project name)`);
  }
  const out = flags.out === undefined ? undefined : path.resolve(io.cwd, flags.out);
  if (out !== undefined && !isDirectory(path.dirname(out))) {
    throw new CliError(`cannot write ${out}: ${path.dirname(out)} is not a directory`);
  }

  const { client, baseUrl } = accountClient(account, io.env);
  let pixels;
  try {
    pixels = await client.list();
  } catch (error) {
    const why = oneLine(messageOf(error));
    throw new CliError(`cannot list the postbacks of account "${account}" at ${baseUrl}: ${why}`);
  }

  const program = generateProgram(pixels, {
    account,
    activeOnly: flags["active-only"] === true,
    language,
    ...(flags.project === undefined ? {} : { project: flags.project }),
  });
  if (out === undefined) {
    io.stdout(program.text);
  } else {
    try {
      fs.writeFileSync(out, program.text);
    } catch (error) {
      throw new CliError(`cannot write ${out}: ${oneLine(messageOf(error))}`);
    }
  }

  const where = out ?? "stdout";
  const n = program.ids.length;
  if (n === 0) {
    const none =
      program.skipped > 0 ? `no active postbacks (${program.skipped} inactive left out)` : "no postbacks";
    io.stderr(`adopt: account "${account}" has ${none}: wrote a program that declares none to ${where}\n`);
  } else {
    const details = [
      program.inactive > 0 ? `${program.inactive} inactive` : "",
      program.skipped > 0 ? `${program.skipped} inactive left out` : "",
    ].filter((s) => s !== "");
    io.stderr(
      `adopt: wrote ${n} postback${n === 1 ? "" : "s"} of account "${account}" to ${where}` +
        `${details.length > 0 ? ` (${details.join(", ")})` : ""}\n`,
    );
  }
  for (const warning of program.warnings) {
    io.stderr(`adopt: warning: ${warning}: fix the declaration before \`pulumi up\`\n`);
  }
  const tokens = program.secrets.filter((s) => s.what === "access token");
  if (tokens.length > 0) {
    io.stderr(
      "adopt: before `pulumi up`, put each facebook postback's Conversions API access token in secret stack config:\n",
    );
    for (const s of tokens) {
      io.stderr(`  pulumi config set --secret ${s.key} <access token of postback ${s.pixelId}>\n`);
    }
  }
  const credentials = program.secrets.filter((s) => s.what !== "access token");
  if (credentials.length > 0) {
    io.stderr(
      "adopt: these values hold a credential and are not written to the program; before `pulumi up`, copy " +
        "each from Everflow into secret stack config:\n",
    );
    for (const s of credentials) {
      io.stderr(`  pulumi config set --secret ${s.key} <${s.what} of postback ${s.pixelId}>\n`);
    }
  }
  return EXIT_OK;
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
