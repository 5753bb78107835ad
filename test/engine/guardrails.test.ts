/**
 * Guardrails on money (issue 35): Max Amount and Max Total per Execution, which take no expression; version 2's
 * currency checked against the customer (read once per customer per execution, the read Check Only shares); the amounts
 * as written in every output that carries money; a stopped run that says what it wrote; the hint for too many decimals.
 * Runs the built node in n8n's engine against the local Stripe sandbox, whose request log is the door checked.
 */
import { StripeCustomerBalance } from '../../nodes/StripeCustomerBalance/StripeCustomerBalance.node';
import { byId, createFromItem, runStripe, useSandbox, writesTo, type Sandbox } from './support';

const sandbox = useSandbox();

const v1 = { typeVersion: 1 };
const v2 = { typeVersion: 2 };
const continueOnError = { onError: 'continueRegularOutput' as const };
const customerReads = (of: Sandbox) => of.requests.filter((request) => request.method === 'GET' && /^\/v1\/customers\/cus_\w+$/.test(request.path));
const sentAmounts = (of: Sandbox) => writesTo(of).map((request) => new URLSearchParams(request.rawBody).get('amount'));
const createOptions = (typeVersion: number) =>
	new StripeCustomerBalance().description.properties.find(
		(property) => property.name === 'options' && property.displayOptions?.show?.operation?.includes('create') && JSON.stringify(property.displayOptions).includes(typeVersion === 1 ? '[1]' : 'gte'),
	);

describe('Max Amount (per item)', () => {
	it('an item over it is refused naming the maximum, and nothing is sent', async () => {
		const customer = sandbox().createCustomer({ currency: 'eur' }).id;
		const result = await runStripe(sandbox(), [{ customer, amount: 10, currency: 'EUR' }], createFromItem({ direction: 'credit', options: { maxAmount: 5 } }), v2);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Invalid Amount in item 0: 10.00 EUR is over Max Amount, 5 EUR per item: nothing was sent for it');
		expect(sandbox().requests).toHaveLength(0);
		expect(sandbox().customer(customer)?.balance).toBe(0);
	});

	it('with On Error: Continue, only the items over it are refused; up to it, as written in each item\'s currency, is sent', async () => {
		const eur = sandbox().createCustomer({ currency: 'eur' }).id;
		const jpy = sandbox().createCustomer({ currency: 'jpy' }).id;
		const items = [
			{ customer: eur, amount: '5.00', currency: 'eur' },
			{ customer: eur, amount: '5.01', currency: 'eur' },
			{ customer: jpy, amount: 5, currency: 'jpy' },
			{ customer: jpy, amount: 6, currency: 'jpy' },
		];
		const result = await runStripe(sandbox(), items, createFromItem({ direction: 'debit', options: { maxAmount: 5 } }), { ...v2, ...continueOnError });
		const output = result.output('Stripe').map((item) => item.json);
		expect(output.map((json) => json.error ?? json.amount)).toEqual([
			500,
			'Invalid Amount in item 1: 5.01 EUR is over Max Amount, 5 EUR per item: nothing was sent for it',
			5,
			'Invalid Amount in item 3: 6 JPY is over Max Amount, 5 JPY per item: nothing was sent for it',
		]);
		expect(sentAmounts(sandbox())).toEqual(['500', '5']);
	});

	it('version 1 offers it too (off unless set): its signed smallest-unit amount is compared as written', async () => {
		const customer = sandbox().createCustomer({}).id;
		const parameters = createFromItem({ options: { maxAmount: 9.99 } });
		const result = await runStripe(sandbox(), [{ customer, amount: -1000, currency: 'usd' }], parameters, v1);
		expect(result.error?.message).toBe('Invalid Amount in item 0: 10.00 USD is over Max Amount, 9.99 USD per item: nothing was sent for it');
		expect(sandbox().requests).toHaveLength(0);
		const unset = await runStripe(sandbox(), [{ customer, amount: -1000, currency: 'usd' }], createFromItem(), v1);
		expect(unset.status).toBe('success');
		expect(sentAmounts(sandbox())).toEqual(['-1000']);
	});

	it('takes no expression: one saved there (data, or an agent\'s $fromAI) fails the run before anything is sent', async () => {
		for (const typeVersion of [1, 2]) {
			const field = (createOptions(typeVersion)?.options as Array<{ name: string; noDataExpression?: boolean }>).find((option) => option.name === 'maxAmount');
			expect(field?.noDataExpression).toBe(true);
		}
		const customer = sandbox().createCustomer({ currency: 'eur' }).id;
		const result = await runStripe(
			sandbox(),
			[{ customer, amount: 10, currency: 'eur', max: 1000 }],
			createFromItem({ direction: 'credit', options: { maxAmount: '={{ $json.max }}' } }),
			v2,
		);
		expect(result.error?.message).toBe('Invalid Max Amount in item 0: is an expression ({{ $json.max }})');
		expect(result.error?.description).toMatch(/takes no expression/);
		expect(sandbox().requests).toHaveLength(0);
	});
});

describe('Max Total per Execution', () => {
	it('refuses the item that would take its currency\'s sum over it; other currencies count apart', async () => {
		const eur = sandbox().createCustomer({ currency: 'eur' }).id;
		const usd = sandbox().createCustomer({ currency: 'usd' }).id;
		const items = [
			{ customer: eur, amount: 30, currency: 'eur' },
			{ customer: eur, amount: 30, currency: 'eur' },
			{ customer: usd, amount: 60, currency: 'usd' },
			{ customer: eur, amount: 30, currency: 'eur' },
			{ customer: eur, amount: 10, currency: 'eur' },
		];
		const options = { maxAmount: 100, maxTotalPerExecution: 70 };
		const result = await runStripe(sandbox(), items, createFromItem({ direction: 'credit', options }), { ...v2, ...continueOnError });
		const output = result.output('Stripe').map((item) => item.json);
		expect(output[3].error).toBe(
			"Invalid Amount in item 3: 30.00 EUR would take this execution's EUR total to 90.00 EUR, over Max Total per Execution, 70 EUR: nothing was sent for it",
		);
		// Writes to different customers run side by side: compared as a set.
		expect(sentAmounts(sandbox()).sort()).toEqual(['-1000', '-3000', '-3000', '-6000']);
		// A new execution starts from nothing.
		await runStripe(sandbox(), [items[0]], createFromItem({ direction: 'credit', options }), v2);
		expect(writesTo(sandbox())).toHaveLength(5);
	});
});

describe("version 2's currency, checked against the customer", () => {
	it('a currency the customer is not billed in is refused naming Currency and theirs, and nothing is sent', async () => {
		const customer = sandbox().createCustomer({ currency: 'usd' }).id;
		const result = await runStripe(sandbox(), [{ customer, amount: 10, currency: 'EUR' }], createFromItem({ direction: 'credit' }), v2);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe("Invalid Currency in item 0: EUR is not the customer's currency (USD): nothing was sent for it");
		expect(result.error?.description).toMatch(/Options > Allow Any Currency/);
		expect(writesTo(sandbox())).toHaveLength(0);
	});

	it("accepts the customer's currency, one they hold a balance in, and any for a customer billed in none yet", async () => {
		const billedUsd = sandbox().createCustomer({ currency: 'usd' }).id;
		const neverBilled = sandbox().createCustomer({}).id;
		// Version 1 checks nothing (saved workflows do what they did): it gives the USD customer a EUR balance.
		await runStripe(sandbox(), [{ customer: billedUsd, amount: -500, currency: 'eur' }], createFromItem(), v1);
		expect(sentAmounts(sandbox())).toEqual(['-500']);
		const items = [
			{ customer: billedUsd, amount: 1, currency: 'usd' },
			{ customer: billedUsd, amount: 2, currency: 'EUR' },
			{ customer: neverBilled, amount: 3, currency: 'gbp' },
			{ customer: billedUsd, amount: 4, currency: 'gbp' },
		];
		const result = await runStripe(sandbox(), items, createFromItem({ direction: 'credit' }), { ...v2, ...continueOnError });
		const output = result.output('Stripe').map((item) => item.json);
		expect(output.map((json) => json.error ?? json.currency)).toEqual([
			'usd',
			'eur',
			'gbp',
			"Invalid Currency in item 3: GBP is not the customer's currency (USD; balances in EUR): nothing was sent for it",
		]);
		expect(sentAmounts(sandbox()).sort()).toEqual(['-100', '-200', '-300', '-500']);
	});

	it('Options > Allow Any Currency writes it anyway, without reading the customer', async () => {
		const customer = sandbox().createCustomer({ currency: 'usd' }).id;
		const result = await runStripe(
			sandbox(),
			[{ customer, amount: 10, currency: 'EUR' }],
			createFromItem({ direction: 'credit', options: { allowAnyCurrency: true } }),
			v2,
		);
		expect(result.status).toBe('success');
		expect(sentAmounts(sandbox())).toEqual(['-1000']);
		expect(customerReads(sandbox())).toHaveLength(0);
	});

	it('each customer is read once per execution, however many items name it, also when Check Only reads it too', async () => {
		const alice = sandbox().createCustomer({ currency: 'eur' }).id;
		const bob = sandbox().createCustomer({ currency: 'eur' }).id;
		const items = [alice, bob, alice, alice, bob].map((customer) => ({ customer, amount: 1, currency: 'eur' }));
		const real = await runStripe(sandbox(), items, createFromItem({ direction: 'credit' }), v2);
		expect(real.status).toBe('success');
		expect(customerReads(sandbox()).map((request) => request.path).sort()).toEqual([`/v1/customers/${alice}`, `/v1/customers/${bob}`].sort());
		expect(writesTo(sandbox())).toHaveLength(5);

		sandbox().reset();
		const carol = sandbox().createCustomer({ currency: 'eur' }).id;
		const checked = await runStripe(sandbox(), [carol, carol].map((customer) => ({ customer, amount: 1, currency: 'eur' })), createFromItem({ options: { checkOnly: true } }), v2);
		expect(checked.output('Stripe').map((item) => item.json.checkOnly)).toEqual([true, true]);
		expect(customerReads(sandbox())).toHaveLength(1);
		expect(writesTo(sandbox())).toHaveLength(0);
	});

	it('Check Only reports the refusal a real run would give, with nothing sent', async () => {
		const customer = sandbox().createCustomer({ currency: 'usd' }).id;
		const result = await runStripe(sandbox(), [{ customer, amount: 10, currency: 'eur' }], createFromItem({ options: { checkOnly: true } }), { ...v2, ...continueOnError });
		expect(result.output('Stripe')[0].json.error).toBe("Invalid Currency in item 0: EUR is not the customer's currency (USD): nothing was sent for it");
		expect(writesTo(sandbox())).toHaveLength(0);
	});
});

describe('amounts as written in every output that carries money', () => {
	it('Create (both versions), Get, Update and Get Many: Stripe\'s fields as sent, plus one asWritten', async () => {
		const customer = sandbox().createCustomer({ currency: 'eur' }).id;
		const created = await runStripe(sandbox(), [{ customer, amount: 4, currency: 'EUR' }], createFromItem({ direction: 'credit' }), v2);
		const credit = created.output('Stripe')[0].json;
		expect(credit).toMatchObject({ amount: -400, currency: 'eur', direction: 'credit', ending_balance: -400 });
		const asWritten = { amount: 4, currency: 'EUR', direction: 'credit', summary: '4.00 EUR credit', balanceAfter: '4.00 EUR credit' };
		expect(credit.asWritten).toEqual(asWritten);

		const debit = await runStripe(sandbox(), [{ customer, amount: 1250, currency: 'eur' }], createFromItem(), v1);
		expect(debit.output('Stripe')[0].json).toMatchObject({
			amount: 1250,
			asWritten: { amount: 12.5, currency: 'EUR', direction: 'debit', summary: '12.50 EUR debit', balanceAfter: '8.50 EUR owed' },
		});

		const txn = { resource: 'customerBalanceTransaction', customer: byId(customer), transactionId: String(credit.id) };
		const got = await runStripe(sandbox(), [{}], { ...txn, operation: 'get' }, v2);
		expect(got.output('Stripe')[0].json).toMatchObject({ amount: -400, asWritten });
		const updated = await runStripe(sandbox(), [{}], { ...txn, operation: 'update', updateFields: { description: 'Goodwill' } }, v2);
		expect(updated.output('Stripe')[0].json).toMatchObject({ amount: -400, description: 'Goodwill', asWritten });
		const many = await runStripe(sandbox(), [{}], { resource: 'customerBalanceTransaction', operation: 'getAll', customer: byId(customer), returnAll: true }, v2);
		expect(many.output('Stripe').map((item) => item.json.asWritten)).toEqual([
			{ amount: 12.5, currency: 'EUR', direction: 'debit', summary: '12.50 EUR debit', balanceAfter: '8.50 EUR owed' },
			asWritten,
		]);
	});

	it('Get Balance and Find: the balance and each currency\'s credit balance as written, beside Stripe\'s signs', async () => {
		const customer = sandbox().createCustomer({ email: 'jane@acme.com', currency: 'eur', balance: -1250 }).id;
		const expected = { balance: '12.50 EUR credit', creditBalances: { EUR: '12.50 EUR credit' } };
		const balance = await runStripe(sandbox(), [{}], { resource: 'customer', operation: 'getBalance', customer: byId(customer) }, v2);
		expect(balance.output('Stripe')[0].json).toMatchObject({ balance: -1250, invoice_credit_balance: { eur: 1250 }, asWritten: expected });
		const found = await runStripe(sandbox(), [{}], { resource: 'customer', operation: 'find', email: 'jane@acme.com' }, v2);
		expect(found.output('Stripe')[0].json).toMatchObject({ customer, balance: -1250, asWritten: expected });
	});

	it('Check Only: the amount, direction, summary and the balance now and after, as written', async () => {
		const customer = sandbox().createCustomer({ currency: 'eur', balance: -500 }).id;
		const items = [{ customer, amount: '12.50', currency: 'eur' }, { customer, amount: 20, currency: 'eur' }];
		const parameters = createFromItem({ direction: '={{ $json.amount === 20 ? "debit" : "credit" }}', options: { checkOnly: true } });
		const checked = await runStripe(sandbox(), items, parameters, v2);
		expect(checked.output('Stripe').map((item) => item.json.asWritten)).toEqual([
			{ amount: 12.5, currency: 'EUR', direction: 'credit', summary: '12.50 EUR credit', balanceNow: '5.00 EUR credit', balanceAfter: '17.50 EUR credit' },
			{ amount: 20, currency: 'EUR', direction: 'debit', summary: '20.00 EUR debit', balanceNow: '5.00 EUR credit', balanceAfter: '2.50 EUR owed' },
		]);
		expect(checked.output('Stripe')[0].json).toMatchObject({ amount: -1250, balanceNow: -500, balanceAfter: -1750 });
	});
});

describe('a run that stops says what it wrote', () => {
	it('On Error: Stop, Stripe failing item 57 after 56 were written: how many, the first and last transaction, how to re-run', async () => {
		const customers = Array.from({ length: 60 }, () => sandbox().createCustomer({ currency: 'eur' }).id);
		const items = customers.map((customer) => ({ customer, amount: 1, currency: 'eur' }));
		sandbox().setFaults({ script: [{ fault: 'should-retry-false-500', method: 'POST', pathIncludes: customers[56] }] });
		// One customer per item, one at a time: input order, so the items after the failing one are provably not started.
		const result = await runStripe(sandbox(), items, createFromItem({ direction: 'credit', options: { concurrency: 1 } }), v2);
		expect(result.status).toBe('error');
		const written = sandbox().transactions();
		expect(written).toHaveLength(56);
		const [first, last] = [written[0].id, written[55].id];
		expect(result.error?.message).toMatch(/\(the run stopped; 56 items were written before\)$/);
		expect(result.error?.description).toContain(`56 items were written to Stripe before the run stopped (first ${first}, last ${last}).`);
		expect(result.error?.description).toMatch(/n8n's Retry of this failed execution[\s\S]*Options > Idempotency Key from the data/);
	});

	it('when nothing was written, it says so', async () => {
		const customer = sandbox().createCustomer({ currency: 'eur' }).id;
		sandbox().setFaults({ script: [{ fault: 'should-retry-false-500', method: 'POST' }] });
		const result = await runStripe(sandbox(), [{ customer, amount: 1, currency: 'eur' }], createFromItem({ direction: 'credit' }), v2);
		expect(result.error?.message).not.toMatch(/the run stopped/);
		expect(result.error?.description).toContain('Nothing was written to Stripe before the run stopped.');
	});
});

describe('too many decimals', () => {
	it("the hint says how to round in the expression, and both ways it names work in n8n's expressions", async () => {
		const customer = sandbox().createCustomer({ currency: 'eur' }).id;
		const item = [{ customer, price: 29.99, currency: 'eur' }];
		const refused = await runStripe(sandbox(), item, createFromItem({ direction: 'credit', amount: '={{ $json.price * 0.1 }}' }), v2);
		expect(refused.error?.message).toBe('Invalid Amount in item 0: 2.999 EUR has more decimals than EUR allows (2)');
		expect(refused.error?.description).toBe(
			"Round a computed amount in its expression to 2 decimals: {{ ($json.price * 0.1).round(2) }} (n8n's round) or {{ ($json.price * 0.1).toFixed(2) }}.",
		);
		expect(sandbox().requests).toHaveLength(0);

		for (const rounded of ['={{ ($json.price * 0.1).round(2) }}', '={{ ($json.price * 0.1).toFixed(2) }}']) {
			const result = await runStripe(sandbox(), item, createFromItem({ direction: 'credit', amount: rounded }), v2);
			expect(result.status).toBe('success');
		}
		expect(sentAmounts(sandbox())).toEqual(['-300', '-300']);
	});
});
