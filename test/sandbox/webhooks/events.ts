/** Events as Stripe writes them: `customer.updated` with the changed attributes' previous values. */
import { randomAlphanumeric } from '../ids';
import type { StripeCustomer, StripeEvent } from '../types';

export const newEventId = () => `evt_${randomAlphanumeric(24)}`;

/** What a customer looked like before a change, for `previous_attributes`. */
export interface CustomerBefore {
  balance: number;
  currency: string | null;
  invoice_credit_balance: Record<string, number>;
  email: string | null;
  name: string | null;
}

export function customerBefore(customer: StripeCustomer): CustomerBefore {
  return {
    balance: customer.balance,
    currency: customer.currency,
    invoice_credit_balance: { ...(customer.invoice_credit_balance ?? {}) },
    email: customer.email,
    name: customer.name,
  };
}

/**
 * The attributes that changed, with their previous values. For `invoice_credit_balance` only the currencies that
 * changed are listed, a currency that had no entry before as null (as Stripe lists keys that were unset).
 */
export function previousAttributes(before: CustomerBefore, after: StripeCustomer): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  if (before.balance !== after.balance) previous.balance = before.balance;
  if (before.currency !== after.currency) previous.currency = before.currency;
  if (before.email !== after.email) previous.email = before.email;
  if (before.name !== after.name) previous.name = before.name;
  const credit: Record<string, number | null> = {};
  for (const [currency, value] of Object.entries(after.invoice_credit_balance ?? {})) {
    if (before.invoice_credit_balance[currency] !== value) credit[currency] = before.invoice_credit_balance[currency] ?? null;
  }
  if (Object.keys(credit).length > 0) previous.invoice_credit_balance = credit;
  return previous;
}

export function customerUpdatedEvent(
  customer: StripeCustomer,
  previous: Record<string, unknown>,
  created: number,
  apiVersion: string,
): StripeEvent {
  return {
    id: newEventId(),
    object: 'event',
    api_version: apiVersion,
    created,
    // The customer after the change, with its credit balance per currency (the trigger reads the new values here).
    data: { object: structuredClone(customer), previous_attributes: previous },
    livemode: false,
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    type: 'customer.updated',
  };
}
