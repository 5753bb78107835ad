/**
 * The credential: Bearer auth, a credential test that any key allowed to create balance transactions passes, keys and
 * base URLs that would leak the secret refused before anything is sent; and the customer picker's search.
 */
import { searchList, testCredential } from '.';
import { byId, createFromItem, runStripe, useSandbox } from './support';

const sandbox = useSandbox();

describe('credential test', () => {
	it('passes with a valid test key, and sends it as a Bearer token', async () => {
		const result = await testCredential({ secretKey: sandbox().secretKey, baseUrl: sandbox().url });
		expect(result.status).toBe('OK');
		const request = sandbox().requests[0];
		expect(`${request.method} ${request.path}?${request.query}`).toBe('GET /v1/customers?limit=1');
		expect(String(request.headers.authorization)).toMatch(/^Bearer sk_test_/);
	});

	it('passes with a restricted key (rk_test_) that may write customers', async () => {
		const restricted = 'rk_test_51RestrictedCustomersWrite0000';
		sandbox().addKey(restricted);
		expect((await testCredential({ secretKey: restricted, baseUrl: sandbox().url })).status).toBe('OK');
	});

	it('fails on a key Stripe does not know, saying what a key looks like', async () => {
		const result = await testCredential({ secretKey: 'sk_test_51Unknown0000000000000000', baseUrl: sandbox().url });
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/A secret key looks like sk_test_… or sk_live_…/) });
	});

	it.each([
		['a publishable key', 'pk_test_51Abc0000000000000000000', /publishable key/],
		['a key with a typo in the prefix', 'sk_tset_51Abc000000000000000000', /not a Stripe secret key.*looks like sk_test_/],
		['something else entirely', 'hunter2', /not a Stripe secret key/],
		['an empty key', '', /no secret key/],
	])('refuses %s without sending it anywhere', async (_name, secretKey, message) => {
		const result = await testCredential({ secretKey, baseUrl: sandbox().url });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(message);
		expect(sandbox().requests).toHaveLength(0);
	});

	it('refuses a plain-http base URL that is not on this machine', async () => {
		const result = await testCredential({ secretKey: sandbox().secretKey, baseUrl: 'http://api.stripe.com' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/must use https/);
	});
});

describe('a bad credential in a workflow', () => {
	it('fails before sending anything, or gives every item the error when On Error continues', async () => {
		const customer = sandbox().createCustomer({});
		const items = [1, 2, 3].map(() => ({ customer: customer.id, amount: -1, currency: 'usd' }));
		const stopped = await runStripe(sandbox(), items, createFromItem(), {}, { credentials: { secretKey: 'pk_live_51Abc000000000000000' } });
		expect(stopped.error?.message).toMatch(/publishable key/);

		const insecure = await runStripe(sandbox(), items, createFromItem(), { onError: 'continueRegularOutput' }, { credentials: { baseUrl: 'http://example.com' } });
		const output = insecure.output('Stripe');
		expect(output).toHaveLength(3);
		expect(output.every((item) => /must use https/.test(String(item.json.error)))).toBe(true);
		expect(sandbox().requests).toHaveLength(0);
	});

	it("reports Stripe's 401 for a key it does not know", async () => {
		const customer = sandbox().createCustomer({});
		const result = await runStripe(sandbox(), [{ customer: customer.id, amount: -1, currency: 'usd' }], createFromItem(), {}, {
			credentials: { secretKey: 'sk_test_51Revoked00000000000000000' },
		});
		expect(result.error?.message).toMatch(/Invalid API Key provided: sk_test_\*+/);
		expect(result.error?.httpCode).toBe('401');
	});
});

describe('customer picker (resource locator search)', () => {
	it('lists the newest customers with name, email and a Dashboard link, page by page', async () => {
		const created = Array.from({ length: 30 }, (_, index) =>
			sandbox().createCustomer({ email: `user${index}@example.com`, name: `User ${index}` }),
		);
		const credentials = { secretKey: sandbox().secretKey, baseUrl: sandbox().url };
		const first = await searchList('searchCustomers', credentials);
		expect(first.results).toHaveLength(25);
		expect(first.results[0]).toEqual({
			name: `User 29 <user29@example.com> (${created[29].id})`,
			value: created[29].id,
			url: `https://dashboard.stripe.com/test/customers/${created[29].id}`,
		});
		const second = await searchList('searchCustomers', credentials, undefined, first.paginationToken as string);
		expect(second.results.map((result) => result.value)).toEqual(created.slice(0, 5).map((customer) => customer.id).reverse());
		expect(second.paginationToken).toBeUndefined();
	});

	it('searches by email or name, and the chosen customer works in a workflow', async () => {
		sandbox().createCustomer({ email: 'ada@lovelace.dev', name: 'Ada Lovelace' });
		const grace = sandbox().createCustomer({ email: 'grace@navy.mil', name: 'Grace Hopper' });
		const credentials = { secretKey: sandbox().secretKey, baseUrl: sandbox().url };
		expect((await searchList('searchCustomers', credentials, 'hopper')).results.map((result) => result.value)).toEqual([grace.id]);
		expect((await searchList('searchCustomers', credentials, 'navy.mil')).results.map((result) => result.value)).toEqual([grace.id]);
		expect((await searchList('searchCustomers', credentials, 'nobody')).results).toEqual([]);
		expect(sandbox().requests.at(-1)?.query).toBe('query=email~%22nobody%22%20OR%20name~%22nobody%22&limit=25');

		const result = await runStripe(sandbox(), [{}], { ...createFromItem({ amount: -100, currency: 'usd' }), customer: { __rl: true, mode: 'list', value: grace.id } });
		expect(result.output('Stripe')[0].json.customer).toBe(grace.id);
		expect(byId(grace.id).value).toBe(grace.id);
	});

	it('a quote in the search text cannot break out of the query', async () => {
		const credentials = { secretKey: sandbox().secretKey, baseUrl: sandbox().url };
		await searchList('searchCustomers', credentials, 'x" OR email~"');
		expect(decodeURIComponent(sandbox().requests.at(-1)?.query ?? '')).toContain('email~"x\\" OR email~\\""');
	});
});
