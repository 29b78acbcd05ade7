// Imported first by the package's entry points for its side effect: on an unsupported Node.js, loading
// the package fails with one line saying so, before undici is loaded.
import { assertSupportedNode } from "../core/node-support";

assertSupportedNode();
