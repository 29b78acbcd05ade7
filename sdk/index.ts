// First: on an unsupported Node.js, a program that imports the package fails in one line.
import "./supported-node";
export { Postback } from "./postback";
export type { PostbackArgs } from "./postback";
