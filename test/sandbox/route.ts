/** The shape every route of the endpoint table follows (router.ts matches them, handlers/ define them). */
import type { FormObject } from './forms';
import type { AccountLedger } from './ledger';

export interface RouteInput {
  params: FormObject;
  /** Decoded path segments named in the template, e.g. { customer: 'cus_123' }. */
  path: Record<string, string>;
}

/** A validated request, ready to run. Validation errors are thrown by `prepare`, before anything runs. */
export interface PreparedOperation {
  /** Writes to an existing customer hold that customer's lock while they run. */
  lockCustomerId?: string;
  /** Runs against the account's data; throws StripeApiError (e.g. 404) or returns the reply body. */
  run(ledger: AccountLedger): unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** e.g. '/v1/customers/:customer/balance_transactions' */
  template: string;
  prepare(input: RouteInput): PreparedOperation;
}

export interface RouteMatch {
  route: Route;
  path: Record<string, string>;
}
