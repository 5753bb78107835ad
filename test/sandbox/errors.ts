/** Stripe-shaped API errors: the status, body and headers of every failure the sandbox answers with. */

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorFields {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
}

export interface StripeErrorBody {
  error: StripeErrorFields & { doc_url?: string; request_log_url?: string };
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly fields: StripeErrorFields,
    readonly headers: Record<string, string> = {},
  ) {
    super(fields.message);
  }

  withHeaders(headers: Record<string, string>): StripeApiError {
    return new StripeApiError(this.status, this.fields, { ...this.headers, ...headers });
  }
}

export function stripeErrorBody(error: StripeApiError, requestId: string, authenticated: boolean): StripeErrorBody {
  const { type, code, message, param } = error.fields;
  // Same key order as Stripe's replies (alphabetical).
  const body: Partial<StripeErrorBody['error']> = {};
  if (code !== undefined) {
    body.code = code;
    body.doc_url = `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
  }
  body.message = message;
  if (param !== undefined) body.param = param;
  // Stripe only links a log entry when it knows whose request it was.
  if (authenticated) {
    body.request_log_url = `https://dashboard.stripe.com/test/logs/${requestId}?t=${Math.floor(Date.now() / 1000)}`;
  }
  body.type = type;
  return { error: body as StripeErrorBody['error'] };
}

const invalid = (status: number, message: string, extra: Omit<StripeErrorFields, 'type' | 'message'> = {}) =>
  new StripeApiError(status, { type: 'invalid_request_error', message, ...extra });

// --- authentication and headers ---

export const missingApiKey = () =>
  invalid(
    401,
    "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
  );

export const invalidApiKey = (maskedKey: string) => invalid(401, `Invalid API Key provided: ${maskedKey}`);

export const liveKeyRefused = (maskedKey: string) =>
  invalid(
    401,
    `Invalid API Key provided: ${maskedKey}. This local sandbox runs in test mode only: use a sk_test_ or rk_test_ key.`,
  );

export const missingPermission = (maskedKey: string, account: string, permission = 'rak_customer_write') =>
  invalid(
    403,
    `The provided key '${maskedKey}' does not have the required permissions for this endpoint on account '${account}'. Having the '${permission}' permission would allow this request to continue.`,
  );

export const tooManyWebhookEndpoints = (limit: number) =>
  invalid(400, `You have reached the maximum of ${limit} test webhook endpoints.`, { param: 'url' });

export const unknownAccount = (maskedKey: string, account: string) =>
  invalid(
    403,
    `The provided key '${maskedKey}' does not have access to account '${account}' (or that account does not exist). Application access may have been revoked.`,
    { code: 'account_invalid' },
  );

export const invalidApiVersion = (version: string) =>
  invalid(400, `Invalid Stripe API version: ${version}. Versions look like 2026-07-29 or 2026-07-29.dahlia.`);

export const unrecognizedUrl = (method: string, path: string) =>
  invalid(
    404,
    `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  );

// --- request bodies ---

export const bodyOnGet = () =>
  invalid(400, 'A GET request cannot have a body. Send its parameters in the query string instead.');

export const unsupportedContentType = (contentType: string) =>
  invalid(
    400,
    `Invalid request: unsupported Content-Type ${contentType || '(JSON body)'}. Stripe accepts application/x-www-form-urlencoded request bodies only.`,
  );

export const malformedParams = (detail: string, param?: string) => invalid(400, `Invalid request: ${detail}`, { param });

export const bodyTooLarge = () => invalid(413, 'Request body too large.');

// --- parameters ---

export const parameterUnknown = (param: string) =>
  invalid(400, `Received unknown parameter: ${param}`, { code: 'parameter_unknown', param });

export const parameterMissing = (param: string) =>
  invalid(400, `Missing required param: ${param}.`, { code: 'parameter_missing', param });

export const invalidInteger = (param: string, shown: string) =>
  invalid(400, `Invalid integer: ${shown}`, { code: 'parameter_invalid_integer', param });

export const invalidString = (param: string, shown: string) => invalid(400, `Invalid string: ${shown}`, { param });

export const stringTooLong = (param: string, value: string, maxLength: number) =>
  invalid(400, `Invalid string: ${abbreviate(value)}; must be at most ${maxLength} characters`, { param });

export const invalidArray = (param: string) => invalid(400, 'Invalid array', { param });

export const invalidHash = (param: string) => invalid(400, 'Invalid hash', { param });

export const integerOutOfRange = (param: string, min: number, max: number) =>
  invalid(400, `Invalid ${param}: must be between ${min} and ${max}.`, { param });

export const invalidCurrency = (param: string, value: string, supported: readonly string[]) =>
  invalid(
    400,
    value.toLowerCase() !== value && supported.includes(value.toLowerCase())
      ? `Invalid currency: ${value}. Currency codes must be lowercase, e.g. '${value.toLowerCase()}'.`
      : `Invalid currency: ${value}. Stripe currently supports these currencies: ${supported.join(', ')}`,
    { param },
  );

export const exclusiveParameters = (names: string[]) =>
  invalid(400, `You may only specify one of these parameters: ${names.join(', ')}.`, {
    code: 'parameters_exclusive',
    param: names[0],
  });

export const cannotExpand = (path: string, suggestion?: string) =>
  invalid(
    400,
    `This property cannot be expanded (${path}).${suggestion ? ` You may want to try expanding '${suggestion}' instead.` : ''}`,
    { param: 'expand' },
  );

export const invalidMetadata = (message: string) => invalid(400, message, { param: 'metadata' });

export const invalidSearchQuery = (detail: string) =>
  invalid(
    400,
    `We were unable to parse your search query (${detail}). Try using the format \`metadata["key"]:"value"\` to query for metadata or \`key:"value"\` to query for other fields.`,
    { param: 'query' },
  );

/** The sandbox's stand-in for an account where Stripe does not offer Search (Stripe's exact wording is not documented). */
export const searchUnavailable = () => invalid(400, 'Search is not available for this account.');

export const invalidPageToken = () => invalid(400, 'Invalid page: the page token is not valid for this search.', { param: 'page' });

// --- resources ---

export const resourceMissing = (what: string, id: string, param: string, status = 404) =>
  invalid(status, `No such ${what}: '${id}'`, { code: 'resource_missing', param });

// --- idempotency ---

export const idempotencyKeyTooLong = (length: number) =>
  invalid(
    400,
    `Invalid idempotency key: keys for idempotent requests can be at most 255 characters long, and you provided a key of length ${length}.`,
  );

export const idempotencyMismatch = (key: string) =>
  new StripeApiError(400, {
    type: 'idempotency_error',
    message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${abbreviate(key)}' if you meant to execute a different request.`,
  });

const keyInUseMessage =
  'There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): try again later.';

export const idempotencyKeyInUse = () =>
  invalid(409, keyInUseMessage, { code: 'idempotency_key_in_use' }).withHeaders({ 'Stripe-Should-Retry': 'true' });

/** A bare 409 without Stripe-Should-Retry (scripted): clients must retry it on the status alone. */
export const conflictWithoutRetryHint = () => invalid(409, keyInUseMessage, { code: 'idempotency_key_in_use' });

// --- load and failures ---

/** `reason`: the limiter that refused, sent in Stripe-Rate-Limited-Reason (global-rate, endpoint-rate, ...). */
export const rateLimited = (reason?: string) =>
  invalid(429, 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.', {
    code: 'rate_limit',
  }).withHeaders(reason === undefined ? {} : { 'Stripe-Rate-Limited-Reason': reason });

export const lockTimeout = () =>
  invalid(
    429,
    'This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request. If you see this error frequently and are making multiple concurrent requests to a single object, make your requests serially or at a lower rate. See https://stripe.com/docs/rate-limits for more details.',
    { code: 'lock_timeout' },
  ).withHeaders({ 'Stripe-Should-Retry': 'true' });

export const serverError = (shouldRetry?: boolean) =>
  new StripeApiError(
    500,
    { type: 'api_error', message: 'An unknown error occurred (fault injected by the local Stripe sandbox).' },
    shouldRetry === undefined ? {} : { 'Stripe-Should-Retry': String(shouldRetry) },
  );

export const serviceUnavailable = () =>
  new StripeApiError(503, {
    type: 'api_error',
    message: 'Stripe is temporarily unavailable (fault injected by the local Stripe sandbox). Please retry.',
  });

export const sandboxBug = (detail: string) =>
  new StripeApiError(500, { type: 'api_error', message: `Local Stripe sandbox internal error: ${detail}` });

function abbreviate(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}...` : value;
}
