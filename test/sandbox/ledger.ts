/** The customers and balance transactions of one Stripe account, and the money rules between them. */
import { DEFAULT_API_VERSION } from './headers';
import { newCustomerId, newInvoiceId, newInvoicePrefix, newTransactionId } from './ids';
import type { CustomerBalanceTransaction, StripeCustomer, StripeEvent } from './types';
import { applyMetadata, MetadataChange } from './validation';
import { WebhookEndpointStore, type StoredEndpoint } from './webhooks/endpointStore';
import { customerBefore, customerUpdatedEvent, previousAttributes, type CustomerBefore } from './webhooks/events';

/** Hands a new event to the endpoints subscribed to it (the sandbox's dispatcher). */
export type EventSink = (event: StripeEvent, endpoints: StoredEndpoint[]) => void;

/** Unix seconds that never go backwards, so `created` is monotonic in creation order. */
export class MonotonicClock {
  private last = 0;
  nowSeconds(): number {
    this.last = Math.max(this.last, Math.floor(Date.now() / 1000));
    return this.last;
  }
}

export interface NewCustomerFields {
  id?: string;
  email?: string | null;
  name?: string | null;
  phone?: string | null;
  description?: string | null;
  currency?: string | null;
  balance?: number;
  metadata?: MetadataChange;
}

export interface NewTransactionFields {
  amount: number;
  currency: string;
  description: string | null;
  metadata?: MetadataChange;
  /** Stripe's own transactions (tests' stand-in for an invoice or a credit note); the API writes `adjustment`. */
  type?: CustomerBalanceTransaction['type'];
  invoice?: string;
  creditNote?: string;
}

/**
 * Stored customers always carry invoice_credit_balance; replies include it only when expanded. Its sign is the
 * opposite of `balance`, as Stripe documents it: positive in a currency means credit for the next invoice.
 */
type StoredCustomer = StripeCustomer & { invoice_credit_balance: Record<string, number> };

/** How this account's Stripe Search behaves: how far it lags behind new customers, and whether it is offered at all. */
export interface SearchSettings {
  lagMs: number;
  available: boolean;
}

export class AccountLedger {
  private readonly customers = new Map<string, StoredCustomer>();
  private readonly transactions = new Map<string, CustomerBalanceTransaction>();
  /** Deleted customers answer a retrieve with `{ id, object, deleted: true }` and are found nowhere else. */
  private readonly deleted = new Set<string>();
  /** When each customer was created (ms), for the search lag. */
  private readonly createdAtMs = new Map<string, number>();
  search: SearchSettings = { lagMs: 0, available: true };
  readonly webhookEndpoints = new WebhookEndpointStore();
  private readonly eventLog: StripeEvent[] = [];

  constructor(
    private readonly clock: MonotonicClock,
    private readonly sink: EventSink = () => undefined,
  ) {}

  nowSeconds(): number {
    return this.clock.nowSeconds();
  }

  /** Everything here becomes `seconds` older (its `created`), as if that much time had passed since. */
  age(seconds: number): void {
    for (const transaction of this.transactions.values()) transaction.created -= seconds;
    for (const customer of this.customers.values()) customer.created -= seconds;
  }

  createCustomer(fields: NewCustomerFields): StoredCustomer {
    const id = fields.id ?? newCustomerId();
    if (this.customers.has(id)) throw new Error(`customer ${id} already exists`);
    const currency = fields.currency ?? null;
    const balance = fields.balance ?? 0;
    const customer: StoredCustomer = {
      id,
      object: 'customer',
      address: null,
      balance,
      created: this.clock.nowSeconds(),
      currency,
      default_source: null,
      delinquent: false,
      description: fields.description ?? null,
      discount: null,
      email: fields.email ?? null,
      invoice_credit_balance: currency === null ? {} : { [currency]: 0 - balance },
      invoice_prefix: newInvoicePrefix(),
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
      livemode: false,
      metadata: fields.metadata === undefined ? {} : applyMetadata({}, fields.metadata),
      name: fields.name ?? null,
      next_invoice_sequence: 1,
      phone: fields.phone ?? null,
      preferred_locales: [],
      shipping: null,
      tax_exempt: 'none',
      test_clock: null,
    };
    this.customers.set(id, customer);
    this.createdAtMs.set(id, Date.now());
    return customer;
  }

  /** Live customers only: a deleted customer is a 404 for every request but its own retrieve. */
  findCustomer(id: string): StoredCustomer | undefined {
    return this.deleted.has(id) ? undefined : this.customers.get(id);
  }

  isDeleted(id: string): boolean {
    return this.deleted.has(id);
  }

  deleteCustomer(id: string): void {
    if (!this.findCustomer(id)) throw new Error(`no live customer ${id}`);
    this.deleted.add(id);
  }

  customersNewestFirst(): StoredCustomer[] {
    return [...this.customers.values()].reverse().filter((customer) => !this.deleted.has(customer.id));
  }

  /** What Stripe Search sees: live customers created at least `search.lagMs` ago. */
  searchableNewestFirst(): StoredCustomer[] {
    const indexedBefore = Date.now() - this.search.lagMs;
    return this.customersNewestFirst().filter((customer) => (this.createdAtMs.get(customer.id) ?? 0) <= indexedBefore);
  }

  /** The customer's balance in a currency, in `balance`'s sign (negative: credit). */
  balanceIn(customer: StoredCustomer, currency: string): number {
    const credit = customer.invoice_credit_balance[currency];
    return credit === undefined ? (customer.currency === null ? customer.balance : 0) : 0 - credit;
  }

  /** Stripe finalizing an invoice: the balance applied to it, a credit up to its total or all that is owed. */
  applyBalanceToInvoice(customer: StoredCustomer, invoiceTotal: number, currency: string): CustomerBalanceTransaction | undefined {
    const balance = this.balanceIn(customer, currency);
    const applied = balance < 0 ? Math.min(0 - balance, invoiceTotal) : 0 - balance;
    if (applied === 0) return undefined;
    return this.createTransaction(customer, { amount: applied, currency, description: null, type: 'applied_to_invoice', invoice: newInvoiceId() });
  }

  /**
   * Applies a transaction (an adjustment unless `type` says otherwise): the customer's balance in that currency moves by `amount`
   * (negative = credit). A customer without a currency adopts this one, carrying over
   * a balance set before it had a currency.
   */
  createTransaction(customer: StoredCustomer, fields: NewTransactionFields): CustomerBalanceTransaction {
    const { currency, amount } = fields;
    const before = customerBefore(customer);
    const endingBalance = this.balanceIn(customer, currency) + amount;
    customer.invoice_credit_balance[currency] = 0 - endingBalance;
    if (customer.currency === null) customer.currency = currency;
    if (customer.currency === currency) customer.balance = endingBalance;
    const transaction: CustomerBalanceTransaction = {
      id: newTransactionId(),
      object: 'customer_balance_transaction',
      amount,
      checkout_session: null,
      created: this.clock.nowSeconds(),
      credit_note: fields.creditNote ?? null,
      currency,
      customer: customer.id,
      customer_account: null,
      description: fields.description,
      ending_balance: endingBalance,
      invoice: fields.invoice ?? null,
      livemode: false,
      metadata: fields.metadata === undefined ? null : applyMetadata(null, fields.metadata),
      type: fields.type ?? 'adjustment',
    };
    this.transactions.set(transaction.id, transaction);
    this.customerUpdated(customer, before);
    return transaction;
  }

  /** A change of email or name, as the Dashboard makes it. */
  updateCustomer(id: string, change: { email?: string | null; name?: string | null }): void {
    const customer = this.findCustomer(id);
    if (!customer) throw new Error(`no live customer ${id}`);
    const before = customerBefore(customer);
    if (change.email !== undefined) customer.email = change.email;
    if (change.name !== undefined) customer.name = change.name;
    this.customerUpdated(customer, before);
  }

  /** Every change to a customer is a `customer.updated` event, sent to the endpoints that subscribe to it. */
  private customerUpdated(customer: StoredCustomer, before: CustomerBefore): void {
    const previous = previousAttributes(before, customer);
    if (Object.keys(previous).length === 0) return;
    const event = customerUpdatedEvent(customer, previous, this.clock.nowSeconds(), DEFAULT_API_VERSION);
    const endpoints = this.webhookEndpoints.subscribedTo(event.type);
    event.pending_webhooks = endpoints.length;
    this.eventLog.push(event);
    this.sink(structuredClone(event), endpoints);
  }

  /** Oldest first. */
  events(): StripeEvent[] {
    return structuredClone(this.eventLog);
  }

  findEvent(id: string): StripeEvent | undefined {
    const event = this.eventLog.find((candidate) => candidate.id === id);
    return event && structuredClone(event);
  }

  findTransaction(customerId: string, transactionId: string): CustomerBalanceTransaction | undefined {
    const transaction = this.transactions.get(transactionId);
    return transaction?.customer === customerId ? transaction : undefined;
  }

  /** In creation order; all customers when customerId is omitted. */
  transactionsOf(customerId?: string): CustomerBalanceTransaction[] {
    const all = [...this.transactions.values()];
    return customerId === undefined ? all : all.filter((transaction) => transaction.customer === customerId);
  }

  updateTransaction(
    transaction: CustomerBalanceTransaction,
    change: { description?: string | null; metadata?: MetadataChange },
  ): CustomerBalanceTransaction {
    if (change.description !== undefined) transaction.description = change.description;
    if (change.metadata !== undefined) transaction.metadata = applyMetadata(transaction.metadata, change.metadata);
    return transaction;
  }

  clear(): void {
    this.customers.clear();
    this.transactions.clear();
    this.deleted.clear();
    this.createdAtMs.clear();
    this.search = { lagMs: 0, available: true };
    this.webhookEndpoints.clear();
    this.eventLog.length = 0;
  }
}
