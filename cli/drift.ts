import { type EngineEvent, type Stack } from "@pulumi/pulumi/automation";
import { CliError, EXIT_OK, messageOf, oneLine, parseFlags, type CliIo } from "./args";
import { buildReport, exitCodeOf, refreshedPostbacks, reportJson, reportText } from "./drift-report";
import { StackCredentials } from "./credentials";
import {
  readLive,
  resolveSecrets,
  stateByUrn,
  type SecretSources,
  type StoredResource,
} from "./drift-secrets";
import { POSTBACK_TARGETS } from "./postback-types";
import { engineMessage, openStack } from "./project";

export const DRIFT_USAGE = "usage: pulumi-everflow drift [--stack NAME] [--cwd DIR] [--json]";

export const DRIFT_HELP = `${DRIFT_USAGE}

Reports the drift of a Pulumi stack's Everflow postbacks: for each postback, every field whose live
value in Everflow changed since Everflow answered the last \`pulumi up\` (shown against the declaration as
last applied, the inputs recorded in the stack's state), and every postback deleted in Everflow
("missing"). A value Everflow stores in its own form (a default, an escape) is not drift.

Under a key of another affiliate than the postbacks' owner, or one for which Everflow lists no postback
at all, the provider's refresh fails and drift exits 1 with its message (naming both affiliates, or how
to confirm a real removal): it never reports postbacks "missing" on evidence a wrong key also produces.

It runs a refresh-only preview (\`pulumi refresh --preview-only --run-program=false\`, limited to
postbacks): the stack's program is not run, so program edits not applied yet are not part of the
comparison; nothing is written to Everflow or to the state. That is the check a scheduled CI drift gate
wants. (After a \`pulumi refresh\`, the state holds the values that refresh accepted.)

Options:
  --stack NAME  the stack (default: the project's current stack)
  --cwd DIR     the Pulumi project directory, holding Pulumi.yaml (default: the current directory)
  --json        print the report as JSON (shape below) instead of text
  -h, --help    show this help

The JSON report, keys always in this order:
  { "stack": "dev", "basis": "last-applied", "checked": 3,
    "drift": [ { "urn": "...", "name": "checkout", "pixelId": 1234,
                 "fields": [ { "field": "postbackUrl", "declared": "https://...", "live": "https://..." } ] } ],
    "missing": [ { "urn": "...", "name": "signup", "pixelId": 1240 } ] }
"checked" counts the stack's postbacks. Values are as the provider compares them ("" or 0 for a field
that does not apply). A facebook pixel's parts are fields of their own ("facebookPixel.eventName"); the
access token is never shown: its values read "[secret]". So does every field that is secret in the
stack's state (declared with pulumi.secret, e.g. a postbackUrl holding a partner's key): it is compared
in clear, and both its values read "[secret]", in the text and the JSON.

Environment: passed to the pulumi CLI as is (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, PULUMI_HOME,
EVERFLOW_API_KEY, ...), with PULUMI_SKIP_UPDATE_CHECK, PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK and
PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION set to true unless already set. The CLI is $PULUMI_CLI, else
\`pulumi\` on PATH, else the engine built by this package's scripts/ensure-pulumi
(~/.cache/pulumi-everflow/engine/<version>/bin/pulumi). With --stack, the stack becomes the project's
selected stack, as with \`pulumi stack select\`.

Exit codes: 0 no drift, 2 drift (a field differs or a postback is missing), 1 error (bad flags included).
`;

export async function drift(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, {
    stack: { type: "string" },
    cwd: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (flags.help) {
    io.stdout(DRIFT_HELP);
    return EXIT_OK;
  }
  const { stack, name } = await openStack(io, flags.cwd, flags.stack);

  const events: EngineEvent[] = [];
  try {
    await stack.previewRefresh({
      onEvent: (event) => events.push(event),
      runProgram: false,
      target: [...POSTBACK_TARGETS],
    });
  } catch (error) {
    throw new CliError(`the refresh-only preview of stack "${name}" failed: ${engineMessage(error, events)}`);
  }

  let postbacks;
  try {
    postbacks = await resolveSecrets(refreshedPostbacks(events), stackSecrets(stack, io.env));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot compare the secret fields of stack "${name}": ${engineMessage(error, [])}`);
  }
  const report = buildReport(name, postbacks);
  io.stdout(flags.json ? reportJson(report) : reportText(report));
  return exitCodeOf(report);
}

/** The declared (from state) and live (from Everflow) values that the engine's events keep secret. */
function stackSecrets(stack: Stack, env: NodeJS.ProcessEnv): SecretSources {
  let stored: Promise<ReadonlyMap<string, StoredResource>> | undefined;
  let credentials: Promise<StackCredentials> | undefined;
  const storedState = () => (stored ??= stack.exportStack().then(stateByUrn));
  return {
    storedState,
    livePostback: async (postback, account, id, knownToken) => {
      credentials ??= Promise.all([stack.getAllConfig(), storedState()]).then(
        ([all, state]) =>
          new StackCredentials(
            Object.fromEntries(Object.entries(all).map(([key, v]) => [key, v.value])),
            state,
            env,
          ),
      );
      const { client } = (await credentials).client(
        { type: postback.type ?? "", provider: postback.provider },
        account,
      );
      try {
        return await readLive((pixelId) => client.get(pixelId), account, id, knownToken);
      } catch (error) {
        throw new CliError(oneLine(messageOf(error)));
      }
    },
  };
}
