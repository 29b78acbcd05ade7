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
import { importIfUnchanged } from "./conditional-import";
import { StackCredentials, type PostbackRef } from "./credentials";
import { nameOf } from "./drift-report";
import { revealedProps, stateByUrn } from "./drift-secrets";
import { isPostbackType } from "./postback-types";
import { openStack } from "./project";
import { holdFileLock, lockedMessage, lockHolders, lockView } from "./stack-lock";
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

Postbacks of both kinds are recovered: the TypeScript Postback class's and the native plugin's
(everflow:index:Postback, from YAML, Python or Go programs); a native postback's account is listed with
its provider's settings as the state records them.

A running update's creates are pending too: recover refuses (exit 1, nothing changed) while anything
holds the stack's lock, and names the lock. A run that was killed leaves its lock: remove it with
\`pulumi cancel --yes --stack NAME\` first. On a file:// backend recover holds the stack's lock itself
from its first read to its import, so that an update started meanwhile refuses to run; on Pulumi Cloud
it refuses while the service reports an update in progress; on s3://, gs://, azblob:// and postgres://
backends the lock cannot be seen from here. On every backend the import is conditional: recover reads
the state again right before it, and refuses, changing nothing, if the state changed since its plan.

Options:
  --stack NAME  the stack (default: the project's current stack)
  --cwd DIR     the Pulumi project directory, holding Pulumi.yaml (default: the current directory)
  --dry-run     print the plan, change nothing (refused too while the stack is locked)
  --import NAME=ID
                record postback ID for the interrupted create of resource NAME (or URN) when several
                postbacks match it; repeatable
  -h, --help    show this help

Exit codes: 0 recovered (or nothing to recover), 1 error, a locked or changed stack, or a decision
left to a person.
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

  // A running update's creates are pending too, and it writes the state again when they end: refuse
  // while anyone holds the stack's lock, and hold it from the first read to the import (stack-lock.ts).
  const view = await lockView(stack, name);
  const holders = await lockHolders(view, stack, name);
  if (holders.length > 0) throw new CliError(lockedMessage(name, holders));
  const dryRun = flags["dry-run"] === true;
  const release = !dryRun && view.kind === "file" ? holdFileLock(view.dir, name) : () => {};
  try {
    return await recoverHeld({ stack, name, choices, dryRun, release }, io);
  } finally {
    release();
  }
}

interface Held {
  stack: Stack;
  name: string;
  choices: ReadonlyMap<string, number>;
  dryRun: boolean;
  /** Releases the stack's lock (file backend), right before the import takes it. */
  release: () => void;
}

/** The recovery proper, while the stack's lock is held (or, for a dry run, was found free). */
async function recoverHeld({ stack, name, choices, dryRun, release }: Held, io: CliIo): Promise<number> {
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
  // `pulumi stack import` drops every pending operation: say which ones are not the postbacks' creates.
  const others = (deployment.pending_operations ?? []).filter((op) => !creating.includes(op));
  if (others.length > 0) {
    const listed = others.map((op) => `${op.type ?? "?"} ${nameOf(op.resource?.urn ?? "?")}`).join(", ");
    io.stdout(
      `  note    ${others.length} other pending operation(s) (${listed}) are dropped with the import, as ` +
        "the next `pulumi up` would drop them; check those resources with `pulumi refresh`\n",
    );
  }
  if (dryRun) {
    io.stdout("Dry run: nothing changed.\n");
    return EXIT_OK;
  }

  const byId = new Map([...live.values()].flat().map((p) => [p.network_pixel_id, p]));
  const next = { ...exported, deployment: applyPlan(deployment, plan, byId) };
  await importIfUnchanged({ stack, name, read: exported, next, beforeImport: release });
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
