/** Renders stored objects as API replies: copies, with expansions applied. */
import type { AccountLedger } from './ledger';
import type { CustomerBalanceTransaction, StripeCustomer } from './types';

export const CUSTOMER_EXPANDABLE = ['invoice_credit_balance', 'default_source', 'test_clock', 'invoice_settings.default_payment_method'];
export const TRANSACTION_EXPANDABLE = ['checkout_session', 'credit_note', 'customer', 'invoice'];

export function renderCustomer(customer: StripeCustomer, expand: ReadonlySet<string> = new Set()): StripeCustomer {
  const copy = structuredClone(customer);
  if (!expand.has('invoice_credit_balance')) delete copy.invoice_credit_balance;
  return copy;
}

/** The helper view for tests: everything, including invoice_credit_balance. */
export function snapshotCustomer(customer: StripeCustomer): StripeCustomer {
  return structuredClone(customer);
}

export type RenderedTransaction = Omit<CustomerBalanceTransaction, 'customer'> & { customer: string | StripeCustomer };

/** checkout_session, credit_note and invoice are always null here, so expanding them keeps null. */
export function renderTransaction(
  transaction: CustomerBalanceTransaction,
  ledger: AccountLedger,
  expand: ReadonlySet<string> = new Set(),
): RenderedTransaction {
  const copy: RenderedTransaction = structuredClone(transaction);
  if (expand.has('customer')) {
    const customer = ledger.findCustomer(transaction.customer);
    if (customer) copy.customer = renderCustomer(customer);
  }
  return copy;
}

export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export interface SearchResultObject<T> {
  object: 'search_result';
  data: T[];
  has_more: boolean;
  next_page: string | null;
  url: string;
  total_count?: number;
}
