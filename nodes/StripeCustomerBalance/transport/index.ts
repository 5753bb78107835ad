export { StripeClient, CREDENTIAL_TYPE, PINNED_API_VERSION, DEFAULT_CALL_OPTIONS } from './client';
export type { CallOptions, StripeCall } from './client';
export { IdempotencyKeys } from './idempotency';
export { allPages } from './allPages';
export { headerValue } from './headers';
export { errorItemJson, detailsOf, isAlreadySent } from './errors';
export type { StripeErrorDetails } from './errors';
