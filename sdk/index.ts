export { Postback } from "./postback";
export type { PostbackArgs } from "./postback";
