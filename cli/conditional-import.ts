import { createHash } from "node:crypto";
import type { Deployment as ExportedStack, Stack } from "@pulumi/pulumi/automation";
import { CliError } from "./args";
import { engineMessage } from "./project";

/**
 * A state import that never goes back in time: `next` was derived from the export `read`, and is
 * imported only while the stack's state is still exactly `read`. Anything written since (an update, a
 * refresh, another recover, a `pulumi state` edit) makes it refuse and change nothing.
 */

/** A digest of an export's deployment: it changes with every checkpoint the backend saves. */
export function stateDigest(exported: ExportedStack): string {
  return createHash("sha256").update(JSON.stringify(exported.deployment)).digest("hex");
}

export interface ConditionalImport {
  stack: Stack;
  name: string;
  /** The export the new state was derived from. */
  read: ExportedStack;
  next: ExportedStack;
  /** Called between the last check and the import: the file backend's lock is released here. */
  beforeImport?: () => void;
}

export async function importIfUnchanged({ stack, name, read, next, beforeImport }: ConditionalImport) {
  let now: ExportedStack;
  try {
    now = await stack.exportStack();
  } catch (error) {
    throw new CliError(`cannot read the state of stack "${name}" again: ${engineMessage(error, [])}`);
  }
  if (stateDigest(now) !== stateDigest(read)) {
    throw new CliError(
      `the state of stack "${name}" changed while recover was planning (an update, refresh or another ` +
        "recover wrote it): nothing was changed. Run recover again once no update is running.",
    );
  }
  beforeImport?.();
  try {
    await stack.importStack(next);
  } catch (error) {
    // `stack import` takes the stack's lock: an update that started meanwhile makes it refuse.
    throw new CliError(`cannot write the recovered state of stack "${name}": ${engineMessage(error, [])}`);
  }
}
