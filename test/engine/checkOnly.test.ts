/**
 * Options > Check Only (Send Nothing) on Create and Update: every item validated and its customer found and read, the
 * write described and never sent; then the real run with the same input sends exactly the described requests.
 * Runs the built node in n8n's engine against the local Stripe sandbox, whose request log is the door checked.
 */
import { Workflow, type INode } from 'n8n-workflow';

import { StripeCustomerBalance } from '../../nodes/StripeCustomerBalance/StripeCustomerBalance.node';
import { NODE_TYPE, loadedPackage } from '.';
import { nodeTypes } from './registry';
import { bodyWithoutKey, byId, createFromItem, runStripe, useSandbox, writesTo, type Sandbox } from './support';

const sandbox = useSandbox();

const byEmail = (value: string) => ({ __rl: true, mode: 'email', value });
const continueOnError = { onError: 'continueRegularOutput' as const };
const checkOnly = (options: Record<string, unknown> = {}) => ({ options: { ...options, checkOnly: true } });

/** A CRM export: customers by id or by email, amounts as written, the CRM's record id. */
function crmCreate(extra: Record<string, unknown> = {}) {
	return createFromItem({
		customer: `={{ $json.email ? { __rl: true, mode: 'email', value: $json.email } : { __rl: true, mode: 'id', value: $json.customer } }}`,
		additionalFields: { description: '={{ $json.note }}' },
		...extra,
	});
}

const writes = (of: Sandbox) => writesTo(of).map((request) => ({ path: request.path, body: request.rawBody, key: request.headers['idempotency-key'] }));

describe('check only (send nothing)', () => {
	it('a CRM batch by id and by email: no write reaches Stripe; the real run then sends, item by item, what the check showed, once', async () => {
		const alice = sandbox().createCustomer({ email: 'alice@example.com', name: 'Alice', balance: -500, currency: 'eur' });
		const bob = sandbox().createCustomer({ email: 'Bob@Example.com', name: 'Bob' });
		const items = [
			{ customer: alice.id, amount: '-1000', currency: 'EUR', note: 'Goodwill', crm: 'crm-1' },
			{ email: 'bob@example.com', amount: 2500, currency: 'eur', note: 'Late fee & more', crm: 'crm-2' },
			{ email: 'ALICE@example.com', amount: -250, currency: 'eur', note: 'Referral', crm: 'crm-3' },
		];
		const keyFromData = { idempotencyKey: '={{ "import-" + $json.crm }}' };

		const checked = await runStripe(sandbox(), items, crmCreate(checkOnly(keyFromData)), {}, { executionId: 'check-1' });
		expect(checked.status).toBe('success');
		expect(writesTo(sandbox())).toHaveLength(0);
		expect(sandbox().transactions()).toHaveLength(0);
		expect(sandbox().customer(alice.id)?.balance).toBe(-500);
		const reads = sandbox().requests.filter((request) => request.path.startsWith('/v1/customers/cus_'));
		// One read per distinct customer, however many items name it, and (keys from the data) one look-up of its
		// transactions for earlier writes with those keys.
		const customerReads = [alice.id, bob.id].flatMap((id) => [`/v1/customers/${id}`, `/v1/customers/${id}/balance_transactions`]);
		expect(reads.map((request) => request.path).sort()).toEqual(customerReads.sort());

		const plans = checked.output('Stripe');
		expect(plans.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(plans.map((item) => item.json)).toEqual([
			{
				checkOnly: true,
				method: 'POST',
				path: `/v1/customers/${alice.id}/balance_transactions`,
				body: 'amount=-1000&currency=eur&description=Goodwill&metadata[n8n_idempotency_key]=import-crm-1',
				idempotencyKey: 'import-crm-1',
				customer: { id: alice.id, email: 'alice@example.com', name: 'Alice' },
				amount: -1000,
				currency: 'eur',
				balanceNow: -500,
				balanceAfter: -1500,
				alreadyApplied: false,
			},
			{
				checkOnly: true,
				method: 'POST',
				path: `/v1/customers/${bob.id}/balance_transactions`,
				body: 'amount=2500&currency=eur&description=Late%20fee%20%26%20more&metadata[n8n_idempotency_key]=import-crm-2',
				idempotencyKey: 'import-crm-2',
				customer: { id: bob.id, email: 'Bob@Example.com', name: 'Bob' },
				amount: 2500,
				currency: 'eur',
				balanceNow: 0,
				balanceAfter: 2500,
				alreadyApplied: false,
			},
			{
				checkOnly: true,
				method: 'POST',
				path: `/v1/customers/${alice.id}/balance_transactions`,
				body: 'amount=-250&currency=eur&description=Referral&metadata[n8n_idempotency_key]=import-crm-3',
				idempotencyKey: 'import-crm-3',
				customer: { id: alice.id, email: 'alice@example.com', name: 'Alice' },
				amount: -250,
				currency: 'eur',
				balanceNow: -500,
				balanceAfter: -1750,
				alreadyApplied: false,
			},
		]);

		// Switched off, nothing else changed: the real run sends what the check showed, and each credit once.
		const real = await runStripe(sandbox(), items, crmCreate({ options: { ...keyFromData, checkOnly: false } }), {}, { executionId: 'real-1' });
		expect(real.status).toBe('success');
		// Writes to one customer keep input order; between customers the order is not promised.
		const byKey = (a: { key: unknown }, b: { key: unknown }) => String(a.key).localeCompare(String(b.key));
		expect(writes(sandbox()).sort(byKey)).toEqual(plans.map((item) => ({ path: item.json.path, body: item.json.body, key: item.json.idempotencyKey })).sort(byKey));
		expect(writes(sandbox()).filter((write) => write.path.includes(alice.id)).map((write) => write.key)).toEqual(['import-crm-1', 'import-crm-3']);
		expect(sandbox().transactions()).toHaveLength(3);
		expect(real.output('Stripe').map((item) => item.json.ending_balance)).toEqual(plans.map((item) => item.json.balanceAfter));
		expect(sandbox().customer(alice.id)?.balance).toBe(-1750);
	});

	it('with derived keys, the check shows the same bodies, and the key of each item as its execution derives it', async () => {
		const customer = sandbox().createCustomer({ email: 'carol@example.com' });
		sandbox().addAccount('acct_1032D82eZvKYlo2C');
		const connected = sandbox().createCustomer({ id: 'cus_Connected00001', account: 'acct_1032D82eZvKYlo2C', email: 'c@x.io', name: 'C' });
		const items = [
			{ customer: connected.id, amount: '12.50', currency: 'USD' },
			{ customer: connected.id, amount: '1', currency: 'usd' },
		];
		const parameters = (options: Record<string, unknown>) =>
			createFromItem({ direction: 'credit', amount: '={{ $json.amount }}', options: { stripeAccount: 'acct_1032D82eZvKYlo2C', ...options } });

		const checked = await runStripe(sandbox(), items, parameters({ checkOnly: true }), { typeVersion: 2 });
		expect(checked.status).toBe('success');
		expect(writesTo(sandbox())).toHaveLength(0);
		const plans = checked.output('Stripe').map((item) => item.json);
		expect(plans.map((plan) => [plan.checkOnly, plan.stripeAccount, bodyWithoutKey({ rawBody: String(plan.body) }), plan.balanceNow, plan.balanceAfter])).toEqual([
			[true, 'acct_1032D82eZvKYlo2C', 'amount=-1250&currency=usd', 0, -1250],
			[true, 'acct_1032D82eZvKYlo2C', 'amount=-100&currency=usd', 0, -1350],
		]);
		expect(plans[0].idempotencyKey).toMatch(/^n8n-/);
		expect(plans[0].idempotencyKey).not.toBe(plans[1].idempotencyKey);

		const real = await runStripe(sandbox(), items, parameters({}), { typeVersion: 2 });
		expect(real.status).toBe('success');
		const sent = writesTo(sandbox());
		// The bodies are the same but for each write's key, which the real run derives in its own execution.
		expect(sent.map((request) => [request.path, bodyWithoutKey(request), request.headers['stripe-account']])).toEqual(
			plans.map((plan) => [plan.path, bodyWithoutKey({ rawBody: String(plan.body) }), 'acct_1032D82eZvKYlo2C']),
		);
		expect(sandbox().customer(customer.id)?.balance ?? 0).toBe(0);
	});

	it('bad items fail as in a real run, naming field and item, under On Error: Continue: N items in, N out, nothing sent', async () => {
		const dave = sandbox().createCustomer({ email: 'dave@example.com', name: 'Dave' });
		const items = [
			{ customer: dave.id, amount: '-100', currency: 'eur' },
			{ customer: dave.id, amount: 'ten', currency: 'eur' },
			{ email: 'nobody@example.com', amount: '-100', currency: 'eur' },
			{ customer: 'cus_DoesNotExist1', amount: '-100', currency: 'eur' },
			{ customer: dave.id, amount: '-300', currency: 'eur' },
		];
		const checked = await runStripe(sandbox(), items, crmCreate(checkOnly()), continueOnError);
		expect(checked.status).toBe('success');
		expect(writesTo(sandbox())).toHaveLength(0);
		const checkedOut = checked.output('Stripe').map((item) => item.json);

		const real = await runStripe(sandbox(), items, crmCreate(), continueOnError);
		const realOut = real.output('Stripe').map((item) => item.json);
		expect(checkedOut).toHaveLength(5);
		for (const index of [1, 2, 3]) {
			expect(checkedOut[index].error).toBeDefined();
			expect(checkedOut[index].error).toBe(realOut[index].error);
			expect(checkedOut[index].itemIndex).toBe(index);
		}
		expect(checkedOut[1].error).toMatch(/Amount.*item 1/);
		expect(checkedOut[2].error).toMatch(/nobody@example.com.*item 2/);
		expect(checkedOut[3].error).toMatch(/cus_DoesNotExist1/);
		// The failed items move nothing: the balance after runs over the good items only.
		expect([checkedOut[0].balanceAfter, checkedOut[4].balanceAfter]).toEqual([-100, -400]);
		expect([realOut[0].ending_balance, realOut[4].ending_balance]).toEqual([-100, -400]);
	});

	it('without On Error: Continue, one bad item stops the check as it stops a real run', async () => {
		const erin = sandbox().createCustomer({ email: 'erin@example.com' });
		const result = await runStripe(
			sandbox(),
			[{ customer: erin.id, amount: '-100', currency: 'eur' }, { customer: erin.id, amount: '-100', currency: 'e' }],
			crmCreate(checkOnly()),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/Currency in item 1/);
		expect(sandbox().requests).toHaveLength(0);
	});

	it('Update: the transaction is read, the change described and not sent; the real run sends it', async () => {
		const frank = sandbox().createCustomer({ email: 'frank@example.com', name: 'Frank' });
		const created = await runStripe(sandbox(), [{ customer: frank.id, amount: -100, currency: 'eur' }], crmCreate());
		const transaction = String(created.output('Stripe')[0].json.id);
		const parameters = (options: Record<string, unknown>) => ({
			resource: 'customerBalanceTransaction',
			operation: 'update',
			customer: byEmail('FRANK@example.com'),
			transactionId: '={{ $json.transaction }}',
			updateFields: { description: 'Corrected', metadata: { metadataValues: [{ key: 'ticket', value: '4512' }] } },
			options: { idempotencyKey: 'fix-4512', ...options },
		});
		const items = [{ transaction }, { transaction: 'cbtxn_DoesNotExist' }];
		const before = writesTo(sandbox()).length;

		const checked = await runStripe(sandbox(), items, parameters({ checkOnly: true }), continueOnError);
		expect(writesTo(sandbox())).toHaveLength(before);
		const [plan, missing] = checked.output('Stripe').map((item) => item.json);
		expect(plan).toEqual({
			checkOnly: true,
			method: 'POST',
			path: `/v1/customers/${frank.id}/balance_transactions/${transaction}`,
			body: 'description=Corrected&metadata[ticket]=4512',
			idempotencyKey: 'fix-4512',
			customer: { id: frank.id, email: 'frank@example.com', name: 'Frank' },
		});
		expect(missing.error).toMatch(/cbtxn_DoesNotExist/);

		await runStripe(sandbox(), items.slice(0, 1), parameters({}));
		const sent = writesTo(sandbox()).slice(before);
		expect(sent.map((request) => [request.path, request.rawBody, request.headers['idempotency-key']])).toEqual([[plan.path, plan.body, plan.idempotencyKey]]);
	});

	it('switched off (the default) the output and the writes are those of a real run; only Create and Update offer it', async () => {
		const gina = sandbox().createCustomer({ email: 'gina@example.com' });
		const result = await runStripe(sandbox(), [{ customer: gina.id, amount: -100, currency: 'eur' }], crmCreate({ customer: byId(gina.id) }));
		expect(result.output('Stripe')[0].json).toMatchObject({ object: 'customer_balance_transaction', amount: -100 });
		expect(result.output('Stripe')[0].json.checkOnly).toBeUndefined();
		expect(writesTo(sandbox())).toHaveLength(1);

		const offeredBy = new StripeCustomerBalance().description.properties
			.filter((property) => property.name === 'options' && property.options?.some((option) => option.name === 'checkOnly'))
			.flatMap((property) => property.displayOptions?.show?.operation ?? []);
		expect([...new Set(offeredBy)].sort()).toEqual(['create', 'update']);
	});
});

describe('the canvas subtitle', () => {
	const description = loadedPackage().nodeDescription(NODE_TYPE);
	function subtitle(parameters: Record<string, unknown>, typeVersion = 2): unknown {
		const node: INode = { id: 'n1', name: 'Stripe', type: NODE_TYPE, typeVersion, position: [0, 0], parameters: parameters as INode['parameters'] };
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		return workflow.expression.getSimpleParameterValue(node, description.subtitle, 'internal', {});
	}

	it('says "Check only, sends nothing" first when the option is on, at both versions, and nothing more when it is off', () => {
		const create = { resource: 'customerBalanceTransaction', operation: 'create' };
		expect(subtitle({ ...create, direction: 'credit', options: { checkOnly: true } })).toBe('Check only, sends nothing: Credit customer balance');
		expect(subtitle({ ...create, options: { checkOnly: true } }, 1)).toBe('Check only, sends nothing: Create balance transaction');
		expect(subtitle({ ...create, operation: 'update', options: { checkOnly: true } })).toBe('Check only, sends nothing: Update balance transaction');
		expect(subtitle({ ...create, direction: 'credit', options: { checkOnly: false } })).toBe('Credit customer balance');
		expect(subtitle({ ...create, direction: 'credit', options: {} })).toBe('Credit customer balance');
	});
});
