// Capture the warnings Node prints as `(node:PID) XxxWarning: ...` to a user's terminal.
//
// A jest test's `process` is a copy whose listeners never hear the real process's events, while Node
// emits its warnings (MaxListenersExceededWarning, DeprecationWarning, ExperimentalWarning, ...) on the
// real one. `vm.runInThisContext` evaluates in the main context, where `process` is the real object.

import * as vm from "node:vm";

export interface WarningCapture {
  /** `Name: message` of every warning emitted since the capture started. */
  readonly warnings: string[];
  /** Wait for warnings emitted on this tick (Node delivers them on the next), then stop listening. */
  stop(): Promise<string[]>;
}

export function captureNodeWarnings(): WarningCapture {
  const real = vm.runInThisContext("process") as NodeJS.Process;
  const warnings: string[] = [];
  const listener = (warning: Error): void => {
    warnings.push(`${warning.name}: ${warning.message}`);
  };
  real.on("warning", listener);
  return {
    warnings,
    stop: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      real.off("warning", listener);
      return warnings;
    },
  };
}
