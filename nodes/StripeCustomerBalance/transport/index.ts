export { StripeClient, CREDENTIAL_TYPE, PINNED_API_VERSION, DEFAULT_CALL_OPTIONS } from './client';
export type { CallOptions, StripeCall } from './client';
export { IdempotencyKeys, IDEMPOTENCY_METADATA_FIELD } from './idempotency';
export { allPages } from './allPages';
export { headerValue } from './headers';
export { errorItemJson, detailsOf, isAlreadySent, toAlreadySentError } from './errors';
export type { StripeErrorDetails } from './errors';
