// Imported first by the plugin's entry for its side effect: on an unsupported Node.js, the plugin
// stops with one line saying so, before undici is loaded. (The plugin tarball's launcher checks the
// same before starting Node; an npm user runs this entry directly.)
import { unsupportedNodeMessage } from "../core/node-support";

const message = unsupportedNodeMessage();
if (message !== undefined) {
  process.stderr.write(`pulumi-resource-everflow: ${message}\n`);
  process.exit(1);
}
