import { request as httpRequest } from 'node:http';
import Stripe from 'stripe';
import { DEFAULT_API_VERSION, NO_RATE_LIMITS, Sandbox, startSandbox } from '.';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

const CUSTOMER_FIELDS = [
  'address', 'balance', 'created', 'currency', 'default_source', 'delinquent', 'description', 'discount', 'email', 'id',
  'invoice_prefix', 'invoice_settings', 'livemode', 'metadata', 'name', 'next_invoice_sequence', 'object', 'phone',
  'preferred_locales', 'shipping', 'tax_exempt', 'test_clock',
];
const TRANSACTION_FIELDS = [
  'amount', 'checkout_session', 'created', 'credit_note', 'currency', 'customer', 'customer_account', 'description',
  'ending_balance', 'id', 'invoice', 'livemode', 'metadata', 'object', 'type',
];

function sdk(key = sandbox.secretKey): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port: Number(new URL(sandbox.url).port), protocol: 'http', maxNetworkRetries: 0 });
}

interface CallOptions {
  form?: string | Record<string, string>;
  headers?: Record<string, string>;
  /** null: no Authorization header. */
  key?: string | null;
  idempotencyKey?: string;
}

interface ApiReply {
  status: number;
  headers: Headers;
  body: any;
  ms: number;
}

async function call(method: 'GET' | 'POST', path: string, options: CallOptions = {}): Promise<ApiReply> {
  const headers: Record<string, string> = {};
  if (options.key !== null) headers.Authorization = `Bearer ${options.key ?? sandbox.secretKey}`;
  if (options.idempotencyKey !== undefined) headers['Idempotency-Key'] = options.idempotencyKey;
  let body: string | undefined;
  if (options.form !== undefined) {
    body = typeof options.form === 'string' ? options.form : new URLSearchParams(options.form).toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  const started = Date.now();
  const response = await fetch(sandbox.url + path, { method, headers: { ...headers, ...options.headers }, body });
  return { status: response.status, headers: response.headers, body: await response.json(), ms: Date.now() - started };
}

const credit = (customer: string, form: Record<string, string>, options: CallOptions = {}) =>
  call('POST', `/v1/customers/${customer}/balance_transactions`, { ...options, form });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('customers', () => {
  it('creates a customer shaped like Stripe’s, and retrieves it with invoice_credit_balance only when expanded', async () => {
    const stripe = sdk();
    const created = await stripe.customers.create({ email: 'ada@example.com', name: 'Ada', metadata: { plan: 'pro' } });
    expect(created.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(Object.keys(created).sort()).toEqual(CUSTOMER_FIELDS);
    expect(created).toMatchObject({ object: 'customer', livemode: false, balance: 0, currency: null, metadata: { plan: 'pro' } });

    const plain = await stripe.customers.retrieve(created.id);
    expect(plain).not.toHaveProperty('invoice_credit_balance');
    const expanded = (await stripe.customers.retrieve(created.id, { expand: ['invoice_credit_balance'] })) as Stripe.Customer;
    expect(expanded.invoice_credit_balance).toEqual({});
  });

  it('answers 404 resource_missing for an unknown customer', async () => {
    await expect(sdk().customers.retrieve('cus_x')).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 404,
      code: 'resource_missing',
      message: "No such customer: 'cus_x'",
    });
  });

  it('lists newest first with limit, cursors in both directions and an exact email filter', async () => {
    const ids = [1, 2, 3, 4, 5].map((n) => sandbox.createCustomer({ email: `c${n}@example.com` }).id);
    const newestFirst = [...ids].reverse();
    const first = await call('GET', '/v1/customers?limit=2');
    expect(first.body).toMatchObject({ object: 'list', has_more: true, url: '/v1/customers' });
    expect(first.body.data.map((c: { id: string }) => c.id)).toEqual(newestFirst.slice(0, 2));
    const next = await call('GET', `/v1/customers?limit=2&starting_after=${newestFirst[1]}`);
    expect(next.body.data.map((c: { id: string }) => c.id)).toEqual(newestFirst.slice(2, 4));
    const last = await call('GET', `/v1/customers?limit=2&starting_after=${newestFirst[3]}`);
    expect(last.body).toMatchObject({ has_more: false, data: [{ id: newestFirst[4] }] });
    const back = await call('GET', `/v1/customers?limit=2&ending_before=${newestFirst[4]}`);
    expect(back.body.data.map((c: { id: string }) => c.id)).toEqual(newestFirst.slice(2, 4));
    expect(back.body.has_more).toBe(true);
    const byEmail = await call('GET', '/v1/customers?email=c3%40example.com');
    expect(byEmail.body.data.map((c: { id: string }) => c.id)).toEqual([ids[2]]);
    expect((await call('GET', '/v1/customers?email=C3%40example.com')).body.data).toEqual([]);
    expect((await call('GET', '/v1/customers')).body.data).toHaveLength(5);
    const withCredit = await call('GET', '/v1/customers?limit=1&expand[]=data.invoice_credit_balance');
    expect(withCredit.body.data[0].invoice_credit_balance).toEqual({});
  });

  it('creates with balance, description and metadata through the API; rejects unknown params', async () => {
    const created = await call('POST', '/v1/customers', { form: 'email=b%40example.com&balance=-250&description=VIP&metadata[tier]=gold' });
    expect(created.body).toMatchObject({ email: 'b@example.com', balance: -250, currency: null, description: 'VIP', metadata: { tier: 'gold' } });
    expect(sandbox.customer(created.body.id)).toMatchObject({ balance: -250 });
    expect((await call('POST', '/v1/customers', { form: 'currency=usd' })).body.error.code).toBe('parameter_unknown');
  });

  it('auto-paginates through the official SDK', async () => {
    for (let n = 0; n < 25; n++) sandbox.createCustomer({ email: `p${n}@example.com` });
    const seen: string[] = [];
    for await (const customer of sdk().customers.list({ limit: 10 })) seen.push(customer.id);
    expect(new Set(seen).size).toBe(25);
  });

  it('searches with ~ (case-insensitive substring), : (exact), OR and AND, and pages with next_page', async () => {
    const ada = sandbox.createCustomer({ email: 'ada@lovelace.dev', name: 'Ada Lovelace' });
    const grace = sandbox.createCustomer({ email: 'grace@navy.mil', name: 'Grace Hopper' });
    sandbox.createCustomer({ email: 'alan@bletchley.uk', name: 'Alan Turing' });
    const stripe = sdk();
    const ids = (result: { data: Array<{ id: string }> }) => result.data.map((c) => c.id);

    expect(ids(await stripe.customers.search({ query: 'email~"LOVELACE"' }))).toEqual([ada.id]);
    expect(ids(await stripe.customers.search({ query: 'name:"grace hopper"' }))).toEqual([grace.id]);
    expect(ids(await stripe.customers.search({ query: 'name:"grace"' }))).toEqual([]);
    expect(ids(await stripe.customers.search({ query: 'email~"ada" OR name~"hopper"' }))).toEqual([grace.id, ada.id]);
    expect(ids(await stripe.customers.search({ query: 'email~"ada" AND name~"hopper"' }))).toEqual([]);

    const counted = await call('GET', '/v1/customers/search?expand[]=total_count&query=' + encodeURIComponent('email~"."'));
    expect(counted.body.total_count).toBe(3);
    const page1 = await stripe.customers.search({ query: 'email~"."', limit: 2 });
    expect(page1).toMatchObject({ object: 'search_result', has_more: true, url: '/v1/customers/search' });
    const page2 = await stripe.customers.search({ query: 'email~"."', limit: 2, page: page1.next_page! });
    expect(page2).toMatchObject({ has_more: false, next_page: null });
    expect(ids(page2)).toEqual([ada.id]);

    const bad = await call('GET', '/v1/customers/search?query=' + encodeURIComponent('email~"a" AND name~"b" OR name~"c"'));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: 'invalid_request_error', param: 'query' });
    expect((await call('GET', '/v1/customers/search?query=' + encodeURIComponent('city:"x"'))).status).toBe(400);
    expect((await call('GET', '/v1/customers/search')).body.error).toMatchObject({ code: 'parameter_missing', param: 'query' });
  });

  it("searches single-quoted values and metadata (metadata['crm_id']:'0012345'), case-insensitively on email", async () => {
    const jane = sandbox.createCustomer({ email: 'Jane@Acme.com', metadata: { crm_id: '0012345' } });
    sandbox.createCustomer({ email: 'obrien@acme.com', metadata: { crm_id: '0099999' } });
    const stripe = sdk();
    const ids = (result: { data: Array<{ id: string }> }) => result.data.map((c) => c.id);
    expect(ids(await stripe.customers.search({ query: "email:'jane@acme.com'" }))).toEqual([jane.id]);
    expect(ids(await stripe.customers.search({ query: "metadata['crm_id']:'0012345'" }))).toEqual([jane.id]);
    expect(ids(await stripe.customers.search({ query: "email:'jane@acme.com' AND metadata['crm_id']:'0099999'" }))).toEqual([]);
    const unterminated = await call('GET', '/v1/customers/search?query=' + encodeURIComponent("email:'jane@acme.com"));
    expect(unterminated.status).toBe(400);
    expect(unterminated.body.error.message).toMatch(/^We were unable to parse your search query/);
  });

  it('the email filter of the list is exact and case-sensitive', async () => {
    const jane = sandbox.createCustomer({ email: 'Jane@Acme.com' });
    expect((await call('GET', '/v1/customers?email=' + encodeURIComponent('Jane@Acme.com'))).body.data.map((c: { id: string }) => c.id)).toEqual([jane.id]);
    expect((await call('GET', '/v1/customers?email=' + encodeURIComponent('jane@acme.com'))).body.data).toEqual([]);
  });

  it('a deleted customer: retrieved as { id, object, deleted: true }, never listed or searched, a 404 for its balance', async () => {
    const gone = sandbox.createCustomer({ email: 'gone@acme.com' });
    sandbox.deleteCustomer(gone.id);
    expect((await call('GET', `/v1/customers/${gone.id}`)).body).toEqual({ id: gone.id, object: 'customer', deleted: true });
    expect((await call('GET', '/v1/customers?email=gone%40acme.com')).body.data).toEqual([]);
    expect((await sdk().customers.search({ query: "email:'gone@acme.com'" })).data).toEqual([]);
    expect((await call('POST', `/v1/customers/${gone.id}/balance_transactions`, { form: 'amount=-1&currency=usd' })).status).toBe(404);
  });

  it('search lags behind new customers when told to, and can be unavailable; the list filter still finds them', async () => {
    sandbox.setSearch({ lagMs: 60_000 });
    const fresh = sandbox.createCustomer({ email: 'fresh@acme.com' });
    expect((await sdk().customers.search({ query: "email:'fresh@acme.com'" })).data).toEqual([]);
    expect((await call('GET', '/v1/customers?email=fresh%40acme.com')).body.data.map((c: { id: string }) => c.id)).toEqual([fresh.id]);
    sandbox.setSearch({ lagMs: 0, available: false });
    const unavailable = await call('GET', '/v1/customers/search?query=' + encodeURIComponent("email:'fresh@acme.com'"));
    expect(unavailable.status).toBe(400);
    expect(unavailable.body.error.type).toBe('invalid_request_error');
  });
});

describe('balance transactions', () => {
  it('moves the balance: ending_balance, customer.balance and currency adoption', async () => {
    const stripe = sdk();
    const customer = sandbox.createCustomer({ email: 'a@example.com' });
    const first = await stripe.customers.createBalanceTransaction(customer.id, { amount: -500, currency: 'usd' });
    expect(first.id).toMatch(/^cbtxn_[A-Za-z0-9]{24}$/);
    expect(Object.keys(first).sort()).toEqual(TRANSACTION_FIELDS);
    expect(first).toMatchObject({
      object: 'customer_balance_transaction',
      amount: -500,
      currency: 'usd',
      customer: customer.id,
      ending_balance: -500,
      type: 'adjustment',
      livemode: false,
      metadata: null,
      description: null,
      invoice: null,
      credit_note: null,
      checkout_session: null,
      customer_account: null,
    });
    const second = await stripe.customers.createBalanceTransaction(customer.id, { amount: 200, currency: 'usd', metadata: { ref: 'x' } });
    expect(second.ending_balance).toBe(-300);
    expect(second.metadata).toEqual({ ref: 'x' });
    expect(second.created).toBeGreaterThanOrEqual(first.created);
    expect(sandbox.customer(customer.id)).toMatchObject({ balance: -300, currency: 'usd', invoice_credit_balance: { usd: 300 } });
    expect(sandbox.transactions(customer.id).map((t) => t.id)).toEqual([first.id, second.id]);
  });

  it('keeps a balance per currency; customer.balance follows the customer’s currency only', async () => {
    const customer = sandbox.createCustomer({ currency: 'usd', balance: -100 });
    const eur = await credit(customer.id, { amount: '-700', currency: 'eur' });
    expect(eur.body.ending_balance).toBe(-700);
    const usd = await credit(customer.id, { amount: '50', currency: 'usd' });
    expect(usd.body.ending_balance).toBe(-50);
    const fetched = await call('GET', `/v1/customers/${customer.id}?expand[]=invoice_credit_balance`);
    expect(fetched.body).toMatchObject({ balance: -50, currency: 'usd', invoice_credit_balance: { usd: 50, eur: 700 } });
  });

  it('carries a balance set before the customer had a currency into the first transaction’s currency', async () => {
    const customer = sandbox.createCustomer({ balance: 300 });
    const reply = await credit(customer.id, { amount: '-100', currency: 'gbp' });
    expect(reply.body.ending_balance).toBe(200);
    expect(sandbox.customer(customer.id)).toMatchObject({ balance: 200, currency: 'gbp' });
  });

  it('expands customer (and the null links) on create, retrieve and list', async () => {
    const customer = sandbox.createCustomer({ email: 'x@example.com' });
    const created = await credit(customer.id, { amount: '-1', currency: 'usd', 'expand[0]': 'customer', 'expand[1]': 'invoice' });
    expect(created.body.customer).toMatchObject({ object: 'customer', id: customer.id, balance: -1 });
    expect(created.body.invoice).toBeNull();
    const fetched = await sdk().customers.retrieveBalanceTransaction(customer.id, created.body.id, { expand: ['customer'] });
    expect(fetched.customer).toMatchObject({ id: customer.id });
    const listed = await call('GET', `/v1/customers/${customer.id}/balance_transactions?expand[]=data.customer`);
    expect(listed.body.data[0].customer).toMatchObject({ id: customer.id });
    const wrong = await call('GET', `/v1/customers/${customer.id}/balance_transactions?expand[]=customer`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain("data.customer");
  });

  it('retrieves, and answers 404 for unknown transactions or another customer’s', async () => {
    const a = sandbox.createCustomer();
    const b = sandbox.createCustomer();
    const txn = (await credit(a.id, { amount: '-5', currency: 'usd' })).body;
    expect((await call('GET', `/v1/customers/${a.id}/balance_transactions/${txn.id}`)).body).toEqual(txn);
    const other = await call('GET', `/v1/customers/${b.id}/balance_transactions/${txn.id}`);
    expect(other.status).toBe(404);
    expect(other.body.error).toMatchObject({ code: 'resource_missing', param: 'transaction' });
    const unknownCustomer = await call('GET', `/v1/customers/cus_nope/balance_transactions/${txn.id}`);
    expect(unknownCustomer.body.error.message).toBe("No such customer: 'cus_nope'");
    const createForUnknown = await credit('cus_nope', { amount: '-5', currency: 'usd' });
    expect(createForUnknown.status).toBe(404);
  });

  it('updates only description and metadata: empty value unsets a key, metadata= unsets all', async () => {
    const customer = sandbox.createCustomer();
    const stripe = sdk();
    const txn = await stripe.customers.createBalanceTransaction(customer.id, {
      amount: -10, currency: 'usd', description: 'first', metadata: { a: '1', b: '2' },
    });
    const path = `/v1/customers/${customer.id}/balance_transactions/${txn.id}`;
    const updated = await call('POST', path, { form: 'description=second&metadata[a]=&metadata[c]=3' });
    expect(updated.body).toMatchObject({ description: 'second', metadata: { b: '2', c: '3' }, amount: -10 });
    const viaSdk = await stripe.customers.updateBalanceTransaction(customer.id, txn.id, { metadata: { b: '' } });
    expect(viaSdk.metadata).toEqual({ c: '3' });
    expect((await call('POST', path, { form: 'metadata=' })).body.metadata).toEqual({});
    expect((await call('POST', path, { form: 'description=' })).body.description).toBeNull();
    const amount = await call('POST', path, { form: 'amount=5' });
    expect(amount.body.error).toMatchObject({ code: 'parameter_unknown', message: 'Received unknown parameter: amount' });
    expect(sandbox.transactions(customer.id)[0].amount).toBe(-10);
  });

  it('lists newest first with cursors and created / invoice filters', async () => {
    const customer = sandbox.createCustomer();
    const ids: string[] = [];
    for (let n = 1; n <= 4; n++) ids.push((await credit(customer.id, { amount: String(-n), currency: 'usd' })).body.id);
    const base = `/v1/customers/${customer.id}/balance_transactions`;
    const page = await call('GET', `${base}?limit=3`);
    expect(page.body).toMatchObject({ object: 'list', has_more: true, url: base });
    expect(page.body.data.map((t: { id: string }) => t.id)).toEqual([ids[3], ids[2], ids[1]]);
    expect(page.body.data.map((t: { ending_balance: number }) => t.ending_balance)).toEqual([-10, -6, -3]);
    const rest = await call('GET', `${base}?limit=3&starting_after=${ids[1]}`);
    expect(rest.body.data.map((t: { id: string }) => t.id)).toEqual([ids[0]]);
    const created = sandbox.transactions(customer.id)[0].created;
    expect((await call('GET', `${base}?created[gte]=${created}`)).body.data).toHaveLength(4);
    expect((await call('GET', `${base}?created[gt]=${created + 100}`)).body.data).toHaveLength(0);
    expect((await call('GET', `${base}?created=${created}`)).body.data.length).toBeGreaterThan(0);
    expect((await call('GET', `${base}?invoice=in_123`)).body.data).toEqual([]);
    const listed = await sdk().customers.listBalanceTransactions(customer.id, { limit: 2 });
    expect(listed.data).toHaveLength(2);
  });
});

describe('validation', () => {
  let customerId: string;
  beforeEach(() => {
    customerId = sandbox.createCustomer().id;
  });
  const expectError = (reply: ApiReply, status: number, error: Record<string, unknown>) => {
    expect(reply.status).toBe(status);
    expect(reply.body.error).toMatchObject(error);
    expect(reply.headers.get('request-id')).toMatch(/^req_/);
  };

  it('rejects unknown, missing and malformed parameters like Stripe', async () => {
    expectError(await credit(customerId, { amount: '1', currency: 'usd', foo: 'x' }), 400, {
      type: 'invalid_request_error', code: 'parameter_unknown', param: 'foo', message: 'Received unknown parameter: foo',
      doc_url: 'https://stripe.com/docs/error-codes/parameter-unknown',
    });
    expectError(await credit(customerId, { currency: 'usd' }), 400, {
      code: 'parameter_missing', param: 'amount', message: 'Missing required param: amount.',
    });
    expectError(await credit(customerId, { amount: '5' }), 400, { code: 'parameter_missing', param: 'currency' });
    expectError(await credit(customerId, { amount: '12.50', currency: 'usd' }), 400, {
      code: 'parameter_invalid_integer', param: 'amount', message: 'Invalid integer: 12.50',
    });
    expect((await credit(customerId, { amount: '12.50', currency: 'usd' })).body.error.request_log_url).toMatch(/req_/);
    expectError(await credit(customerId, { amount: '1e3', currency: 'usd' }), 400, { code: 'parameter_invalid_integer' });
    expectError(await credit(customerId, { amount: '1', currency: 'USD' }), 400, { param: 'currency' });
    expectError(await credit(customerId, { amount: '1', currency: 'xyz' }), 400, { param: 'currency' });
    expectError(await credit(customerId, { amount: '1', currency: 'usd', description: 'd'.repeat(351) }), 400, {
      param: 'description', message: expect.stringContaining('must be at most 350 characters'),
    });
    expect((await credit(customerId, { amount: '1', currency: 'usd', description: 'd'.repeat(350) })).status).toBe(200);
    expectError(await credit(customerId, { amount: '1', currency: 'usd', 'expand[]': 'balance' }), 400, { param: 'expand' });
    expect(sandbox.transactions(customerId)).toHaveLength(1);
  });

  it('enforces the metadata limits', async () => {
    const base = { amount: '1', currency: 'usd' };
    const many: Record<string, string> = { ...base };
    for (let n = 0; n < 51; n++) many[`metadata[k${n}]`] = 'v';
    expectError(await credit(customerId, many), 400, { param: 'metadata' });
    expectError(await credit(customerId, { ...base, [`metadata[${'k'.repeat(41)}]`]: 'v' }), 400, { param: 'metadata' });
    expectError(await credit(customerId, { ...base, 'metadata[a[b]]': 'v' }), 400, { param: 'metadata' });
    expectError(await credit(customerId, { ...base, 'metadata[k]': 'v'.repeat(501) }), 400, { param: 'metadata' });
    expectError(await credit(customerId, { ...base, metadata: 'oops' }), 400, { param: 'metadata' });
    const fifty: Record<string, string> = { ...base };
    for (let n = 0; n < 50; n++) fifty[`metadata[${'k'.repeat(38)}${String(n).padStart(2, '0')}]`] = 'v'.repeat(500);
    expect((await credit(customerId, fifty)).status).toBe(200);
  });

  it('checks list params: limit range, integer, exclusive cursors, unknown cursor', async () => {
    const base = `/v1/customers/${customerId}/balance_transactions`;
    expectError(await call('GET', `${base}?limit=0`), 400, { param: 'limit' });
    expectError(await call('GET', `${base}?limit=101`), 400, { param: 'limit' });
    expectError(await call('GET', `${base}?limit=ten`), 400, { code: 'parameter_invalid_integer', param: 'limit' });
    expect((await call('GET', `${base}?limit=100`)).status).toBe(200);
    expectError(await call('GET', `${base}?starting_after=a&ending_before=b`), 400, { code: 'parameters_exclusive' });
    expectError(await call('GET', `${base}?starting_after=cbtxn_nope`), 400, { code: 'resource_missing', param: 'starting_after' });
    expectError(await call('GET', `${base}?created[since]=1`), 400, { code: 'parameter_unknown', param: 'created[since]' });
    expectError(await call('GET', `${base}?created[gte]=yesterday`), 400, { code: 'parameter_invalid_integer', param: 'created[gte]' });
  });

  it('parses bracket notation, percent-encoding and + as space, and records the params', async () => {
    const reply = await call('POST', `/v1/customers/${customerId}/balance_transactions`, {
      form: 'amount=-100&currency=usd&metadata%5Border%5D=A+1%2B2&description=caf%C3%A9+au+lait&expand[]=customer',
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ metadata: { order: 'A 1+2' }, description: 'café au lait', customer: { id: customerId } });
    expect(sandbox.requests.at(-1)!.params).toEqual({
      amount: '-100', currency: 'usd', metadata: { order: 'A 1+2' }, description: 'café au lait', expand: ['customer'],
    });
  });

  it('refuses a body on GET and a JSON body on POST', async () => {
    // fetch cannot send a GET body, hence node:http.
    const withBody = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${sandbox.url}/v1/customers`, {
        method: 'GET', headers: { Authorization: `Bearer ${sandbox.secretKey}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      }, (response) => { response.resume(); resolve(response.statusCode!); });
      request.on('error', reject);
      request.end('limit=1');
    });
    expect(withBody).toBe(400);
    const json = await call('POST', `/v1/customers/${customerId}/balance_transactions`, {
      headers: { 'Content-Type': 'application/json' },
      form: JSON.stringify({ amount: 1, currency: 'usd' }),
    });
    expect(json.status).toBe(400);
    expect(sandbox.transactions(customerId)).toHaveLength(0);
  });

  it('answers 404 for unrecognized URLs', async () => {
    expectError(await call('GET', '/v1/charges'), 404, { message: expect.stringContaining('Unrecognized request URL (GET: /v1/charges)') });
    expectError(await call('POST', '/v1/customers/search', { form: {} }), 404, {});
  });
});

describe('authentication, headers and accounts', () => {
  it('requires a key, masks unknown keys everywhere, refuses live keys, accepts Basic auth', async () => {
    const missing = await call('GET', '/v1/customers', { key: null });
    expect(missing.status).toBe(401);
    expect(missing.body.error.message).toMatch(/^You did not provide an API key\./);
    const wrongKey = 'sk_test_thisIsNotTheRightKeyAtAllWXYZ';
    const wrong = await call('GET', '/v1/customers', { key: wrongKey });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: { message: 'Invalid API Key provided: sk_test_****WXYZ', type: 'invalid_request_error' } });
    expect(sandbox.requests.at(-1)!.headers.authorization).toBe('Bearer sk_test_****WXYZ');
    expect(JSON.stringify(sandbox.requests)).not.toContain(wrongKey);
    expect(JSON.stringify(sandbox.requests)).not.toContain(sandbox.secretKey);
    await expect(sdk(wrongKey).customers.list()).rejects.toMatchObject({ type: 'StripeAuthenticationError', statusCode: 401 });
    const live = await call('GET', '/v1/customers', { key: 'sk_live_abcdefghijklmnopqrstuvwx' });
    expect(live.status).toBe(401);
    expect(JSON.stringify(live.body)).not.toContain('abcdefghijklmnopqrstuvwx');
    const basic = await call('GET', '/v1/customers', {
      key: null, headers: { Authorization: `Basic ${Buffer.from(`${sandbox.secretKey}:`).toString('base64')}` },
    });
    expect(basic.status).toBe(200);
  });

  it('gives read-only restricted keys 403 on writes', async () => {
    const restricted = 'rk_test_readonly000000000000000000';
    sandbox.addKey(restricted, { readOnly: true });
    const customer = sandbox.createCustomer();
    expect((await call('GET', '/v1/customers', { key: restricted })).status).toBe(200);
    const write = await credit(customer.id, { amount: '1', currency: 'usd' }, { key: restricted });
    expect(write.status).toBe(403);
    expect(write.body.error.message).toContain('rk_test_****0000');
    expect(write.body.error.message).not.toContain(restricted);
    await expect(sdk(restricted).customers.create({})).rejects.toMatchObject({ type: 'StripePermissionError' });
  });

  it('sets Request-Id, echoes Stripe-Version and Idempotency-Key, and validates Stripe-Version', async () => {
    const plain = await call('GET', '/v1/customers');
    expect(plain.headers.get('request-id')).toMatch(/^req_[A-Za-z0-9]{14}$/);
    expect(plain.headers.get('stripe-version')).toBe(DEFAULT_API_VERSION);
    expect(plain.headers.get('content-type')).toBe('application/json');
    const pinned = await call('GET', '/v1/customers', { headers: { 'Stripe-Version': '2025-01-27.acacia' } });
    expect(pinned.headers.get('stripe-version')).toBe('2025-01-27.acacia');
    expect((await call('GET', '/v1/customers', { headers: { 'Stripe-Version': '2024-06-20' } })).status).toBe(200);
    const bad = await call('GET', '/v1/customers', { headers: { 'Stripe-Version': 'latest' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('stripe-version')).toBe(DEFAULT_API_VERSION);
    const post = await call('POST', '/v1/customers', { form: {}, idempotencyKey: 'echo-me' });
    expect(post.headers.get('idempotency-key')).toBe('echo-me');
    const viaSdk = await sdk().customers.create({});
    expect(viaSdk.lastResponse.apiVersion).toBe(Stripe.API_VERSION);
    expect(viaSdk.lastResponse.idempotencyKey).toMatch(/^stripe-node-retry-/);
  });

  it('namespaces data per connected account and refuses unknown accounts', async () => {
    sandbox.addAccount('acct_connected1');
    const platformCustomer = sandbox.createCustomer({ email: 'p@example.com' });
    const connectedCustomer = sandbox.createCustomer({ email: 'c@example.com', account: 'acct_connected1' });
    const asConnected = { headers: { 'Stripe-Account': 'acct_connected1' } };
    const listed = await call('GET', '/v1/customers', asConnected);
    expect(listed.body.data.map((c: { id: string }) => c.id)).toEqual([connectedCustomer.id]);
    expect(listed.headers.get('stripe-account')).toBe('acct_connected1');
    expect((await call('GET', `/v1/customers/${platformCustomer.id}`, asConnected)).status).toBe(404);
    await credit(connectedCustomer.id, { amount: '-42', currency: 'usd' }, asConnected);
    expect(sandbox.customer(connectedCustomer.id, 'acct_connected1')!.balance).toBe(-42);
    expect(sandbox.customer(connectedCustomer.id)).toBeUndefined();
    expect(sandbox.transactions(undefined, 'acct_connected1')).toHaveLength(1);
    const viaSdk = await sdk().customers.retrieve(connectedCustomer.id, {}, { stripeAccount: 'acct_connected1' });
    expect(viaSdk.id).toBe(connectedCustomer.id);
    const unknown = await call('GET', '/v1/customers', { headers: { 'Stripe-Account': 'acct_unknown' } });
    expect(unknown.status).toBe(403);
    expect(unknown.body.error).toMatchObject({ code: 'account_invalid', message: expect.stringContaining("'acct_unknown'") });
  });
});

describe('idempotency', () => {
  it('replays the saved reply for the same key and params, with Idempotent-Replayed', async () => {
    const customer = sandbox.createCustomer();
    const first = await credit(customer.id, { amount: '-100', currency: 'usd' }, { idempotencyKey: 'k1' });
    const again = await credit(customer.id, { amount: '-100', currency: 'usd' }, { idempotencyKey: 'k1' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.headers.get('request-id')).not.toBe(first.headers.get('request-id'));
    expect(sandbox.transactions(customer.id)).toHaveLength(1);
    expect(sandbox.stats).toMatchObject({ replays: 1, committedWrites: 1 });
    expect(sandbox.requests.map((r) => r.replayed)).toEqual([false, true]);
    expect(sandbox.requests[1].idempotencyKey).toBe('k1');

    const stripe = sdk();
    const options = { idempotencyKey: 'k2' };
    const a = await stripe.customers.createBalanceTransaction(customer.id, { amount: -1, currency: 'usd' }, options);
    const b = await stripe.customers.createBalanceTransaction(customer.id, { amount: -1, currency: 'usd' }, options);
    expect(b.id).toBe(a.id);
  });

  it('forgets a key after the time set, as Stripe may after 24 hours: the same request then writes again', async () => {
    sandbox.setFaults({ idempotencyKeyTtlMs: 200 });
    const customer = sandbox.createCustomer();
    const form = { amount: '-100', currency: 'usd' };
    await credit(customer.id, form, { idempotencyKey: 'short-lived' });
    const soon = await credit(customer.id, form, { idempotencyKey: 'short-lived' });
    expect(soon.headers.get('idempotent-replayed')).toBe('true');
    await sleep(250);
    const later = await credit(customer.id, form, { idempotencyKey: 'short-lived' });
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(sandbox.transactions(customer.id)).toHaveLength(2);
  });

  it('answers idempotency_error for the same key with other params', async () => {
    const customer = sandbox.createCustomer();
    const stripe = sdk();
    await stripe.customers.createBalanceTransaction(customer.id, { amount: -1, currency: 'usd' }, { idempotencyKey: 'k' });
    await expect(
      stripe.customers.createBalanceTransaction(customer.id, { amount: -2, currency: 'usd' }, { idempotencyKey: 'k' }),
    ).rejects.toMatchObject({ type: 'StripeIdempotencyError', statusCode: 400, rawType: 'idempotency_error' });
    const otherPath = await call('POST', '/v1/customers', { form: {}, idempotencyKey: 'k' });
    expect(otherPath.body.error.type).toBe('idempotency_error');
    expect(sandbox.stats.idempotencyErrors).toBe(2);
    expect(sandbox.transactions(customer.id)).toHaveLength(1);
  });

  it('answers 409 idempotency_key_in_use while the first request is in flight', async () => {
    sandbox.setFaults({ latencyMs: 1000 });
    const customer = sandbox.createCustomer();
    const form = { amount: '-5', currency: 'usd' };
    const inFlight = credit(customer.id, form, { idempotencyKey: 'busy' });
    while (sandbox.requests.length === 0) await sleep(5);
    const [first, second] = await Promise.all([inFlight, credit(customer.id, form, { idempotencyKey: 'busy' })]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'idempotency_key_in_use' });
    expect(second.headers.get('stripe-should-retry')).toBe('true');
    const third = await credit(customer.id, form, { idempotencyKey: 'busy' });
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(sandbox.transactions(customer.id)).toHaveLength(1);
  });

  it('does not save validation failures, saves executed errors, limits keys to 255 chars, scopes keys per account', async () => {
    const customer = sandbox.createCustomer();
    expect((await credit(customer.id, { amount: 'x', currency: 'usd' }, { idempotencyKey: 'v' })).status).toBe(400);
    expect((await credit(customer.id, { amount: '-3', currency: 'usd' }, { idempotencyKey: 'v' })).status).toBe(200);

    expect((await credit('cus_missing', { amount: '-3', currency: 'usd' }, { idempotencyKey: 'gone' })).status).toBe(404);
    const replayed404 = await credit('cus_missing', { amount: '-3', currency: 'usd' }, { idempotencyKey: 'gone' });
    expect(replayed404.status).toBe(404);
    expect(replayed404.headers.get('idempotent-replayed')).toBe('true');

    const long = await credit(customer.id, { amount: '-3', currency: 'usd' }, { idempotencyKey: 'k'.repeat(256) });
    expect(long.status).toBe(400);
    expect((await credit(customer.id, { amount: '-3', currency: 'usd' }, { idempotencyKey: 'k'.repeat(255) })).status).toBe(200);

    sandbox.addAccount('acct_other');
    const theirs = sandbox.createCustomer({ id: customer.id, account: 'acct_other' });
    const elsewhere = await credit(theirs.id, { amount: '-3', currency: 'usd' }, { idempotencyKey: 'v', headers: { 'Stripe-Account': 'acct_other' } });
    expect(elsewhere.headers.get('idempotent-replayed')).toBeNull();
    expect(sandbox.transactions(theirs.id, 'acct_other')).toHaveLength(1);
  });
});

describe('scripted faults', () => {
  let customerId: string;
  beforeEach(() => {
    customerId = sandbox.createCustomer().id;
  });
  const write = (idempotencyKey = 'fault-key') => credit(customerId, { amount: '-10', currency: 'usd' }, { idempotencyKey });

  it.each([
    ['500', 500, 'api_error', undefined, null],
    ['should-retry-false-500', 500, 'api_error', undefined, 'false'],
    ['503', 503, 'api_error', undefined, null],
    ['409', 409, 'invalid_request_error', 'idempotency_key_in_use', null],
    ['rate_limit', 429, 'invalid_request_error', 'rate_limit', null],
    ['lock_timeout', 429, 'invalid_request_error', 'lock_timeout', 'true'],
  ] as const)('%s: answers %i before doing anything, and saves no idempotent result', async (fault, status, type, code, shouldRetry) => {
    sandbox.setFaults({ script: [{ fault }] });
    const failed = await write();
    expect(failed.status).toBe(status);
    expect(failed.body.error.type).toBe(type);
    expect(failed.body.error.code).toBe(code);
    expect(failed.headers.get('stripe-should-retry')).toBe(shouldRetry);
    expect(sandbox.transactions(customerId)).toHaveLength(0);
    const retried = await write();
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(sandbox.transactions(customerId)).toHaveLength(1);
  });

  it('counts faults in stats', async () => {
    sandbox.setFaults({ script: [{ fault: '500' }, { fault: '503' }, { fault: 'rate_limit' }, { fault: 'lock_timeout' }] });
    for (let n = 0; n < 4; n++) await call('GET', '/v1/customers');
    expect(sandbox.stats).toMatchObject({ serverErrors: 2, rateLimited: 1, lockTimeouts: 1 });
  });

  it('drop-before-commit: the socket closes, nothing is saved; the SDK’s one automatic retry then succeeds', async () => {
    sandbox.setFaults({ script: [{ fault: 'drop-before-commit' }] });
    await expect(write()).rejects.toThrow();
    expect(sandbox.transactions(customerId)).toHaveLength(0);
    expect(sandbox.requests.at(-1)!.status).toBeNull();

    sandbox.setFaults({ script: [{ fault: 'drop-before-commit' }] });
    const txn = await sdk().customers.createBalanceTransaction(customerId, { amount: -7, currency: 'usd' });
    expect(txn.ending_balance).toBe(-7);
    expect(sandbox.stats).toMatchObject({ dropped: 2, committedWrites: 1, replays: 0 });
  });

  it('drop-after-commit: commits and saves the result, so a retry with the same key replays it', async () => {
    sandbox.setFaults({ script: [{ fault: 'drop-after-commit' }] });
    await expect(write('after')).rejects.toThrow();
    expect(sandbox.transactions(customerId)).toHaveLength(1);
    const retry = await write('after');
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(sandbox.transactions(customerId)[0].id);

    sandbox.setFaults({ script: [{ fault: 'drop-after-commit', method: 'POST' }] });
    const viaSdk = await sdk().customers.createBalanceTransaction(customerId, { amount: -1, currency: 'usd' });
    expect(viaSdk.ending_balance).toBe(-11);
    expect(sandbox.transactions(customerId)).toHaveLength(2);
    expect(sandbox.stats).toMatchObject({ dropped: 2, replays: 2, committedWrites: 2 });
  });

  it('slow-after-commit: commits, then replies after slowReplyMs; a retry meanwhile gets the replay', async () => {
    sandbox.setFaults({ slowReplyMs: 1000, script: [{ fault: 'slow-after-commit' }] });
    const slow = write('slow');
    while (sandbox.stats.committedWrites === 0) await sleep(5);
    expect(sandbox.transactions(customerId)).toHaveLength(1);
    const retry = await write('slow');
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const original = await slow;
    expect(original.status).toBe(200);
    expect(original.ms).toBeGreaterThanOrEqual(990);
    expect(original.body).toEqual(retry.body);
    expect(sandbox.stats.slow).toBe(1);
  });

  it('consumes the first matching entry only, in order; unauthenticated requests consume nothing', async () => {
    sandbox.setFaults({
      script: [{ fault: '503', method: 'POST', pathIncludes: 'balance_transactions' }, { fault: '500', method: 'GET' }, { fault: '500', method: 'GET' }],
    });
    expect((await call('GET', '/v1/customers', { key: null })).status).toBe(401);
    expect((await call('POST', '/v1/customers', { form: {} })).status).toBe(200);
    expect((await call('GET', '/v1/customers')).status).toBe(500);
    expect((await write('a')).status).toBe(503);
    expect((await write('a')).status).toBe(200);
    expect((await call('GET', '/v1/customers')).status).toBe(500);
    expect((await call('GET', '/v1/customers')).status).toBe(200);
  });
});

describe('random faults and latency', () => {
  async function statusesOfGets(count: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let n = 0; n < count; n++) statuses.push((await call('GET', '/v1/customers')).status);
    return statuses;
  }

  it('serverErrorRate follows the seed deterministically', async () => {
    sandbox.setFaults({ serverErrorRate: 0.5, seed: 42, ...NO_RATE_LIMITS });
    const first = await statusesOfGets(16);
    expect(first).toContain(500);
    expect(first).toContain(200);
    sandbox.reset();
    sandbox.setFaults({ serverErrorRate: 0.5, seed: 42, ...NO_RATE_LIMITS });
    expect(await statusesOfGets(16)).toEqual(first);
    sandbox.setFaults({ seed: 43 });
    expect(await statusesOfGets(16)).not.toEqual(first);
    sandbox.setFaults({ serverErrorRate: 1 });
    expect(await statusesOfGets(3)).toEqual([500, 500, 500]);
    sandbox.setFaults({ serverErrorRate: 0 });
    expect(await statusesOfGets(3)).toEqual([200, 200, 200]);
  });

  it('dropAfterCommitRate applies to committed writes only', async () => {
    const customer = sandbox.createCustomer();
    sandbox.setFaults({ dropAfterCommitRate: 1 });
    expect((await call('GET', '/v1/customers')).status).toBe(200);
    expect((await credit(customer.id, { amount: 'bad', currency: 'usd' })).status).toBe(400);
    await expect(credit(customer.id, { amount: '-1', currency: 'usd' })).rejects.toThrow();
    expect(sandbox.transactions(customer.id)).toHaveLength(1);
    expect(sandbox.stats.dropped).toBe(1);
  });

  it('slowReplyRate delays committed writes by slowReplyMs', async () => {
    const customer = sandbox.createCustomer();
    sandbox.setFaults({ slowReplyRate: 1, slowReplyMs: 150 });
    await call('GET', '/v1/customers');
    expect(sandbox.stats.slow).toBe(0);
    const slow = await credit(customer.id, { amount: '-1', currency: 'usd' });
    expect(slow.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(140);
    expect(sandbox.stats.slow).toBe(1);
  });

  it('adds latencyMs before every reply', async () => {
    sandbox.setFaults({ latencyMs: 80 });
    expect((await call('GET', '/v1/customers')).ms).toBeGreaterThanOrEqual(75);
    expect((await call('GET', '/v1/customers', { key: null })).ms).toBeGreaterThanOrEqual(75);
  });
});

describe('the door a test can close, and requests in flight', () => {
  it('holds requests that arrive while closed, records them, and lets them all go when opened', async () => {
    sandbox.holdRequests();
    const calls = Promise.all([1, 2, 3].map(() => call('GET', '/v1/customers')));
    while (sandbox.waitingRequests < 3) await sleep(5);
    expect(sandbox.requests).toHaveLength(3);
    expect(sandbox.requests.every((request) => request.status === null)).toBe(true);
    expect(sandbox.inFlight).toBe(3);
    sandbox.releaseRequests();
    expect((await calls).map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect(sandbox.inFlight).toBe(0);
    expect(sandbox.stats.peakInFlight).toBe(3);
    expect(sandbox.requests.every((request) => request.repliedAt! >= request.at)).toBe(true);
  });
});

describe('concurrency: locks and rate limits', () => {
  it('answers lock_timeout to a second concurrent write to the same customer, not to other customers', async () => {
    // The first write holds the customer's lock for its latency; the others are sent once it has arrived.
    sandbox.setFaults({ latencyMs: 1000 });
    const busy = sandbox.createCustomer();
    const other = sandbox.createCustomer();
    const first = credit(busy.id, { amount: '-1', currency: 'usd' }, { idempotencyKey: 'w1' });
    while (sandbox.requests.length === 0) await sleep(5);
    const replies = await Promise.all([
      first,
      credit(busy.id, { amount: '-2', currency: 'usd' }, { idempotencyKey: 'w2' }),
      credit(other.id, { amount: '-3', currency: 'usd' }),
    ]);
    expect(replies.map((r) => r.status)).toEqual([200, 429, 200]);
    expect(replies[1].body.error).toMatchObject({ code: 'lock_timeout', type: 'invalid_request_error' });
    expect(replies[1].headers.get('stripe-should-retry')).toBe('true');
    expect(sandbox.stats.lockTimeouts).toBe(1);
    expect(sandbox.transactions(busy.id)).toHaveLength(1);
    // Nothing was saved for the refused write, so retrying it with the same key executes it.
    const retried = await credit(busy.id, { amount: '-2', currency: 'usd' }, { idempotencyKey: 'w2' });
    expect(retried.body.ending_balance).toBe(-3);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('queues concurrent writes instead when lockTimeouts is off, keeping ending balances consistent', async () => {
    sandbox.setFaults({ latencyMs: 60, lockTimeouts: false });
    const customer = sandbox.createCustomer();
    const started = Date.now();
    const replies = await Promise.all([1, 2, 3].map(() => credit(customer.id, { amount: '-10', currency: 'usd' })));
    expect(Date.now() - started).toBeGreaterThanOrEqual(170);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(replies.map((r) => r.body.ending_balance).sort((a, b) => b - a)).toEqual([-10, -20, -30]);
    expect(sandbox.customer(customer.id)!.balance).toBe(-30);
  });

  it('rate limits per key and account over a sliding second, without Stripe-Should-Retry', async () => {
    sandbox.setFaults({ rateLimitPerSecond: 3 });
    sandbox.addAccount('acct_rl');
    // Held at the door, then let in together: all five inside one second, however slow the machine.
    sandbox.holdRequests();
    const calls = Promise.all([1, 2, 3, 4, 5].map(() => call('GET', '/v1/customers')));
    while (sandbox.waitingRequests < 5) await sleep(5);
    sandbox.releaseRequests();
    const replies = await calls;
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429]);
    const limited = replies.find((r) => r.status === 429)!;
    expect(limited.body.error).toMatchObject({ code: 'rate_limit', type: 'invalid_request_error' });
    expect(limited.headers.get('stripe-should-retry')).toBeNull();
    expect(sandbox.stats.rateLimited).toBe(2);
    expect((await call('GET', '/v1/customers', { headers: { 'Stripe-Account': 'acct_rl' } })).status).toBe(200);
    sandbox.setFaults({ script: [{ fault: 'rate_limit' }] });
    await expect(sdk().customers.list()).rejects.toMatchObject({ type: 'StripeRateLimitError', code: 'rate_limit' });
    sandbox.setFaults({ script: [] });
    await sleep(1050);
    expect((await call('GET', '/v1/customers')).status).toBe(200);
  });

  /** Held at the door, then let in together: all inside one second, however slow the machine. */
  async function together(requests: Array<() => Promise<{ status: number; headers: Headers }>>) {
    sandbox.holdRequests();
    const calls = Promise.all(requests.map((request) => request()));
    while (sandbox.waitingRequests < requests.length) await sleep(5);
    sandbox.releaseRequests();
    return await calls;
  }
  const reasons = (replies: Array<{ status: number; headers: Headers }>) =>
    replies.filter((reply) => reply.status === 429).map((reply) => reply.headers.get('stripe-rate-limited-reason'));

  it("is as strict as Stripe by default: each endpoint 25/s whatever the customer, and the 429 names the endpoint's limiter", async () => {
    const customers = Array.from({ length: 30 }, () => sandbox.createCustomer({}));
    const replies = await together(customers.map((customer) => () => call('GET', `/v1/customers/${customer.id}`)));
    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(25);
    expect(reasons(replies)).toEqual(Array(5).fill('endpoint-rate'));
    expect(sandbox.stats.rateLimitedBy).toEqual({ 'endpoint-rate': 5 });
    expect(sandbox.requests.filter((request) => request.status === 200).every((request) => request.endpoint === 'GET /v1/customers/:customer')).toBe(true);
  });

  it('the global limit counts every endpoint: 25/s in test mode, 100/s with liveModeLimits, on the same test key', async () => {
    let customers = Array.from({ length: 15 }, () => sandbox.createCustomer({}));
    const bothEndpoints = () => customers.flatMap((customer) => [() => call('GET', `/v1/customers/${customer.id}`), () => call('GET', `/v1/customers/${customer.id}/balance_transactions`)]);
    const test = await together(bothEndpoints());
    expect(test.filter((reply) => reply.status === 200)).toHaveLength(25);
    expect(new Set(reasons(test))).toEqual(new Set(['global-rate']));

    await sleep(1050);
    sandbox.setFaults({ liveModeLimits: true });
    const live = await together(bothEndpoints());
    expect(live.filter((reply) => reply.status === 200)).toHaveLength(30);

    // live mode's global limit is 100/s: with the endpoint's limit off, the 101st request of a second is refused by it
    await sleep(1050);
    sandbox.setFaults({ endpointRateLimitPerSecond: null });
    const many = await together(Array.from({ length: 110 }, (_, index) => () => call('GET', `/v1/customers/${customers[index % 15].id}`)));
    expect(many.filter((reply) => reply.status === 200)).toHaveLength(100);
    expect(reasons(many)).toEqual(Array(10).fill('global-rate'));

    // the switch is no way in for a live key, and reset() turns it off
    expect(() => sandbox.addKey('sk_live_abcdefghijklmnopqrstuvwx')).toThrow(/test mode secret or restricted keys only/);
    expect((await call('GET', '/v1/customers', { key: 'sk_live_abcdefghijklmnopqrstuvwx' })).status).toBe(401);
    expect(() => sandbox.setFaults({ liveModeLimits: 'yes' as unknown as boolean })).toThrow(/liveModeLimits/);
    sandbox.reset();
    customers = Array.from({ length: 15 }, () => sandbox.createCustomer({}));
    expect((await together(bothEndpoints())).filter((reply) => reply.status === 200)).toHaveLength(25);
  });

  it('Search: 20 reads a second', async () => {
    const replies = await together(Array.from({ length: 22 }, () => () => call('GET', `/v1/customers/search?query=${encodeURIComponent("email:'a@example.com'")}`)));
    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(20);
    expect(reasons(replies)).toEqual(['endpoint-rate', 'endpoint-rate']);
  });

  it('switches: raised or no limits; scripted 429s name the limiter asked for', async () => {
    sandbox.setFaults({ endpointRateLimits: { 'GET /v1/customers/:customer': 30 }, rateLimitPerSecond: 100 });
    const customers = Array.from({ length: 30 }, () => sandbox.createCustomer({}));
    const raised = await together(customers.map((customer) => () => call('GET', `/v1/customers/${customer.id}`)));
    expect(raised.every((reply) => reply.status === 200)).toBe(true);
    sandbox.setFaults({ rateLimitPerSecond: null, endpointRateLimitPerSecond: null, endpointRateLimits: {}, script: [{ fault: 'rate_limit', reason: 'global-concurrency' }] });
    const replies = await together(customers.map((customer) => () => call('GET', `/v1/customers/${customer.id}`)));
    expect(reasons(replies)).toEqual(['global-concurrency']);
    expect(() => sandbox.setFaults({ endpointRateLimitPerSecond: 0 })).toThrow(RangeError);
  });
});
