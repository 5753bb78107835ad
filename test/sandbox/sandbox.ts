/** The Sandbox object: wires the state together, serves it over HTTP, and offers helpers to tests. */
import { ApiKeyRegistry } from './auth';
import type { SandboxState } from './context';
import { isSupportedCurrency } from './currencies';
import { FaultInjector } from './faults';
import { RequestGate } from './gate';
import { IdempotencyStore } from './idempotency';
import { KeyedLocks } from './locks';
import { snapshotCustomer } from './objects';
import { RequestPipeline } from './pipeline';
import { SlidingWindowRateLimiter } from './rateLimit';
import { listen, ListeningServer } from './server';
import { SandboxStore } from './store';
import { CancellableTimers } from './timers';
import { WebhookDispatcher } from './webhooks/deliveries';
import type {
  CreateCustomerInput,
  CustomerBalanceTransaction,
  NewTransaction,
  RecordedRequest,
  Sandbox,
  SandboxFaults,
  SandboxStats,
  StartSandboxOptions,
  StripeCustomer,
  StripeEvent,
  WebhookDelivery,
  WebhookSettings,
} from './types';

export const DEFAULT_SECRET_KEY = 'sk_test_sandbox4eC39HqLyjWDarjtT1zdp7dc';

const emptyStats = (): SandboxStats => ({
  committedWrites: 0,
  replays: 0,
  rateLimited: 0,
  rateLimitedBy: {},
  lockTimeouts: 0,
  serverErrors: 0,
  dropped: 0,
  slow: 0,
  idempotencyErrors: 0,
  peakInFlight: 0,
});

class LocalStripeSandbox implements Sandbox {
  url = '';
  readonly requests: RecordedRequest[] = [];
  readonly stats: SandboxStats = emptyStats();
  private readonly state: SandboxState;
  private listening?: ListeningServer;

  constructor(readonly secretKey: string) {
    const timers = new CancellableTimers();
    const webhooks = new WebhookDispatcher(timers);
    this.state = {
      keys: new ApiKeyRegistry(),
      store: new SandboxStore((event, endpoints) => webhooks.dispatch(event, endpoints)),
      faults: new FaultInjector(),
      limiter: new SlidingWindowRateLimiter(),
      idempotency: new IdempotencyStore(),
      locks: new KeyedLocks(),
      timers,
      gate: new RequestGate(),
      webhooks,
      inFlight: 0,
      stats: this.stats,
      requests: this.requests,
    };
    this.state.keys.add(secretKey);
  }

  async start(port: number, host: string): Promise<void> {
    const pipeline = new RequestPipeline(this.state);
    this.listening = await listen((request) => pipeline.handle(request), { port, host });
    this.url = this.listening.url;
  }

  async close(): Promise<void> {
    this.state.webhooks.close();
    this.state.gate.open();
    this.state.timers.cancelAll();
    await this.listening?.close();
  }

  holdRequests(): void {
    this.state.gate.close();
  }

  releaseRequests(): void {
    this.state.gate.open();
  }

  get waitingRequests(): number {
    return this.state.gate.waiting;
  }

  get inFlight(): number {
    return this.state.inFlight;
  }

  setFaults(faults: Partial<SandboxFaults>): void {
    this.state.faults.update(faults);
  }

  /**
   * As if `seconds` had passed: every customer and transaction is that much older (`created`), and so is every
   * idempotency key (forgotten once older than `idempotencyKeyTtlMs`). New objects get the real time.
   */
  passTime(seconds: number): void {
    this.state.store.age(seconds);
    this.state.idempotency.age(seconds * 1000);
  }

  /** Clears data, records, stats and faults in place (arrays and stats objects others hold stay valid); keeps keys and accounts. */
  reset(): void {
    this.state.store.clearData();
    this.state.idempotency.clear();
    this.state.limiter.clear();
    this.state.faults.reset();
    this.state.gate.open();
    this.state.webhooks.reset();
    this.requests.length = 0;
    Object.assign(this.stats, emptyStats());
  }

  createCustomer(input: CreateCustomerInput = {}): StripeCustomer {
    const ledger = input.account === undefined ? this.state.store.platform : this.state.store.addAccount(input.account);
    const currency = input.currency ?? null;
    if (currency !== null && !isSupportedCurrency(currency)) throw new Error(`unsupported currency '${currency}' (lowercase ISO codes)`);
    if (input.balance !== undefined && !Number.isSafeInteger(input.balance)) throw new Error('balance must be an integer');
    const customer = ledger.createCustomer({
      id: input.id,
      email: input.email,
      name: input.name,
      currency,
      balance: input.balance,
      metadata: input.metadata,
    });
    return snapshotCustomer(customer);
  }

  customer(id: string, account?: string): StripeCustomer | undefined {
    const found = this.state.store.ledger(account)?.findCustomer(id);
    return found && snapshotCustomer(found);
  }

  deleteCustomer(id: string, account?: string): void {
    const ledger = this.state.store.ledger(account);
    if (!ledger) throw new Error(`unknown account ${account}`);
    ledger.deleteCustomer(id);
  }

  setSearch(settings: { lagMs?: number; available?: boolean }, account?: string): void {
    const ledger = this.state.store.ledger(account);
    if (!ledger) throw new Error(`unknown account ${account}`);
    ledger.search = { ...ledger.search, ...settings };
  }

  transactions(customerId?: string, account?: string): CustomerBalanceTransaction[] {
    return structuredClone(this.state.store.ledger(account)?.transactionsOf(customerId) ?? []);
  }

  addAccount(id: string): void {
    if (id.trim() === '') throw new Error('account id must not be empty');
    this.state.store.addAccount(id);
  }

  addKey(key: string, opts: { readOnly?: boolean; webhooks?: boolean } = {}): void {
    this.state.keys.add(key, opts.readOnly ?? false, opts.webhooks ?? true);
  }

  createTransaction(customerId: string, change: NewTransaction, account?: string): CustomerBalanceTransaction {
    const ledger = this.ledgerOf(account);
    const customer = ledger.findCustomer(customerId);
    if (!customer) throw new Error(`no live customer ${customerId}`);
    if (!Number.isSafeInteger(change.amount)) throw new Error('amount must be an integer');
    if (!isSupportedCurrency(change.currency)) throw new Error(`unsupported currency '${change.currency}' (lowercase ISO codes)`);
    const { amount, currency, metadata, type, invoice, creditNote } = change;
    return structuredClone(
      ledger.createTransaction(customer, { amount, currency, description: change.description ?? null, metadata, type, invoice, creditNote }),
    );
  }

  applyBalanceToInvoice(customerId: string, invoice: { invoiceTotal: number; currency: string }, account?: string): CustomerBalanceTransaction | undefined {
    const ledger = this.ledgerOf(account);
    const customer = ledger.findCustomer(customerId);
    if (!customer) throw new Error(`no live customer ${customerId}`);
    if (!Number.isSafeInteger(invoice.invoiceTotal) || invoice.invoiceTotal < 0) throw new Error('invoiceTotal must be a non-negative integer');
    const applied = ledger.applyBalanceToInvoice(customer, invoice.invoiceTotal, invoice.currency);
    return applied && structuredClone(applied);
  }

  updateCustomer(id: string, change: { email?: string | null; name?: string | null }, account?: string): void {
    this.ledgerOf(account).updateCustomer(id, change);
  }

  events(account?: string): StripeEvent[] {
    return this.state.store.ledger(account)?.events() ?? [];
  }

  get deliveries(): WebhookDelivery[] {
    return this.state.webhooks.deliveries;
  }

  setWebhooks(settings: Partial<WebhookSettings>): void {
    this.state.webhooks.update(settings);
  }

  /** Stripe's "Resend" of an event, to each endpoint subscribed to it, or only to `onlyEndpoint`. */
  async redeliver(eventId: string, account?: string, onlyEndpoint?: string): Promise<WebhookDelivery[]> {
    const ledger = this.ledgerOf(account);
    const event = ledger.findEvent(eventId);
    if (!event) throw new Error(`no event ${eventId}`);
    const endpoints = ledger.webhookEndpoints.subscribedTo(event.type).filter((endpoint) => onlyEndpoint === undefined || endpoint.id === onlyEndpoint);
    return await this.state.webhooks.redeliver(event, endpoints);
  }

  async settleDeliveries(): Promise<void> {
    await this.state.webhooks.settle();
  }

  private ledgerOf(account: string | undefined) {
    const ledger = this.state.store.ledger(account);
    if (!ledger) throw new Error(`unknown account ${account}`);
    return ledger;
  }
}

export async function startSandbox(opts: StartSandboxOptions = {}): Promise<Sandbox> {
  const sandbox = new LocalStripeSandbox(opts.secretKey ?? DEFAULT_SECRET_KEY);
  if (opts.faults) sandbox.setFaults(opts.faults);
  await sandbox.start(opts.port ?? 0, opts.host ?? '127.0.0.1');
  return sandbox;
}
