// First: on an unsupported Node.js, fail in one line before undici loads.
import "./supported-node";
import { watchEngineCancel } from "./engine-cancel";
import { attachWarningsToResources } from "./engine-log";
import { PostbackProvider } from "./postback-provider";

// In the engine's provider process only: a cancelled run stops our requests (see engine-cancel.ts).
watchEngineCancel();
// In the same process: warnings are shown under the postback they are about (see engine-log.ts).
attachWarningsToResources();

/**
 * The implementation behind every Postback. The SDK's serialized provider is a stub that loads this
 * module at call time, so state holds no provider code and an upgrade of the package fixes every
 * existing postback.
 */
export const postbackProvider = new PostbackProvider();

export { PostbackProvider, PostbackInitError } from "./postback-provider";
export { checkPostback } from "./check";
export { canonical, changedFields } from "./rules";
export type { CanonicalPostback } from "./rules";
export type { PostbackOutputs } from "./mapping";
export * from "./schema";
export { Settings, MissingApiKeyError } from "./settings";
export { unknownMacros, KNOWN_MACROS } from "./macros";
