/**
 * Node version 2's Create: Direction (Credit the Customer / Debit the Customer / Signed Amount) above Amount, and the
 * amount as written in the currency. Version 1 keeps its meaning: the same inputs run through both versions in n8n's
 * engine, side by side, and the request bodies the sandbox received are compared byte for byte.
 */
import { NodeHelpers, Workflow, type INode, type INodeParameters } from 'n8n-workflow';

import { NODE_TYPE, loadedPackage } from '.';
import { nodeTypes } from './registry';
import { bodyWithoutKey, createFromItem, runStripe, useSandbox, writesTo, type Sandbox } from './support';

const sandbox = useSandbox();

/** Runs Create at one version and returns the raw bodies the sandbox received, in order, and the run. */
async function bodiesAt(typeVersion: number, items: object[], extra: Record<string, unknown> = {}) {
	sandbox().reset();
	const customer = sandbox().createCustomer({ id: 'cus_SideBySide0001' }).id;
	const result = await runStripe(
		sandbox(),
		items.map((item) => ({ customer, ...item })),
		createFromItem(extra),
		{ typeVersion },
	);
	return { bodies: writesTo(sandbox()).map(bodyWithoutKey), result };
}

const sent = (s: Sandbox) => writesTo(s).map((request) => Number(request.params.amount));

describe('the same inputs through version 1 and version 2', () => {
	const items = [
		{ amount: '10', currency: 'EUR' },
		{ amount: 1250, currency: 'usd', note: 'x' },
		{ amount: '1200', currency: 'JPY' },
	];

	it('version 1 sends what it always sent (Stripe\'s sign, smallest unit); version 2 reads the same Amount as written and credits', async () => {
		const v1 = await bodiesAt(1, items, { additionalFields: { description: 'Goodwill' } });
		expect(v1.bodies).toEqual([
			'amount=10&currency=eur&description=Goodwill',
			'amount=1250&currency=usd&description=Goodwill',
			'amount=1200&currency=jpy&description=Goodwill',
		]);
		const v2 = await bodiesAt(2, items, { additionalFields: { description: 'Goodwill' } });
		expect(v2.bodies).toEqual([
			'amount=-1000&currency=eur&description=Goodwill',
			'amount=-125000&currency=usd&description=Goodwill',
			'amount=-1200&currency=jpy&description=Goodwill',
		]);
	});

	it('version 2 with Signed Amount and Smallest Unit sends byte for byte what version 1 sends by default', async () => {
		const signed = [...items, { amount: '-700', currency: 'gbp' }];
		const everything = {
			additionalFields: { description: 'Geste — ticket #4512', expand: ['customer'], metadata: { metadataValues: [{ key: 'crm_id', value: '0012 345' }] } },
		};
		const v1 = await bodiesAt(1, signed, everything);
		const v2 = await bodiesAt(2, signed, { ...everything, direction: 'signed', options: { amountFormat: 'smallestUnit' } });
		expect(v2.bodies).toEqual(v1.bodies);
		expect(v1.bodies[3]).toBe('amount=-700&currency=gbp&description=Geste%20%E2%80%94%20ticket%20%234512&expand[0]=customer&metadata[crm_id]=0012%20345');
	});

	it('version 1\'s Options > Amount Format: Decimal with Direction: Credit is version 2\'s default', async () => {
		const decimals = [{ amount: '12.50', currency: 'EUR' }, { amount: 1.23, currency: 'KWD' }];
		const v1 = await bodiesAt(1, decimals, { options: { amountFormat: 'decimal', direction: 'credit' } });
		const v2 = await bodiesAt(2, decimals);
		expect(v1.bodies).toEqual(['amount=-1250&currency=eur', 'amount=-1230&currency=kwd']);
		expect(v2.bodies).toEqual(v1.bodies);
	});

	it('version 1\'s Direction: Debit in the smallest unit is version 2\'s Debit with Amount Format: Smallest Unit', async () => {
		const v1 = await bodiesAt(1, [{ amount: 500, currency: 'usd' }], { options: { direction: 'debit' } });
		const v2 = await bodiesAt(2, [{ amount: 500, currency: 'usd' }], { direction: 'debit', options: { amountFormat: 'smallestUnit' } });
		expect(v1.bodies).toEqual(['amount=500&currency=usd']);
		expect(v2.bodies).toEqual(v1.bodies);
	});

	it('version 1 still takes a negative amount with no direction, a zero, and outputs Stripe\'s object as it is', async () => {
		const v1 = await bodiesAt(1, [{ amount: -300, currency: 'eur' }, { amount: 0, currency: 'eur' }]);
		expect(v1.bodies).toEqual(['amount=-300&currency=eur', 'amount=0&currency=eur']);
		expect(v1.result.output('Stripe')[0].json).not.toHaveProperty('direction');
	});
});

describe('version 2: Credit, Debit or Signed Amount, with the amount as written', () => {
	const v2 = { typeVersion: 2 };

	it('Credit 10 EUR sends -1000, Debit 5 USD sends 500, and each output says which way the money moved', async () => {
		const customer = sandbox().createCustomer({}).id;
		const credit = await runStripe(sandbox(), [{ customer, amount: 10, currency: 'EUR' }], createFromItem({ direction: 'credit' }), v2);
		const debit = await runStripe(sandbox(), [{ customer, amount: '5', currency: 'usd' }], createFromItem({ direction: 'debit' }), v2);
		expect(sent(sandbox())).toEqual([-1000, 500]);
		const [creditItem] = credit.output('Stripe');
		expect(creditItem.json).toMatchObject({ object: 'customer_balance_transaction', amount: -1000, direction: 'credit', currency: 'eur' });
		// Stripe's object as it is, with `direction` right after `amount`
		const keys = Object.keys(creditItem.json);
		expect(keys.slice(keys.indexOf('amount'), keys.indexOf('amount') + 2)).toEqual(['amount', 'direction']);
		expect(debit.output('Stripe')[0].json).toMatchObject({ amount: 500, direction: 'debit', currency: 'usd' });
	});

	it.each([
		['10.00', 'eur', -1000],
		['1200', 'jpy', -1200],
		['1.230', 'kwd', -1230],
		[0.5, 'usd', -50],
	])('credits %p %s as %p, following the currency\'s decimals', async (amount, currency, expected) => {
		const customer = sandbox().createCustomer({}).id;
		await runStripe(sandbox(), [{ customer, amount, currency }], createFromItem(), v2);
		expect(sent(sandbox())).toEqual([expected]);
	});

	it('Signed Amount keeps the sign of data that carries Stripe\'s: -12.50 EUR credits, 3 EUR debits', async () => {
		const customer = sandbox().createCustomer({}).id;
		const items = [{ customer, amount: '-12.50', currency: 'EUR' }, { customer, amount: 3, currency: 'EUR' }];
		const result = await runStripe(sandbox(), items, createFromItem({ direction: 'signed' }), v2);
		expect(sent(sandbox())).toEqual([-1250, 300]);
		expect(result.output('Stripe').map((item) => item.json.direction)).toEqual(['credit', 'debit']);
	});

	it('Direction may come from the item (an expression), and is checked like every field', async () => {
		const customer = sandbox().createCustomer({}).id;
		const items = [
			{ customer, amount: 4, currency: 'eur', kind: 'credit' },
			{ customer, amount: 2, currency: 'eur', kind: 'debit' },
		];
		await runStripe(sandbox(), items, createFromItem({ direction: '={{ $json.kind }}' }), v2);
		expect(sent(sandbox())).toEqual([-400, 200]);

		sandbox().reset();
		const bad = await runStripe(sandbox(), [{ customer: 'cus_Any00000000001', amount: 4, currency: 'eur', kind: 'refund' }], createFromItem({ direction: '={{ $json.kind }}' }), v2);
		expect(bad.error?.message).toBe('Invalid Direction in item 0: "refund" is not one of its values');
		expect(bad.error?.description).toBe('Use one of: "credit" (Credit the Customer), "debit" (Debit the Customer), "signed" (Signed Amount).');
		expect(writesTo(sandbox())).toHaveLength(0);
	});

	it.each([
		['credit', -10, 'eur', /^Invalid Amount in item 0: is negative \(-10\) while Direction is "Credit the Customer": enter the size of the credit; Direction gives it its sign$/],
		['debit', '-5', 'usd', /^Invalid Amount in item 0: is negative \(-5\) while Direction is "Debit the Customer": enter the size of the debit; Direction gives it its sign$/],
		['credit', 0, 'eur', /^Invalid Amount in item 0: is 0, which would not change the balance$/],
		['signed', 0, 'eur', /^Invalid Amount in item 0: is 0/],
		['credit', 12.5, 'JPY', /^Invalid Amount in item 0: 12\.5 JPY has more decimals than JPY allows \(0\)$/],
		['debit', '10,50', 'eur', /^Invalid Amount in item 0: "10,50" is not a decimal amount$/],
	])('%s with Amount %p %s is refused, saying why, and nothing is sent', async (direction, amount, currency, message) => {
		const customer = sandbox().createCustomer({}).id;
		const result = await runStripe(sandbox(), [{ customer, amount, currency }], createFromItem({ direction }), v2);
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(message);
		expect(writesTo(sandbox())).toHaveLength(0);
	});

	it('a negative amount with Credit leads to the amount meant: Stripe\'s -500 (cents) is a credit of 5 USD', async () => {
		const result = await runStripe(sandbox(), [{ customer: 'cus_Any00000000001', amount: -500, currency: 'usd' }], createFromItem(), v2);
		expect(result.error?.description).toBe(
			"If -500 is in Stripe's terms (the smallest unit, negative for a credit), that is 5 USD: enter 5. For data that already carries Stripe's sign and unit, choose Direction: Signed Amount and Options > Amount Format: Smallest Unit.",
		);
		const decimals = await runStripe(sandbox(), [{ customer: 'cus_Any00000000001', amount: '-12.50', currency: 'eur' }], createFromItem(), v2);
		expect(decimals.error?.description).toMatch(/^Enter 12\.50 for a credit of that size\. For data that already carries Stripe's sign and unit, choose Direction: Signed Amount and Options > Amount Format: Smallest Unit\.$/);
		const following = await runStripe(sandbox(), [{ customer: sandbox().createCustomer({}).id, amount: -500, currency: 'usd' }], createFromItem({ direction: 'signed', options: { amountFormat: 'smallestUnit' } }), v2);
		expect(sent(sandbox())).toEqual([-500]);
		expect(following.status).toBe('success');
	});

	it('Options > Amount Format: Smallest Unit takes cents, and refuses a decimal as version 1 does', async () => {
		const customer = sandbox().createCustomer({}).id;
		await runStripe(sandbox(), [{ customer, amount: 1050, currency: 'eur' }], createFromItem({ options: { amountFormat: 'smallestUnit' } }), v2);
		expect(sent(sandbox())).toEqual([-1050]);
		const bad = await runStripe(sandbox(), [{ customer, amount: 10.5, currency: 'eur' }], createFromItem({ options: { amountFormat: 'smallestUnit' } }), v2);
		expect(bad.error?.message).toMatch(/^Invalid Amount in item 0: 10\.5 is not a whole number of the currency's smallest unit/);
	});

	it('with On Error: continue, a refused item becomes an error item and the others are sent: N items in, N out', async () => {
		const customer = sandbox().createCustomer({}).id;
		const items = [{ customer, amount: 10, currency: 'eur' }, { customer, amount: -1, currency: 'eur' }, { customer, amount: 2, currency: 'eur' }];
		const result = await runStripe(sandbox(), items, createFromItem(), { ...v2, onError: 'continueRegularOutput' });
		const output = result.output('Stripe');
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[1].json).toMatchObject({ error: expect.stringMatching(/^Invalid Amount in item 1: is negative/), itemIndex: 1 });
		expect(sent(sandbox())).toEqual([-1000, -200]);
	});
});

describe('the panel', () => {
	const description = loadedPackage().nodeDescription(NODE_TYPE);

	it('new nodes are version 2; saved version-1 nodes stay version 1', () => {
		expect(description.version).toEqual([1, 2]);
		expect(description.defaultVersion).toBe(2);
	});

	function subtitle(parameters: Record<string, unknown>, typeVersion = 2): unknown {
		const node: INode = { id: 'n1', name: 'Stripe', type: NODE_TYPE, typeVersion, position: [0, 0], parameters: parameters as INode['parameters'] };
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		return workflow.expression.getSimpleParameterValue(node, description.subtitle, 'internal', {});
	}

	it('the subtitle on the canvas reads as words, and version 2\'s Create says credit or debit', () => {
		expect(subtitle({ resource: 'customerBalanceTransaction', operation: 'create', direction: 'credit' })).toBe('Credit customer balance');
		expect(subtitle({ resource: 'customerBalanceTransaction', operation: 'create', direction: 'debit' })).toBe('Debit customer balance');
		expect(subtitle({ resource: 'customerBalanceTransaction', operation: 'create', direction: 'signed' })).toBe('Create balance transaction');
		expect(subtitle({ resource: 'customerBalanceTransaction', operation: 'create' }, 1)).toBe('Create balance transaction');
		expect(subtitle({ resource: 'customerBalanceTransaction', operation: 'create', options: { direction: 'credit' } }, 1)).toBe('Credit customer balance');
		expect(subtitle({ resource: 'customerBalanceTransaction', operation: 'create', options: { direction: 'debit' } }, 1)).toBe('Debit customer balance');
		expect(subtitle({ resource: 'customer', operation: 'find' })).toBe('Find customers');
		expect(subtitle({ resource: 'customerBalanceTransaction', operation: 'getAll' })).toBe('Get many balance transactions');
		expect(subtitle({ resource: 'customer', operation: 'getBalance' })).toBe('Get balance');
	});

	/** The hints of the Amount fields n8n's editor shows for these parameters (its own display rules). */
	function amountHints(parameters: Record<string, unknown>, typeVersion: number): string[] {
		const values = { resource: 'customerBalanceTransaction', operation: 'create', ...parameters } as INodeParameters;
		const node = { typeVersion } as INode;
		return description.properties
			.filter((property) => property.name === 'amount' && NodeHelpers.displayParameter(values, property, node, description, values))
			.map((property) => property.hint ?? '');
	}

	it.each([
		[1, {}, 'In the currency\'s smallest unit (1050 is 10.50 EUR), signed: negative credits the customer, positive debits them.'],
		[1, { options: { direction: 'credit' } }, 'In the currency\'s smallest unit (1050 is 10.50 EUR), credited to the customer: it lowers what they owe (Stripe records it as negative).'],
		[1, { options: { amountFormat: 'decimal', direction: 'debit' } }, 'As written in the currency (10.50 EUR is 10.50), debited: it adds to what the customer owes.'],
		[1, { options: { direction: '={{ $json.kind }}' } }, 'In the currency\'s smallest unit (1050 is 10.50 EUR), credited or debited as the Direction expression says.'],
		[2, {}, 'As written in the currency (10.50 EUR is 10.50), signed: negative credits the customer, positive debits them.'],
		[2, { direction: 'credit' }, 'As written in the currency (10.50 EUR is 10.50), credited to the customer: it lowers what they owe (Stripe records it as negative).'],
		[2, { direction: 'debit', options: { amountFormat: 'smallestUnit' } }, 'In the currency\'s smallest unit (1050 is 10.50 EUR), debited: it adds to what the customer owes.'],
		[2, { direction: "={{ $fromAI('direction') }}" }, 'As written in the currency (10.50 EUR is 10.50), credited or debited as the Direction expression says.'],
	])('version %p with %j: exactly one Amount, whose hint says "%s"', (typeVersion, parameters, hint) => {
		expect(amountHints(parameters, typeVersion)).toEqual([hint]);
	});
});
