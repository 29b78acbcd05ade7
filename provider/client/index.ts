// pulumi-everflow/client: the Everflow affiliate pixel API client used by the provider.

export {
  EverflowClient,
  EVERFLOW_BASE_URL_EU,
  EVERFLOW_BASE_URL_US,
  resetClientRegistry,
  type ClientStats,
  type DeactivateOptions,
  type EverflowClientOptions,
  type ListFilters,
} from "./client";
export {
  EverflowApiError,
  isEverflowApiError,
  isNotFound,
  kindForStatus,
  readApiMessage,
  type EverflowErrorKind,
  type EverflowOperation,
} from "./errors";
export {
  accountKey,
  DEFAULT_RATE_LIMIT,
  limiterRegistryStats,
  TokenBucket,
  type LimiterClock,
  type LimiterStats,
  type Permit,
  type RateLimitOptions,
} from "./limiter";
export {
  comparable,
  createdCandidates,
  isUnreadableToken,
  matchesIntended,
  reconcileCreate,
  type ComparablePixel,
  type ReconcileOutcome,
} from "./reconcile";
export { checkBaseUrl, isLoopbackHost } from "./base-url";
export { redact, redactString, REDACTED } from "./redact";
export {
  backoffDelay,
  decideRetry,
  DEFAULT_RETRY,
  parseRetryAfter,
  type RetryDecision,
  type RetryMode,
  type RetryOptions,
} from "./retry";
export { poolStats, type PoolStats } from "./pool";
export { DEFAULT_TIMEOUTS, type ClientLogEvent, type ClientLogger, type TimeoutOptions } from "./transport";
export { defaultUserAgent, packageVersion } from "./version";
export {
  canonicalPixelType,
  DELIVERY_METHODS,
  FacebookPixelBodySchema,
  FacebookPixelSchema,
  PIXEL_LEVELS,
  PIXEL_STATUSES,
  PIXEL_TYPES,
  PixelBodySchema,
  PixelListSchema,
  PixelSchema,
  SERVER_OWNED_FIELDS,
  toPixelBody,
  type DeliveryMethod,
  type FacebookPixel,
  type FacebookPixelBody,
  type Pixel,
  type PixelBody,
  type PixelLevel,
  type PixelList,
  type PixelStatus,
  type PixelType,
} from "./wire";
