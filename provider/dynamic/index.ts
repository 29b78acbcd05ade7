// The dynamic provider face: what `pulumi-everflow/provider` exports, and what the SDK's serialized
// provider stub loads in the engine's dynamic provider host.
// First: on an unsupported Node.js, fail in one line before undici loads.
import "./supported-node";
import { watchEngineCancel } from "./engine-cancel";
import { attachWarningsToResources } from "./engine-log";
import { PostbackProvider } from "./provider";

// In the engine's provider process only: a cancelled run stops our requests (see engine-cancel.ts).
watchEngineCancel();
// In the same process: warnings are shown under the postback they are about (see engine-log.ts).
attachWarningsToResources();

/**
 * The implementation behind every Postback. The SDK's serialized provider is a stub that loads this
 * module at call time, so state holds no provider code and an upgrade of the package fixes every
 * existing postback. Stubs of every earlier version call this export: it must stay.
 */
export const postbackProvider = new PostbackProvider();

export { PostbackProvider } from "./provider";
export { PostbackInitError } from "../core/postbacks";
export { checkPostback } from "../core/check";
export { canonical, changedFields } from "../core/rules";
export type { CanonicalPostback } from "../core/rules";
export type { PostbackOutputs } from "../core/mapping";
export * from "../core/schema";
export { Settings, MissingApiKeyError } from "../core/settings";
export { unknownMacros, KNOWN_MACROS } from "../core/macros";
