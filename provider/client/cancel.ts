// Cancellation of every request of the process, at once and for good: the engine cancelled the run
// (its Cancel call, sent on SIGINT/SIGTERM to `pulumi` and before it shuts a provider down), or the
// engine went away. After that no request attempt is dispatched, reads in flight are aborted and waits
// (rate limit, retry backoff) end at once. A write already on the wire is let finish: its answer
// holds the id that the state must record, and abandoning it could leave a postback nobody tracks.
//
// Requests register a callback for the time they run and `cancelRequests` calls them all. Not an
// AbortSignal shared by the process with a listener per request: with 11 or more requests in flight
// (`pulumi up --parallel 16` over many postbacks) Node prints "MaxListenersExceededWarning: ... 11
// abort listeners added to [AbortSignal]" into the user's output (nodejs/undici#3157). A request that
// needs a signal (undici aborts a read through one) gets an AbortController of its own, which the
// registry aborts.

import { EverflowApiError, type EverflowOperation } from "./errors";

/** One cancellation scope: the process's, until a test resets it. */
export class Cancellation {
  #reason: Error | undefined;
  readonly #callbacks = new Set<() => void>();

  get cancelled(): boolean {
    return this.#reason !== undefined;
  }

  get reason(): Error | undefined {
    return this.#reason;
  }

  /**
   * Call `callback` once when this scope is cancelled: at once if it already is. Returns the function
   * that unregisters it, to call when the request it belongs to has ended.
   */
  onCancel(callback: () => void): () => void {
    if (this.#reason) {
      callback();
      return () => undefined;
    }
    this.#callbacks.add(callback);
    return () => {
      this.#callbacks.delete(callback);
    };
  }

  /** Number of registered callbacks (requests and waits in progress). */
  get pending(): number {
    return this.#callbacks.size;
  }

  cancel(reason: string): void {
    if (this.#reason) return;
    this.#reason = new Error(reason);
    const callbacks = [...this.#callbacks];
    this.#callbacks.clear();
    for (const callback of callbacks) {
      try {
        callback();
      } catch {
        // One request's clean-up failing must not keep the others running.
      }
    }
  }
}

let current = new Cancellation();

/** The process-wide cancellation scope, as it is when a request starts. */
export function cancellation(): Cancellation {
  return current;
}

/** Cancel every request of the process, now and later. Idempotent. */
export function cancelRequests(reason: string): void {
  current.cancel(reason);
}

/** A fresh, un-cancelled scope (tests). */
export function resetCancellation(): void {
  current = new Cancellation();
}

export function cancelledError(
  operation: EverflowOperation,
  pixelId?: number,
  scope: Cancellation = current,
): EverflowApiError {
  const reason = scope.reason?.message ?? "cancelled";
  return new EverflowApiError({
    operation,
    pixelId,
    kind: "cancelled",
    retryable: false,
    detail: `cancelled (${reason}): nothing more was sent`,
  });
}

/**
 * `pending`, or a rejection with `onCancel()` as soon as `scope` is cancelled while `abandon()` says the
 * request may be given up (nothing of it on the wire, or a read).
 */
export function untilCancelled<T>(
  scope: Cancellation,
  pending: Promise<T>,
  abandon: () => boolean,
  onCancel: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const unregister = scope.onCancel(() => {
      if (abandon()) reject(onCancel());
    });
    pending.then(
      (value) => {
        unregister();
        resolve(value);
      },
      (error: unknown) => {
        unregister();
        reject(error);
      },
    );
  });
}
