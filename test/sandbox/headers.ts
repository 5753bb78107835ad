/** Reading request headers, and the Stripe-Version rules. */
import type { IncomingHttpHeaders } from 'node:http';

export const DEFAULT_API_VERSION = '2026-07-29.dahlia';

const API_VERSION_PATTERN = /^\d{4}-\d{2}-\d{2}(\.[a-z][a-z0-9_]*)?$/;

export function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function isValidApiVersion(version: string): boolean {
  return API_VERSION_PATTERN.test(version);
}

/** The version a reply is rendered for: the request's when valid, else the default. */
export function replyApiVersion(headers: IncomingHttpHeaders): string {
  const requested = firstHeader(headers, 'stripe-version');
  return requested !== undefined && isValidApiVersion(requested) ? requested : DEFAULT_API_VERSION;
}
