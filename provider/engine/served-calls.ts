// When the provider process may end after a signal: once the calls it is serving have answered.
//
// The engine sends SIGINT to the provider's process group when it shuts the provider down, at the end
// of every run, after every call has answered; a Ctrl-C in a terminal reaches the same group while
// calls are running, and one of them may be a write on the wire whose answer holds an id the state must
// record. Exiting after a fixed grace period served the second case and made every `pulumi` command
// wait it out in the first (2 s of a 2.4 s refresh of 500 postbacks).

/** After the last call answered: time for its answer to leave the process. */
export const ANSWER_FLUSH_MS = 100;

/** Provider calls being served, from their start until they answer. */
export class ServedCalls {
  private inFlight = 0;
  private waiters: (() => void)[] = [];

  /** A call started; the returned function marks it answered (only its first call counts). */
  begin(): () => void {
    this.inFlight++;
    let answered = false;
    return () => {
      if (answered) return;
      answered = true;
      this.inFlight--;
      if (this.inFlight > 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      waiters.forEach((resolve) => resolve());
    };
  }

  get serving(): number {
    return this.inFlight;
  }

  /** Resolves once no call is being served. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/**
 * Call `exit` at once when nothing is being served, else once every call has answered and its answer
 * had {@link ANSWER_FLUSH_MS} to leave; after `graceMs` at most. Without a count of the calls (the
 * host's gRPC server could not be hooked), after `graceMs`.
 */
export function exitWhenServed(calls: ServedCalls | undefined, exit: () => void, graceMs: number): void {
  setTimeout(exit, graceMs).unref();
  if (!calls) return;
  if (calls.serving === 0) {
    exit();
    return;
  }
  void calls.idle().then(() => setTimeout(exit, ANSWER_FLUSH_MS).unref());
}
