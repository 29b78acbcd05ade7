// Cancellation of every request of the process, at once and for good: the engine cancelled the run
// (its Cancel call, sent on SIGINT/SIGTERM to `pulumi` and before it shuts a provider down), or the
// engine went away. After that no request attempt is dispatched, reads in flight are aborted and waits
// (rate limit, retry backoff) end at once. A write already on the wire is let finish: its answer
// holds the id that the state must record, and abandoning it could leave a postback nobody tracks.

import { EverflowApiError, type EverflowOperation } from "./errors";

let controller = new AbortController();

/** The process-wide signal, aborted by {@link cancelRequests}. */
export function cancellationSignal(): AbortSignal {
  return controller.signal;
}

/** Cancel every request of the process, now and later. Idempotent. */
export function cancelRequests(reason: string): void {
  if (!controller.signal.aborted) controller.abort(new Error(reason));
}

/** A fresh, un-cancelled signal (tests). */
export function resetCancellation(): void {
  controller = new AbortController();
}

export function cancelledError(operation: EverflowOperation, pixelId?: number): EverflowApiError {
  const reason = (controller.signal.reason as Error | undefined)?.message ?? "cancelled";
  return new EverflowApiError({
    operation,
    pixelId,
    kind: "cancelled",
    retryable: false,
    detail: `cancelled (${reason}): nothing more was sent`,
  });
}

/**
 * `pending`, or a rejection with `onCancel()` as soon as the process is cancelled while `abandon()`
 * says the request may be given up (nothing of it on the wire, or a read).
 */
export function untilCancelled<T>(
  pending: Promise<T>,
  abandon: () => boolean,
  onCancel: () => Error,
): Promise<T> {
  const signal = controller.signal;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      if (abandon()) reject(onCancel());
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
