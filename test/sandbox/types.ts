/** Public types of the local Stripe sandbox (re-exported by index.ts). */

export interface SandboxFaults {
  /** Added before every reply (writes hold the customer's lock during it). */
  latencyMs: number;
  /**
   * Stripe's limiters, each a sliding 1 s window over accepted requests per API key + account; excess -> 429 rate_limit
   * with the limiter in Stripe-Rate-Limited-Reason. The global limit: 'stripe' = Stripe's for the account's mode (25/s
   * in test mode, 100/s with `liveModeLimits`), the default; null = off.
   */
  rateLimitPerSecond: number | 'stripe' | null;
  /**
   * The account is limited as Stripe limits live mode (global 100/s; endpoints and Search as in test mode), for keys
   * that stay test keys: a live key is refused here as everywhere but at Stripe. Off by default.
   */
  liveModeLimits: boolean;
  /** Each endpoint's (method + path template, whatever the object): 25 by default; null = off. Also counts globally. */
  endpointRateLimitPerSecond: number | null;
  /** Endpoints whose limit Stripe raised, by method and route template: { 'POST /v1/customers/:customer/balance_transactions': 100 }. */
  endpointRateLimits: Record<string, number>;
  /** Search reads (GET .../search): 20 by default; null = off. */
  searchRateLimitPerSecond: number | null;
  /** A write to a customer while another write to the same customer is in flight -> 429 lock_timeout (else it waits). */
  lockTimeouts: boolean;
  /** Fraction [0,1] of requests answered 500 api_error before anything is done. */
  serverErrorRate: number;
  /** Fraction of POST writes that commit (and save the idempotent result), then lose the connection. */
  dropAfterCommitRate: number;
  /** Fraction of POST writes that commit, then wait slowReplyMs before replying. */
  slowReplyRate: number;
  slowReplyMs: number;
  /**
   * How long an idempotency key is kept after its request completed (Stripe: at least 24 hours, then it may be pruned
   * and a request with it is a new request). `null` (the default) keeps keys for ever; tests set a few seconds.
   */
  idempotencyKeyTtlMs: number | null;
  /** Seed of the PRNG behind the rates above. */
  seed: number;
  /** Consumed in order (first matching entry), one per matching authenticated request, before the random rates. */
  script: Array<SandboxScriptedFault>;
}

export type SandboxScriptedFault = {
  fault:
    | '500'
    | '503'
    | 'drop-after-commit'
    | 'drop-before-commit'
    | 'slow-after-commit'
    | 'rate_limit'
    | 'lock_timeout'
    | '409'
    | 'should-retry-false-500';
  method?: 'GET' | 'POST';
  pathIncludes?: string;
  /** For 'rate_limit': the Stripe-Rate-Limited-Reason header to send (none if unset, as for a limiter Stripe does not name). */
  reason?: string;
};

export type ScriptedFaultKind = SandboxScriptedFault['fault'];

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The endpoint it counts against, method and route template ('POST /v1/customers/:customer/balance_transactions'), once routed. */
  endpoint?: string;
  /** Raw query string, without '?'. */
  query: string;
  /** Request headers; the Authorization value has its key masked. */
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** Parsed query (GET) or query + body (POST), bracket notation unfolded (`expand[0]` gives `{ expand: { '0': ... } }`, `expand[]` an array). */
  params: Record<string, unknown>;
  /** null while in flight, or when the connection was dropped. */
  status: number | null;
  idempotencyKey?: string;
  replayed: boolean;
  /** Date.now() at arrival. */
  at: number;
  /** Date.now() when the reply was handed to the socket (unset while in flight, or when dropped). */
  repliedAt?: number;
}

export interface SandboxStats {
  committedWrites: number;
  replays: number;
  rateLimited: number;
  /** rateLimited by the limiter named in Stripe-Rate-Limited-Reason ('none' for scripted 429s without one). */
  rateLimitedBy: Record<string, number>;
  lockTimeouts: number;
  serverErrors: number;
  dropped: number;
  slow: number;
  idempotencyErrors: number;
  /** The most requests that were ever between arrival and reply at once. */
  peakInFlight: number;
}

export interface StripeAddress {
  city: string | null;
  country: string | null;
  line1: string | null;
  line2: string | null;
  postal_code: string | null;
  state: string | null;
}

export interface StripeCustomer {
  id: string;
  object: 'customer';
  address: StripeAddress | null;
  balance: number;
  created: number;
  currency: string | null;
  default_source: string | null;
  delinquent: boolean;
  description: string | null;
  discount: null;
  email: string | null;
  /** Only in API replies when expanded; always present on objects returned by the Sandbox helpers. */
  invoice_credit_balance?: Record<string, number>;
  invoice_prefix: string;
  invoice_settings: {
    custom_fields: null;
    default_payment_method: string | null;
    footer: string | null;
    rendering_options: null;
  };
  livemode: false;
  metadata: Record<string, string>;
  name: string | null;
  next_invoice_sequence: number;
  phone: string | null;
  preferred_locales: string[];
  shipping: null;
  tax_exempt: 'none' | 'exempt' | 'reverse';
  test_clock: string | null;
}

/**
 * A balance change made outside the API's create: by the Dashboard (an adjustment), or by Stripe for an invoice
 * (`type: 'applied_to_invoice'` with its `invoice`) or a credit note (`credit_note`).
 */
export interface NewTransaction {
  amount: number;
  currency: string;
  description?: string;
  metadata?: Record<string, string>;
  type?: CustomerBalanceTransaction['type'];
  invoice?: string;
  creditNote?: string;
}

export interface CustomerBalanceTransaction {
  id: string;
  object: 'customer_balance_transaction';
  amount: number;
  checkout_session: string | null;
  created: number;
  credit_note: string | null;
  currency: string;
  customer: string;
  customer_account: string | null;
  description: string | null;
  ending_balance: number;
  invoice: string | null;
  livemode: false;
  metadata: Record<string, string> | null;
  /** What the API writes is `adjustment`; Stripe writes the others itself (`createTransaction`, `applyBalanceToInvoice`). */
  type: 'adjustment' | 'applied_to_invoice' | 'credit_note';
}

export interface StripeWebhookEndpoint {
  id: string;
  object: 'webhook_endpoint';
  api_version: string | null;
  application: null;
  created: number;
  description: string | null;
  enabled_events: string[];
  livemode: false;
  metadata: Record<string, string>;
  status: 'enabled' | 'disabled';
  url: string;
  /** Only in the reply to the create call. */
  secret?: string;
}

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: StripeCustomer; previous_attributes: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: 'customer.updated';
}

/** A test's probe, consumed one per event: a wrong secret, a timestamp 10 minutes old, or the delivery sent twice at once. */
export type WebhookFault = 'forged-signature' | 'stale-timestamp' | 'duplicate';

export interface WebhookSettings {
  /** Delays before each retry of a delivery that got no 2xx; then it is given up. Default [200, 1000, 3000]. */
  retryDelaysMs: number[];
  script: Array<{ fault: WebhookFault }>;
}

/** One attempt to deliver an event to an endpoint. */
export interface WebhookDelivery {
  eventId: string;
  endpointId: string;
  url: string;
  /** 1 for the first attempt, then each retry. */
  attempt: number;
  signatureHeader: string;
  body: string;
  /** The receiver's HTTP status; null while in flight or when no answer came (`error` says why). */
  status: number | null;
  /** The receiver's reply body (its first 2,000 characters). */
  reply?: string;
  error?: string;
  at: number;
  /** When the receiver's answer (or the failure) came. */
  answeredAt?: number;
  fault?: WebhookFault;
}

export interface CreateCustomerInput {
  id?: string;
  email?: string | null;
  name?: string | null;
  currency?: string | null;
  balance?: number;
  metadata?: Record<string, string>;
  account?: string;
}

export interface Sandbox {
  url: string;
  secretKey: string;
  close(): Promise<void>;
  setFaults(f: Partial<SandboxFaults>): void;
  reset(): void;
  createCustomer(input?: CreateCustomerInput): StripeCustomer;
  customer(id: string, account?: string): StripeCustomer | undefined;
  /** Marks a customer deleted, as `DELETE /v1/customers/:id` does. */
  deleteCustomer(id: string, account?: string): void;
  /** Search lag behind new customers (Stripe: about a minute) and whether Search is offered, per account. */
  setSearch(settings: { lagMs?: number; available?: boolean }, account?: string): void;
  transactions(customerId?: string, account?: string): CustomerBalanceTransaction[];
  addAccount(id: string): void;
  /** `webhooks: false`: a restricted key without write access to Webhook Endpoints (403 on /v1/webhook_endpoints). */
  addKey(key: string, opts?: { readOnly?: boolean; webhooks?: boolean }): void;
  /** Applies a balance change as the API's create does, and emits its event (tests' stand-in for the Dashboard or an invoice). */
  createTransaction(customerId: string, change: NewTransaction, account?: string): CustomerBalanceTransaction;
  /** As if `seconds` had passed: customers, transactions and idempotency keys become that much older. */
  passTime(seconds: number): void;
  /** Changes a customer's email or name and emits `customer.updated` (no balance change). */
  /**
   * What Stripe does when it finalizes an invoice of `invoiceTotal` for the customer: the balance in that currency is
   * applied to it (a credit up to the total, or all that is owed), as one `applied_to_invoice` transaction with a new
   * invoice id, and its `customer.updated` event. A balance of 0 moves nothing: undefined, no event.
   */
  applyBalanceToInvoice(customerId: string, invoice: { invoiceTotal: number; currency: string }, account?: string): CustomerBalanceTransaction | undefined;
  updateCustomer(id: string, change: { email?: string | null; name?: string | null }, account?: string): void;
  /** Every event so far, oldest first. */
  events(account?: string): StripeEvent[];
  /** Every delivery attempt so far, in the order they were made. */
  readonly deliveries: WebhookDelivery[];
  setWebhooks(settings: Partial<WebhookSettings>): void;
  /** Sends an event again to every endpoint subscribed to it (or only to `onlyEndpoint`), correctly signed; resolves with the attempts. */
  redeliver(eventId: string, account?: string, onlyEndpoint?: string): Promise<WebhookDelivery[]>;
  /** Resolves when no delivery (and no retry) is pending. */
  settleDeliveries(): Promise<void>;
  requests: RecordedRequest[];
  stats: SandboxStats;
  /** Closes the door: requests that arrive from now on are recorded, then wait (see gate.ts). */
  holdRequests(): void;
  /** Opens the door: every waiting request goes on. */
  releaseRequests(): void;
  /** Requests waiting at the closed door. */
  readonly waitingRequests: number;
  /** Requests between arrival and reply right now. */
  readonly inFlight: number;
}

export interface StartSandboxOptions {
  port?: number;
  host?: string;
  secretKey?: string;
  faults?: Partial<SandboxFaults>;
}
