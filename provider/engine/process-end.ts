// How a provider process ends with the run, in either face: the engine sends SIGINT to the plugin's
// process group when it shuts the plugin down (and a Ctrl-C reaches the same group), SIGTERM when a
// job is cancelled, and may die without a word. In every case nothing of the run may keep calling
// Everflow: every request is cancelled (client/cancel.ts), the calls being served get to answer
// (served-calls.ts: a write on the wire may carry an id the state must record), then the process ends.

import { cancelRequests } from "../client/cancel";
import { exitWhenServed, type ServedCalls } from "./served-calls";

/** How long writes on the wire get to answer after a signal, within the engine's 5 s before SIGKILL. */
const EXIT_GRACE_MS = 2_000;
const PARENT_POLL_MS = 500;

/**
 * Install the watches: SIGINT and SIGTERM cancel and exit once `calls` have answered (after the grace
 * period at most, or at once without a count); the engine gone (this process re-parented) cancels and
 * exits at once.
 */
export function endWithEngine(calls: ServedCalls | undefined): void {
  const stop = (reason: string, code: number): void => {
    cancelRequests(reason);
    exitWhenServed(calls, () => process.exit(code), EXIT_GRACE_MS);
  };
  process.once("SIGINT", () => stop("the engine interrupted the provider", 130));
  process.once("SIGTERM", () => stop("the provider was terminated", 143));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      cancelRequests("the engine exited");
      process.exit(1);
    }
  }, PARENT_POLL_MS).unref();
}
