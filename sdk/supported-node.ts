// Imported first by sdk/index.ts for its side effect: on an unsupported Node.js, a program that imports
// the package fails with one line. A RunError, because the language host prints its message alone
// (any other error is printed with its fields and stack).
import * as pulumi from "@pulumi/pulumi";
import { unsupportedNodeMessage } from "../provider/core/node-support";

const message = unsupportedNodeMessage();
if (message !== undefined) throw new pulumi.RunError(message);
