/**
 * Every text the node reads from data is bounded before it is parsed: 1 MB in any field is refused, naming the field
 * and the item, with nothing sent (and without the stall a regex or a conversion over 1 MB would cost n8n's one event
 * loop; the time itself is not asserted here).
 */
import { byId, createFromItem, runStripe, useSandbox } from './support';

const sandbox = useSandbox();

const MB = 1024 * 1024;
/** The stall: a decimal whose fraction is zeros, then not zero (a regex over its trailing zeros is quadratic). */
const LONG_AMOUNT = `1.${'0'.repeat(MB - 3)}1`;
const long = (prefix = '', suffix = '') => `${prefix}${'a'.repeat(MB - prefix.length - suffix.length)}${suffix}`;

/** Each item's `value` reaches the field through an expression, as data from an upstream node does. */
const FROM_ITEM = '={{ $json.value }}';

interface Case {
	/** The field the error names. */
	field: string;
	/** The node's parameters (`FROM_ITEM` where the field reads the item), given the sandbox customer's id. */
	parameters: (customer: string) => Record<string, unknown>;
	/** A valid value for item 0 (unused when `longAt` is 0). */
	valid: (customer: string) => unknown;
	longValue: string;
	/** The item that carries 1 MB: 1, after a valid item; 0 where a valid item would be looked up while items are prepared. */
	longAt?: 0 | 1;
	typeVersion?: number;
}

const create = (customer: string, extra: Record<string, unknown> = {}) => ({ ...createFromItem({ amount: 1, currency: 'usd' }), customer: byId(customer), ...extra });
const get = (extra: Record<string, unknown>) => ({ resource: 'customerBalanceTransaction', operation: 'get', transactionId: 'cbtxn_1Valid', ...extra });
const getAll = (customer: string, filters: Record<string, unknown>) => ({ resource: 'customerBalanceTransaction', operation: 'getAll', customer: byId(customer), filters });
const find = (extra: Record<string, unknown>) => ({ resource: 'customer', operation: 'find', ...extra });

const cases: Array<[string, Case]> = [
	['Amount (smallest unit, version 1)', { field: 'Amount', parameters: (c) => create(c, { amount: FROM_ITEM }), valid: () => '-100', longValue: LONG_AMOUNT, typeVersion: 1 }],
	['Amount (as written, version 2)', { field: 'Amount', parameters: (c) => create(c, { amount: FROM_ITEM, direction: 'credit' }), valid: () => '1.00', longValue: LONG_AMOUNT, typeVersion: 2 }],
	['Amount (decimal, version 1)', { field: 'Amount', parameters: (c) => create(c, { amount: FROM_ITEM, options: { amountFormat: 'decimal' } }), valid: () => '-1.00', longValue: LONG_AMOUNT, typeVersion: 1 }],
	['Currency', { field: 'Currency', parameters: (c) => create(c, { currency: FROM_ITEM }), valid: () => 'usd', longValue: long() }],
	['Customer by ID', { field: 'Customer', parameters: () => create('', { customer: byId(FROM_ITEM) }), valid: (c) => c, longValue: long('cus_') }],
	['Customer by Dashboard URL', { field: 'Customer', parameters: () => create('', { customer: { __rl: true, mode: 'url', value: FROM_ITEM } }), valid: (c) => `https://dashboard.stripe.com/test/customers/${c}`, longValue: long('https://dashboard.stripe.com/customers/cus_') }],
	['Customer by email', { field: 'Customer', parameters: () => create('', { customer: { __rl: true, mode: 'email', value: FROM_ITEM } }), valid: () => 'jane@acme.com', longValue: long('', '@acme.com'), longAt: 0 }],
	['Transaction ID', { field: 'Transaction ID', parameters: (c) => get({ customer: byId(c), transactionId: FROM_ITEM }), valid: () => 'cbtxn_1Valid', longValue: long('cbtxn_') }],
	['Invoice ID', { field: 'Invoice ID', parameters: (c) => getAll(c, { invoice: FROM_ITEM }), valid: () => 'in_1Valid', longValue: long('in_') }],
	['Created After', { field: 'Created After', parameters: (c) => getAll(c, { createdAfter: FROM_ITEM }), valid: () => '2026-11-01T00:00:00Z', longValue: long('2026-11-01T00:00:00') }],
	['Email (Find)', { field: 'Email', parameters: () => find({ findBy: 'email', email: FROM_ITEM }), valid: () => 'jane@acme.com', longValue: long('', '@acme.com') }],
	['Search Query (Find)', { field: 'Search Query', parameters: () => find({ findBy: 'query', query: FROM_ITEM }), valid: () => "email:'jane@acme.com'", longValue: long("metadata['crm_id']:'", "'") }],
	['Description', { field: 'Description', parameters: (c) => create(c, { additionalFields: { description: FROM_ITEM } }), valid: () => 'Goodwill', longValue: long() }],
	['Metadata key', { field: 'Metadata', parameters: (c) => create(c, { additionalFields: { metadata: { metadataValues: [{ key: FROM_ITEM, value: 'v' }] } } }), valid: () => 'crm_id', longValue: long() }],
	['Metadata value', { field: 'Metadata', parameters: (c) => create(c, { additionalFields: { metadata: { metadataValues: [{ key: 'crm_id', value: FROM_ITEM }] } } }), valid: () => '0012345', longValue: long() }],
	['Expand (as text)', { field: 'Expand', parameters: (c) => create(c, { additionalFields: { expand: FROM_ITEM } }), valid: () => 'customer', longValue: long('customer,') }],
	['Idempotency Key', { field: 'Idempotency Key', parameters: (c) => create(c, { options: { idempotencyKey: FROM_ITEM } }), valid: () => 'order-1', longValue: long('order-') }],
	['Stripe Account', { field: 'Stripe Account', parameters: (c) => create(c, { options: { stripeAccount: FROM_ITEM } }), valid: () => 'acct_1Valid', longValue: long('acct_') }],
	['API Version', { field: 'API Version', parameters: (c) => create(c, { options: { apiVersion: FROM_ITEM } }), valid: () => '2026-07-29.dahlia', longValue: long('2026-07-29.') }],
	['Direction (a dropdown, from an expression)', { field: 'Direction', parameters: (c) => create(c, { direction: FROM_ITEM }), valid: () => 'credit', longValue: long('credit'), typeVersion: 2 }],
];

describe('1 MB of text in a field', () => {
	it.each(cases)('%s: refused, naming the field and the item, nothing sent', async (_name, test) => {
		const customer = sandbox().createCustomer({ email: 'jane@acme.com' }).id;
		const longAt = test.longAt ?? 1;
		const items = longAt === 0 ? [{ value: test.longValue }, { value: test.valid(customer) }] : [{ value: test.valid(customer) }, { value: test.longValue }];
		const result = await runStripe(sandbox(), items, test.parameters(customer), { typeVersion: test.typeVersion ?? 2 });

		expect(result.status).toBe('error');
		const message = result.error?.message ?? '';
		expect(message.slice(0, 200)).toMatch(new RegExp(`^Invalid ${test.field} in item ${longAt}: `));
		// the field's limit, not the text: the message stays short
		expect(message).toMatch(/is 1,?048,?5\d\d characters long; (Stripe allows|it takes) at most \d+/);
		expect(message.length).toBeLessThan(300);
		expect(sandbox().requests).toHaveLength(0);
	});
});
