/**
 * Bad input from upstream nodes is refused before anything is sent, with an error naming the field and the item.
 * With On Error set to continue, the bad item becomes an error item and the others go on: N items in, N out.
 */
import { byId, createFromItem, runStripe, useSandbox } from './support';

const sandbox = useSandbox();

const metadataPairs = (count: number, key = (index: number) => `k${index}`, value = () => 'v') =>
	Array.from({ length: count }, (_, index) => ({ key: key(index), value: value() }));

/** [case, parameters for item 1 (item 0 is always valid), field named in the error] */
const badInputs: Array<[string, Record<string, unknown>, RegExp]> = [
	['a decimal amount in cents mode ("12.50")', { amount: '12.50' }, /Invalid Amount in item 1: "12\.50" is not a whole number/],
	['a word as amount', { amount: 'abc' }, /Invalid Amount in item 1/],
	['NaN', { amount: '={{ 0 / 0 }}' }, /Invalid Amount in item 1: NaN/],
	['Infinity', { amount: '={{ 1 / 0 }}' }, /Invalid Amount in item 1: Infinity/],
	['an amount beyond the safe integer range', { amount: '9007199254740993' }, /Invalid Amount in item 1: .* too large/],
	['an empty amount', { amount: '' }, /Invalid Amount in item 1/],
	['a two-letter currency', { currency: 'EU' }, /Invalid Currency in item 1: "EU" is not a three-letter currency code/],
	['a currency with a digit', { currency: 'US1' }, /Invalid Currency in item 1/],
	['a currency symbol', { currency: '€' }, /Invalid Currency in item 1/],
	['a 351-character description', { additionalFields: { description: 'x'.repeat(351) } }, /Invalid Description in item 1: is 351 characters long; Stripe allows at most 350/],
	['51 metadata keys', { additionalFields: { metadata: { metadataValues: metadataPairs(51) } } }, /Invalid Metadata in item 1: has 51 keys; Stripe allows at most 50/],
	['a 41-character metadata key', { additionalFields: { metadata: { metadataValues: [{ key: 'k'.repeat(41), value: 'v' }] } } }, /Invalid Metadata in item 1: key .* is 41 characters long/],
	['a metadata key with [', { additionalFields: { metadata: { metadataValues: [{ key: 'a[b', value: 'v' }] } } }, /Invalid Metadata in item 1: key "a\[b" contains "\[" or "\]"/],
	['a metadata key with ]', { additionalFields: { metadata: { metadataValues: [{ key: 'ab]', value: 'v' }] } } }, /Invalid Metadata in item 1/],
	['a 501-character metadata value', { additionalFields: { metadata: { metadataValues: [{ key: 'k', value: 'v'.repeat(501) }] } } }, /Invalid Metadata in item 1: value for key "k" is 501 characters long/],
	['an empty metadata key', { additionalFields: { metadata: { metadataValues: [{ key: '', value: 'v' }] } } }, /Invalid Metadata in item 1: has a pair with an empty key/],
	['a customer id with a slash', { customer: byId('cus_123/../../v1/charges') }, /Invalid Customer in item 1: .* is not a Stripe customer ID/],
	['a customer id with ?', { customer: byId('cus_123?expand[]=x') }, /Invalid Customer in item 1/],
	['a customer id with #', { customer: byId('cus_123#x') }, /Invalid Customer in item 1/],
	['a customer id with %', { customer: byId('cus_123%2F') }, /Invalid Customer in item 1/],
	['a customer id with ..', { customer: byId('cus_..') }, /Invalid Customer in item 1/],
	['something that is not a customer id', { customer: byId('ch_3MmlLrLkdIwHu7ix0snN0B15') }, /Invalid Customer in item 1/],
	['an empty customer', { customer: byId('') }, /Invalid Customer in item 1/],
	['a URL that is not a Stripe Dashboard customer URL', { customer: { __rl: true, mode: 'url', value: 'https://evil.example/customers/cus_123' } }, /Invalid Customer in item 1: .* is not a Stripe Dashboard customer URL/],
	['a 256-character idempotency key', { options: { idempotencyKey: 'k'.repeat(256) } }, /Invalid Idempotency Key in item 1: is 256 characters long/],
	['a non-ASCII idempotency key', { options: { idempotencyKey: 'commande-é' } }, /Invalid Idempotency Key in item 1/],
	['a malformed connected account', { options: { stripeAccount: 'acct_1/..' } }, /Invalid Stripe Account in item 1/],
	['a malformed API version', { options: { apiVersion: 'latest' } }, /Invalid API Version in item 1/],
	['a decimal amount the currency cannot hold', { amount: '12.345', options: { amountFormat: 'decimal' } }, /Invalid Amount in item 1: 12\.345 USD has more decimals than USD allows \(2\)/],
	['half a yen', { amount: '12.5', currency: 'JPY', options: { amountFormat: 'decimal' } }, /Invalid Amount in item 1: 12\.5 JPY has more decimals than JPY allows \(0\)/],
	['a negative amount with direction credit', { amount: '-5', options: { direction: 'credit' } }, /Invalid Amount in item 1: must be a positive number when Direction is "credit"/],
];

/** Item 0 is valid; item 1 takes the bad parameter through an expression-free override for that item only. */
function parametersWithBadItem1(customerId: string, bad: Record<string, unknown>): Record<string, unknown> {
	const base = createFromItem({ amount: -100, currency: 'usd' });
	const goodAmount = (bad.options as { direction?: string } | undefined)?.direction ? 100 : -100;
	const pick = (name: string, good: unknown) =>
		name in bad ? `={{ $itemIndex === 1 ? ${JSON.stringify(bad[name])} : ${JSON.stringify(good)} }}` : good;
	const parameters: Record<string, unknown> = { ...base, customer: byId(customerId) };
	if ('amount' in bad) {
		const value = bad.amount as string;
		parameters.amount = value.startsWith('=') ? `={{ $itemIndex === 1 ? (${value.slice(3, -2)}) : -100 }}` : pick('amount', goodAmount);
	}
	if ('currency' in bad) parameters.currency = pick('currency', 'usd');
	if ('customer' in bad) {
		const locator = bad.customer as { mode: string; value: string };
		const good = locator.mode === 'url' ? `https://dashboard.stripe.com/test/customers/${customerId}` : customerId;
		parameters.customer = { __rl: true, mode: locator.mode, value: `={{ $itemIndex === 1 ? ${JSON.stringify(locator.value)} : ${JSON.stringify(good)} }}` };
	}
	for (const collection of ['additionalFields', 'options'] as const) {
		if (bad[collection]) parameters[collection] = bad[collection];
	}
	return parameters;
}

describe('bad input is refused before anything is sent', () => {
	it.each(badInputs)('%s', async (_name, bad, message) => {
		const customer = sandbox().createCustomer({});
		const parameters = parametersWithBadItem1(customer.id, bad);
		// Collections apply to both items; then item 0 is bad as well and the error names it first, so give item 0 its own run.
		const collectionsOnly = !('amount' in bad || 'currency' in bad || 'customer' in bad);
		const items = collectionsOnly ? [{}] : [{}, {}];
		const expected = collectionsOnly ? new RegExp(message.source.replace('item 1', 'item 0')) : message;

		const stopped = await runStripe(sandbox(), items, parameters);
		expect(stopped.status).toBe('error');
		expect(stopped.error?.message).toMatch(expected);
		expect(sandbox().requests).toHaveLength(0);

		const continued = await runStripe(sandbox(), items, parameters, { onError: 'continueRegularOutput' });
		const output = continued.output('Stripe');
		expect(output).toHaveLength(items.length);
		const failed = output[items.length - 1];
		expect(String(failed.json.error)).toMatch(expected);
		expect(failed.pairedItem).toEqual({ item: items.length - 1 });
		if (!collectionsOnly) expect(output[0].json.object).toBe('customer_balance_transaction');
		expect(sandbox().requests.every((request) => request.status === 200)).toBe(true);
	});
});

describe("Stripe's own errors", () => {
	it("show Stripe's message with its code, param, HTTP status and request id", async () => {
		const result = await runStripe(sandbox(), [{ customer: 'cus_DoesNotExist01', amount: -100, currency: 'usd' }], createFromItem());
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe("No such customer: 'cus_DoesNotExist01'");
		expect(result.error?.httpCode).toBe('404');
		expect(String(result.error?.description)).toMatch(/code: resource_missing · param: customer · HTTP 404 · request id: req_\w+/);
	});

	it('with On Error set to continue, become error items carrying those fields, and the other items go on', async () => {
		const customer = sandbox().createCustomer({});
		const items = [
			{ customer: customer.id, amount: -100, currency: 'usd' },
			{ customer: 'cus_DoesNotExist01', amount: -100, currency: 'usd' },
			{ customer: customer.id, amount: -200, currency: 'usd' },
		];
		const result = await runStripe(sandbox(), items, createFromItem(), { onError: 'continueRegularOutput' });
		const output = result.output('Stripe');
		expect(output).toHaveLength(3);
		expect(output[1].json).toMatchObject({
			error: "No such customer: 'cus_DoesNotExist01'",
			type: 'invalid_request_error',
			code: 'resource_missing',
			param: 'customer',
			statusCode: 404,
			itemIndex: 1,
		});
		expect(output[1].json.requestId).toMatch(/^req_/);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(sandbox().customer(customer.id)?.balance).toBe(-300);
	});

	it('with On Error set to the error output, failed items go there and successful ones to the main output', async () => {
		const customer = sandbox().createCustomer({});
		const items = [
			{ customer: customer.id, amount: -100, currency: 'usd' },
			{ customer: customer.id, amount: '1.5', currency: 'usd' },
			{ customer: 'cus_DoesNotExist01', amount: -100, currency: 'usd' },
		];
		const result = await runStripe(sandbox(), items, createFromItem(), { onError: 'continueErrorOutput' });
		expect(result.output('Stripe').map((item) => item.json.amount)).toEqual([-100]);
		const errors = result.errorOutput('Stripe') ?? [];
		expect(errors.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		expect(String(errors[0].json.error)).toMatch(/Invalid Amount in item 1/);
		// n8n merges an error item over its input item: the input's fields stay, Stripe's details sit under `details`.
		expect(errors[1].json).toMatchObject({ customer: 'cus_DoesNotExist01', amount: -100, currency: 'usd' });
		expect(errors[1].json.details).toMatchObject({ code: 'resource_missing', statusCode: 404, param: 'customer' });
	});

	it('a Stripe validation error (4xx) is never retried', async () => {
		const customer = sandbox().createCustomer({});
		const result = await runStripe(sandbox(), [{ customer: customer.id, amount: -100, currency: 'xyz' }], createFromItem());
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/currency/i);
		expect(sandbox().requests).toHaveLength(1);
	});
});
