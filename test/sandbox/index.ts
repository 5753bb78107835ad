/** A local, strict, stateful Stripe (customer balance transactions) with fault injection, for tests, demo and bench. */
export { startSandbox, DEFAULT_SECRET_KEY } from './sandbox';
export { DEFAULT_API_VERSION } from './headers';
export { NO_RATE_LIMITS } from './faults';
export type {
  CreateCustomerInput,
  CustomerBalanceTransaction,
  NewTransaction,
  RecordedRequest,
  Sandbox,
  SandboxFaults,
  SandboxScriptedFault,
  SandboxStats,
  StartSandboxOptions,
  StripeCustomer,
  StripeEvent,
  StripeWebhookEndpoint,
  WebhookDelivery,
  WebhookFault,
  WebhookSettings,
} from './types';
