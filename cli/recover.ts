import type { Pixel } from "../provider/client";
import { keyOwnerProblem } from "../provider/core/ownership";
import {
  CliError,
  EXIT_ERROR,
  EXIT_OK,
  messageOf,
  oneLine,
  parseFlags,
  UsageError,
  type CliIo,
} from "./args";
import type { Stack } from "@pulumi/pulumi/automation";
import { StackCredentials, type PostbackRef } from "./credentials";
import { nameOf } from "./drift-report";
import { revealedProps, stateByUrn } from "./drift-secrets";
import { isPostbackType } from "./postback-types";
import { engineMessage, openStack } from "./project";
import {
  accountOf,
  applyPlan,
  planRecovery,
  withChoices,
  type Deployment,
  type PendingCreate,
} from "./recover-plan";

export const RECOVER_USAGE =
  "usage: pulumi-everflow recover [--stack NAME] [--cwd DIR] [--dry-run] [--import NAME=ID ...]";

export const RECOVER_HELP = `${RECOVER_USAGE}

Repairs a stack after \`pulumi up\` was killed while creating postbacks (a cancelled CI job, a crashed
runner). Such a create may have reached Everflow without its id reaching the state: the engine keeps a
"pending create" and warns, and a plain \`pulumi up\` would create the postback a second time.

For each pending create of a postback, recover looks in the account for postbacks that no resource of
the stack tracks and that match the declaration field for field. One match: it is recorded in the state
(written to the state as a resource). None: the create never landed, and the pending create is
cleared so that the next \`pulumi up\` creates it. More matches than interrupted creates: nothing is
changed, the candidates are listed, and the exit code is 1; say which postback is the stack's with
--import NAME=ID and run recover again.

A listing under a key of another affiliate lacks the interrupted creates too: recover changes nothing
when the account's listing shows another affiliate than the stack's postbacks of that account record,
or shows nothing at all while they record one (set EVERFLOW_CONFIRM_REMOVED=<account> if every
postback of the account really was deleted).

Options:
  --stack NAME  the stack (default: the project's current stack)
  --cwd DIR     the Pulumi project directory, holding Pulumi.yaml (default: the current directory)
  --dry-run     print the plan, change nothing
  --import NAME=ID
                record postback ID for the interrupted create of resource NAME (or URN) when several
                postbacks match it; repeatable
  -h, --help    show this help

Exit codes: 0 recovered (or nothing to recover), 1 error or a decision left to a person.
`;

export async function recover(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, {
    stack: { type: "string" },
    cwd: { type: "string" },
    "dry-run": { type: "boolean" },
    import: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  });
  if (flags.help) {
    io.stdout(RECOVER_HELP);
    return EXIT_OK;
  }
  const choices = parseChoices(flags.import ?? []);
  const { stack, name } = await openStack(io, flags.cwd, flags.stack);

  const dryRun = flags["dry-run"] === true;
  return recoverHeld({ stack, name, choices, dryRun }, io);
}

interface Held {
  stack: Stack;
  name: string;
  choices: ReadonlyMap<string, number>;
  dryRun: boolean;
}

async function recoverHeld({ stack, name, choices, dryRun }: Held, io: CliIo): Promise<number> {
  const exported = await stack.exportStack();
  const deployment = exported.deployment as Deployment;
  const creating = (deployment.pending_operations ?? []).filter(
    (op) => op.type === "creating" && isPostbackType(op.resource?.type) && op.resource?.urn,
  );
  if (creating.length === 0) {
    io.stdout(`No interrupted postback creates in stack "${name}": nothing to recover.\n`);
    return EXIT_OK;
  }

  const config = Object.fromEntries(Object.entries(await stack.getAllConfig()).map(([k, v]) => [k, v.value]));
  const credentials = new StackCredentials(config, stateByUrn(exported), io.env);
  const listingOf = (r: Props, account: string) =>
    JSON.stringify([credentials.sourceOf(postbackRef(r)).key, account]);
  const pending: PendingCreate[] = creating.map((op) => {
    const resource = op.resource!;
    const inputs = revealedProps(resource.inputs);
    const account = accountOf(inputs);
    const urn = resource.urn!;
    return { urn, name: nameOf(urn), account, listing: listingOf(resource, account), inputs };
  });
  const postbacks = (deployment.resources ?? []).filter((r) => isPostbackType(r.type));
  const tracked = new Set(postbacks.filter((r) => r.id).map((r) => Number(r.id)));

  const live = new Map<string, Pixel[]>();
  for (const op of pending) {
    if (live.has(op.listing)) continue;
    const resource = creating.find((c) => c.resource?.urn === op.urn)!.resource!;
    const { client } = credentials.client(postbackRef(resource), op.account);
    try {
      live.set(op.listing, await client.list());
    } catch (error) {
      throw new CliError(oneLine(messageOf(error)));
    }
  }

  const plan = withChoices(planRecovery(pending, live, tracked), choices);
  if (plan instanceof Error) throw new CliError(plan.message);
  // "No match in the listing" is what a key of another affiliate shows too: clear nothing on it.
  for (const [listing, pixels] of live) {
    const account = pending.find((p) => p.listing === listing)!.account;
    const clears = plan.clears.some((c) => pending.find((p) => p.urn === c.urn)?.listing === listing);
    const sameSource = postbacks.filter((r) => listingOf(r, accountOf(revealedProps(r.inputs))) === listing);
    const problem = keyOwnerProblem(account, pixels, sameSource, clears, io.env);
    if (problem) throw new CliError(`${problem} Nothing was changed.`);
  }
  io.stdout(`Stack "${name}": ${pending.length} postback create(s) were interrupted.\n`);
  for (const i of plan.imports)
    io.stdout(`  import  ${i.name}: postback ${i.pixelId} was created; recording it\n`);
  for (const c of plan.clears)
    io.stdout(`  clear   ${c.name}: the create never reached Everflow; \`pulumi up\` will create it\n`);
  for (const a of plan.ambiguous) {
    io.stdout(`  ?       ${a.name}: postbacks ${a.candidates.join(", ")} all match and none is tracked\n`);
  }
  if (plan.ambiguous.length > 0) {
    const example = plan.ambiguous[0]!;
    io.stderr(
      `pulumi-everflow recover: cannot tell which postback each interrupted create made; nothing changed. ` +
        `Choose one per postback and run again, e.g. pulumi-everflow recover --stack ${name} ` +
        `--import ${example.name}=${example.candidates[0]}\n`,
    );
    return EXIT_ERROR;
  }
  if (dryRun) {
    io.stdout("Dry run: nothing changed.\n");
    return EXIT_OK;
  }

  const byId = new Map([...live.values()].flat().map((p) => [p.network_pixel_id, p]));
  const next = { ...exported, deployment: applyPlan(deployment, plan, byId) };
  try {
    await stack.importStack(next);
  } catch (error) {
    throw new CliError(`cannot write the recovered state of stack "${name}": ${engineMessage(error, [])}`);
  }
  io.stdout(
    `Recovered: ${plan.imports.length} recorded, ${plan.clears.length} cleared. \`pulumi up\` can run again.\n`,
  );
  return EXIT_OK;
}

type Props = Record<string, unknown>;

function postbackRef(resource: Props): PostbackRef {
  return {
    type: typeof resource.type === "string" ? resource.type : "",
    provider: typeof resource.provider === "string" ? resource.provider : undefined,
  };
}

/** `--import NAME=ID` flags as a map; a malformed one is a usage error. */
function parseChoices(values: readonly string[]): Map<string, number> {
  const choices = new Map<string, number>();
  for (const value of values) {
    const match = /^(.+)=([1-9][0-9]*)$/.exec(value);
    if (!match)
      throw new UsageError(
        `--import takes NAME=ID (a resource name or URN, and a postback id), got ${JSON.stringify(value)}`,
      );
    choices.set(match[1]!, Number(match[2]));
  }
  return choices;
}
