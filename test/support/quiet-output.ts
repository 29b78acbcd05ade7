import { format } from "node:util";
import { captureNodeWarnings } from "./node-warnings";

// `npm test` prints nothing but Jest's own report: a test that writes to the console, or a Node warning
// (`(node:PID) MaxListenersExceededWarning: ...`) raised in the test process, fails the test it came
// from, with what was printed. A test that expects console output spies on the console itself
// (jest.spyOn(console, "warn")), which takes the place of this one.

const printed: string[] = [];
for (const level of ["log", "info", "warn", "error", "debug"] as const) {
  console[level] = (...args: unknown[]) => void printed.push(`console.${level}: ${format(...args)}`);
}
const warnings = captureNodeWarnings();

/** Fails with whatever was printed since the last look. */
async function nothingPrinted(): Promise<void> {
  // Node delivers a warning on the tick after it is raised.
  await new Promise((resolve) => setImmediate(resolve));
  const noise = [...printed.splice(0), ...warnings.warnings.splice(0).map((w) => `Node warning: ${w}`)];
  if (noise.length > 0) throw new Error(`the test printed (tests print nothing):\n${noise.join("\n")}`);
}

afterEach(nothingPrinted);
// What a file's loading or its afterAll hooks print fails the file. The warning listener is on the
// worker's real process, which runs file after file: it goes with the file.
afterAll(async () => {
  try {
    await nothingPrinted();
  } finally {
    await warnings.stop();
  }
});
