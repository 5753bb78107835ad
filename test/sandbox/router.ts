/** The endpoint table: which route serves a method + path, and the shape every route follows. */
import { balanceTransactionRoutes } from './handlers/balanceTransactions';
import { customerRoutes } from './handlers/customers';
import { webhookEndpointRoutes } from './handlers/webhookEndpoints';
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

// Literal paths come before parameterised ones: /v1/customers/search is not a customer id.
const ROUTES: Route[] = [...customerRoutes, ...balanceTransactionRoutes, ...webhookEndpointRoutes];

export interface RouteMatch {
  route: Route;
  path: Record<string, string>;
}

export function matchRoute(method: string, pathname: string): RouteMatch | undefined {
  const segments = pathname.split('/');
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const path = matchTemplate(route.template.split('/'), segments);
    if (path) return { route, path };
  }
  return undefined;
}

function matchTemplate(template: string[], segments: string[]): Record<string, string> | undefined {
  if (template.length !== segments.length) return undefined;
  const path: Record<string, string> = {};
  for (let index = 0; index < template.length; index++) {
    const expected = template[index];
    const actual = segments[index];
    if (expected.startsWith(':')) {
      if (actual === '') return undefined;
      path[expected.slice(1)] = safeDecode(actual);
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return path;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
