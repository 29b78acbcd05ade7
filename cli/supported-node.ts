// Imported first by cli/main.ts for its side effect: on an unsupported Node.js, `pulumi-everflow` says
// so in one line and exits 1, before anything loads undici (which would fail with a stack trace).
import { unsupportedNodeMessage } from "../provider/core/node-support";

const message = unsupportedNodeMessage();
if (message !== undefined) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
