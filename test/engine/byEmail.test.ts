/**
 * Customers named by email (Customer > By Email) and Customer > Find, run in n8n's engine against the local sandbox.
 * An email is looked up once per execution, case-insensitively (Stripe Search first, then the exact list filter), and
 * must match exactly one live customer; writes to one customer keep input order however the items name it.
 */
import Stripe from 'stripe';

import { bodyWithoutKey, byId, runStripe, useSandbox, writesTo, type Sandbox } from './support';

const sandbox = useSandbox();

const byEmail = (value: string) => ({ __rl: true, mode: 'email', value });

const creditByEmail = (options: Record<string, unknown> = {}) => ({
	resource: 'customerBalanceTransaction',
	operation: 'create',
	customer: byEmail('={{ $json.email }}'),
	amount: '={{ $json.amount }}',
	currency: 'eur',
	options,
});

const continueOnError = { onError: 'continueRegularOutput' as const };
const lookups = (of: Sandbox) => of.requests.filter((request) => request.method === 'GET');

function sdkFor(of: Sandbox): Stripe {
	const { hostname, port } = new URL(of.url);
	return new Stripe(of.secretKey, { host: hostname, port: Number(port), protocol: 'http', maxNetworkRetries: 0 });
}

describe('credit by email', () => {
	it('finds the customer whatever the letter case, looks each email up once, and credits each item once', async () => {
		const jane = sandbox().createCustomer({ email: 'jane@acme.com' });
		const bob = sandbox().createCustomer({ email: 'Bob@Globex.com' });
		const items = [
			{ email: 'Jane@Acme.COM', amount: -100 },
			{ email: 'bob@globex.com', amount: -200 },
			{ email: 'jane@acme.com', amount: -300 },
			{ email: 'BOB@GLOBEX.COM', amount: -400 },
		];
		const result = await runStripe(sandbox(), items, creditByEmail());

		expect(result.status).toBe('success');
		expect(result.output('Stripe').map((item) => [item.json.customer, item.json.amount, item.pairedItem])).toEqual([
			[jane.id, -100, { item: 0 }],
			[bob.id, -200, { item: 1 }],
			[jane.id, -300, { item: 2 }],
			[bob.id, -400, { item: 3 }],
		]);
		expect(sandbox().customer(jane.id)?.balance).toBe(-400);
		expect(sandbox().customer(bob.id)?.balance).toBe(-600);
		// Each distinct email (any case) asked once, both in one Search request, the same the official SDK sends for it.
		expect(lookups(sandbox()).map((request) => request.path)).toEqual(['/v1/customers/search']);
		const fromNode = lookups(sandbox())[0].query;
		await sdkFor(sandbox()).customers.search({ query: "email:'jane@acme.com' OR email:'bob@globex.com'", limit: 100 });
		expect(fromNode).toBe(sandbox().requests.at(-1)?.query);
	});

	it('a bulk run asks Search for up to 10 emails in one request (Search\'s most clauses), each email in one request only', async () => {
		const customers = Array.from({ length: 25 }, (_, index) => sandbox().createCustomer({ email: `referrer${index}@acme.com` }));
		const items = customers.map((customer, index) => ({ email: String(customer.email).toUpperCase(), amount: -(index + 1) }));
		const result = await runStripe(sandbox(), items, creditByEmail());

		expect(result.status).toBe('success');
		expect(result.output('Stripe').map((item) => item.json.customer)).toEqual(customers.map((customer) => customer.id));
		const searched = lookups(sandbox()).map((request) => new URLSearchParams(request.query).get('query') ?? '');
		const emailsPerSearch = searched.map((query) => query.split(' OR ').map((clause) => clause.replace(/^email:'|'$/g, '')));
		expect(emailsPerSearch.every((emails) => emails.length >= 1 && emails.length <= 10)).toBe(true);
		expect(emailsPerSearch.flat().sort()).toEqual(customers.map((customer) => String(customer.email)).sort());
		expect(searched.length).toBeLessThan(items.length / 2);
	});

	it('an unknown, an ambiguous or a deleted customer\'s email fails its own item, naming email, field and item; nothing is sent for it', async () => {
		const jane = sandbox().createCustomer({ email: 'jane@acme.com' });
		const first = sandbox().createCustomer({ email: 'shared@acme.com' });
		const second = sandbox().createCustomer({ email: 'SHARED@acme.com' });
		const gone = sandbox().createCustomer({ email: 'gone@acme.com' });
		sandbox().deleteCustomer(gone.id);
		const items = [
			{ email: 'jane@acme.com', amount: -100 },
			{ email: 'nobody@acme.com', amount: -100 },
			{ email: 'shared@acme.com', amount: -100 },
			{ email: 'gone@acme.com', amount: -100 },
		];
		const result = await runStripe(sandbox(), items, creditByEmail(), continueOnError);

		const output = result.output('Stripe').map((item) => item.json);
		expect(output).toHaveLength(4);
		expect(output[0]).toMatchObject({ customer: jane.id, amount: -100 });
		expect(output[1]).toMatchObject({ error: 'No Stripe customer has the email nobody@acme.com (Customer, item 1)', itemIndex: 1 });
		expect(output[2].error).toMatch(/^2 Stripe customers have the email shared@acme\.com \(Customer, item 2\): /);
		expect(output[2].error).toContain(`${second.id} (created ${new Date(second.created * 1000).toISOString()})`);
		expect(output[2].error).toContain(first.id);
		expect(output[3]).toMatchObject({ error: 'No Stripe customer has the email gone@acme.com (Customer, item 3)' });
		expect(writesTo(sandbox()).map((request) => request.path)).toEqual([`/v1/customers/${jane.id}/balance_transactions`]);
	});

	it('with On Error: stop, an unknown email stops the run before anything is written', async () => {
		const jane = sandbox().createCustomer({ email: 'jane@acme.com' });
		const result = await runStripe(sandbox(), [{ email: 'jane@acme.com', amount: -1 }, { email: 'nobody@acme.com', amount: -1 }], creditByEmail());

		expect(result.error?.message).toBe('No Stripe customer has the email nobody@acme.com (Customer, item 1)');
		expect(writesTo(sandbox())).toHaveLength(0);
		expect(sandbox().transactions(jane.id)).toHaveLength(0);
	});

	it('If Several Customers Match = Use the Most Recently Created: the newest is credited, and the output says so', async () => {
		const older = sandbox().createCustomer({ email: 'twice@acme.com' });
		const newer = sandbox().createCustomer({ email: 'Twice@Acme.com' });
		const result = await runStripe(sandbox(), [{ email: 'twice@acme.com', amount: -500 }], creditByEmail({ ifSeveralMatch: 'mostRecentlyCreated' }));

		const [credited] = result.output('Stripe');
		expect(credited.json).toMatchObject({ customer: newer.id, amount: -500 });
		expect(credited.json.customerChosen).toEqual({
			email: 'twice@acme.com',
			customer: newer.id,
			rule: 'most recently created',
			matches: [
				{ id: newer.id, created: newer.created },
				{ id: older.id, created: older.created },
			],
		});
		expect(sandbox().transactions(older.id)).toHaveLength(0);
	});

	it.each([
		['an empty email', '', 'Invalid Customer in item 0: the email is empty'],
		['no @', 'jane.acme.com', 'Invalid Customer in item 0: "jane.acme.com" is not an email address'],
		['600 characters', `${'a'.repeat(590)}@acme.com`, 'Invalid Customer in item 0: the email is 599 characters long; Stripe allows at most 512'],
		['an object from an expression', { address: 'jane@acme.com' }, 'Invalid Customer in item 0: an object is not an email address'],
	])('refuses %s before anything is sent', async (_, email, message) => {
		sandbox().createCustomer({ email: 'jane@acme.com' });
		const result = await runStripe(sandbox(), [{ email, amount: -1 }], creditByEmail());
		expect(result.error?.message).toBe(message);
		expect(sandbox().requests).toHaveLength(0);
	});

	it('writes to one customer keep input order whether items name it by id or by email', async () => {
		const jane = sandbox().createCustomer({ email: 'jane@acme.com' });
		sandbox().setFaults({ latencyMs: 40 });
		const items = [-1, -2, -3, -4, -5, -6].map((amount, index) => ({ amount, name: index % 2 === 0 ? 'email' : 'id' }));
		const result = await runStripe(sandbox(), items, {
			...creditByEmail({ maxRequestsPerSecond: 1000 }),
			customer: `={{ $json.name === 'email' ? { __rl: true, mode: 'email', value: 'JANE@acme.com' } : { __rl: true, mode: 'id', value: '${jane.id}' } }}`,
		});

		expect(result.status).toBe('success');
		expect(sandbox().transactions(jane.id).map((transaction) => transaction.amount)).toEqual([-1, -2, -3, -4, -5, -6]);
		expect(sandbox().stats.lockTimeouts).toBe(0);
	});

	it('a customer too new for Stripe Search is found by the exact list filter (as written, or in lower case)', async () => {
		sandbox().setSearch({ lagMs: 60_000 });
		const fresh = sandbox().createCustomer({ email: 'fresh@acme.com' });
		const mixed = sandbox().createCustomer({ email: 'Mixed@Acme.com' });
		const items = [
			{ email: 'FRESH@acme.com', amount: -1 },
			{ email: 'Mixed@Acme.com', amount: -2 },
			{ email: 'mixed@acme.com', amount: -3 },
		];
		const result = await runStripe(sandbox(), items, creditByEmail(), continueOnError);

		const output = result.output('Stripe').map((item) => item.json);
		expect(output[0]).toMatchObject({ customer: fresh.id, amount: -1 });
		expect(output[1]).toMatchObject({ customer: mixed.id, amount: -2 });
		// Looked up once per email in any case: the first spelling seen (and its lower case) found it for both.
		expect(output[2]).toMatchObject({ customer: mixed.id, amount: -3 });
		expect(lookups(sandbox()).map((request) => `${request.path}?${decodeURIComponent(request.query)}`).sort()).toEqual([
			'/v1/customers/search?query=email:\'fresh@acme.com\' OR email:\'mixed@acme.com\'&limit=100',
			'/v1/customers?email=FRESH@acme.com&limit=100',
			'/v1/customers?email=Mixed@Acme.com&limit=100',
			'/v1/customers?email=fresh@acme.com&limit=100',
			'/v1/customers?email=mixed@acme.com&limit=100',
		]);
	});

	it('where Stripe offers no Search, the exact filter finds the email as written or in lower case, and nothing else', async () => {
		sandbox().setSearch({ available: false });
		const lower = sandbox().createCustomer({ email: 'jane@acme.com' });
		sandbox().createCustomer({ email: 'Odd@Acme.com' });
		const result = await runStripe(
			sandbox(),
			[{ email: 'Jane@Acme.com', amount: -1 }, { email: 'odd@acme.com', amount: -1 }],
			creditByEmail(),
			continueOnError,
		);

		const output = result.output('Stripe').map((item) => item.json);
		expect(output[0]).toMatchObject({ customer: lower.id });
		expect(output[1]).toMatchObject({ error: 'No Stripe customer has the email odd@acme.com (Customer, item 1)' });
	});

	it("n8n's Retry On Fail after the email moved to another customer: nothing is written again, and the node says so", async () => {
		const jane = sandbox().createCustomer({ email: 'jane@acme.com' });
		const bob = sandbox().createCustomer({ email: 'bob@acme.com' });
		sandbox().setFaults({ script: [{ fault: '500', method: 'POST', pathIncludes: bob.id }] });
		// When bob's write fails, the CRM's email now belongs to another customer (jane's account was recreated).
		let replacement: string | undefined;
		const watcher = setInterval(() => {
			if (replacement || !sandbox().requests.some((request) => request.status === 500)) return;
			sandbox().deleteCustomer(jane.id);
			replacement = sandbox().createCustomer({ email: 'jane@acme.com' }).id;
		}, 5);
		const result = await runStripe(
			sandbox(),
			[{ email: 'jane@acme.com', amount: -100 }, { email: 'bob@acme.com', amount: -200 }],
			creditByEmail({ maxRetries: 0 }),
			{ retryOnFail: true, maxTries: 2, waitBetweenTries: 1000 },
		).finally(() => clearInterval(watcher));

		expect(replacement).toBeDefined();
		expect(result.error?.message).toBe(
			'Item 0 was already sent to Stripe by an earlier attempt of this execution, with other values: it was not sent again',
		);
		expect(sandbox().transactions(jane.id).map((transaction) => transaction.amount)).toEqual([-100]);
		expect(sandbox().transactions(replacement)).toHaveLength(0);
		expect(sandbox().transactions(bob.id).map((transaction) => transaction.amount)).toEqual([-200]);
	});
});

describe('get balance', () => {
	it('of a deleted customer fails its item ("customer cus_... was deleted") instead of a balance of 0', async () => {
		const live = sandbox().createCustomer({ email: 'live@acme.com', currency: 'eur', balance: -700 });
		const gone = sandbox().createCustomer({});
		sandbox().deleteCustomer(gone.id);
		const result = await runStripe(
			sandbox(),
			[{ id: live.id }, { id: gone.id }],
			{ resource: 'customer', operation: 'getBalance', customer: byId('={{ $json.id }}') },
			continueOnError,
		);

		const output = result.output('Stripe').map((item) => item.json);
		expect(output[0]).toMatchObject({ customer: live.id, balance: -700, currency: 'eur' });
		expect(output[1]).toMatchObject({ error: `Stripe customer ${gone.id} was deleted (Customer, item 1)`, itemIndex: 1 });
	});

	it('by email', async () => {
		const jane = sandbox().createCustomer({ email: 'jane@acme.com', currency: 'usd', balance: -250 });
		const result = await runStripe(sandbox(), [{}], { resource: 'customer', operation: 'getBalance', customer: byEmail('JANE@acme.com') });
		expect(result.output('Stripe')[0].json).toMatchObject({ customer: jane.id, balance: -250, email: 'jane@acme.com' });
	});
});

describe('metadata keys named like JavaScript object properties', () => {
	it('__proto__ and constructor are sent as the official SDK sends them, and stored', async () => {
		const customer = sandbox().createCustomer({});
		const metadata = { metadataValues: [{ key: '__proto__', value: 'a' }, { key: 'constructor', value: 'b' }] };
		const result = await runStripe(sandbox(), [{}], {
			resource: 'customerBalanceTransaction',
			operation: 'create',
			customer: byId(customer.id),
			amount: -100,
			currency: 'usd',
			additionalFields: { metadata },
		});

		expect(result.status).toBe('success');
		const fromNode = bodyWithoutKey(writesTo(sandbox())[0]);
		expect(fromNode).toBe('amount=-100&currency=usd&metadata[__proto__]=a&metadata[constructor]=b');
		const sdkMetadata: Record<string, string> = {};
		Object.defineProperty(sdkMetadata, '__proto__', { value: 'a', enumerable: true });
		sdkMetadata.constructor = 'b' as unknown as typeof Object;
		await sdkFor(sandbox()).customers.createBalanceTransaction(customer.id, { amount: -100, currency: 'usd', metadata: sdkMetadata });
		expect(bodyWithoutKey(writesTo(sandbox())[1])).toBe(fromNode);
		const stored = sandbox().transactions(customer.id)[0].metadata as Record<string, string>;
		expect(Object.entries(stored).filter(([key]) => key !== 'n8n_idempotency_key')).toEqual([['__proto__', 'a'], ['constructor', 'b']]);
	});
});

describe('Customer > Find', () => {
	const find = (parameters: Record<string, unknown>) => ({ resource: 'customer', operation: 'find', ...parameters });

	it('by email: every live customer with it, in any case, with balance and currency, paired with its item; no match is no item', async () => {
		const first = sandbox().createCustomer({ email: 'jane@acme.com', currency: 'eur', balance: -100 });
		const second = sandbox().createCustomer({ email: 'Jane@ACME.com' });
		const gone = sandbox().createCustomer({ email: 'jane@acme.com' });
		sandbox().deleteCustomer(gone.id);
		const result = await runStripe(sandbox(), [{ email: 'JANE@acme.com' }, { email: 'nobody@acme.com' }], find({ email: '={{ $json.email }}' }));

		const output = result.output('Stripe');
		expect(output.map((item) => [item.json.customer, item.json.balance, item.json.currency, item.pairedItem])).toEqual([
			[second.id, 0, null, { item: 0 }],
			[first.id, -100, 'eur', { item: 0 }],
		]);
		expect(output[1].json).toMatchObject({ email: 'jane@acme.com', invoice_credit_balance: { eur: 100 }, created: first.created, metadata: {} });
	});

	it('by email, too new for Search: the exact list filter reads every page (the oldest match is on the second)', async () => {
		sandbox().setSearch({ lagMs: 60_000 });
		const customers = Array.from({ length: 101 }, () => sandbox().createCustomer({ email: 'many@acme.com' }));
		const result = await runStripe(sandbox(), [{}], find({ email: 'many@acme.com', returnAll: true }));

		expect(result.output('Stripe').map((item) => item.json.customer).sort()).toEqual(customers.map((customer) => customer.id).sort());
		expect(lookups(sandbox()).map((request) => request.path)).toEqual(['/v1/customers/search', '/v1/customers', '/v1/customers']);
	});

	it('by a Stripe Search query on metadata; a malformed query gets Stripe\'s own message', async () => {
		const crm = sandbox().createCustomer({ email: 'a@acme.com', metadata: { crm_id: '0012345' } });
		sandbox().createCustomer({ email: 'b@acme.com', metadata: { crm_id: '0099999' } });
		const result = await runStripe(
			sandbox(),
			[{ query: "metadata['crm_id']:'0012345'" }, { query: 'crm_id = 0012345' }],
			find({ findBy: 'query', query: '={{ $json.query }}' }),
			continueOnError,
		);

		const output = result.output('Stripe').map((item) => item.json);
		expect(output[0]).toMatchObject({ customer: crm.id, metadata: { crm_id: '0012345' } });
		expect(output[1].error).toMatch(/^We were unable to parse your search query/);
		expect(output).toHaveLength(2);
	});
});
