/**
 * Node version 2 in the real n8n (2.40.7 on Node 24, or E2E_N8N_VERSION on E2E_NODE_VERSION): Create asks Credit /
 * Debit and takes the amount as written. A version-2 workflow credits 10 EUR as -1000, debits 5 USD as 500 and refuses
 * 12.5 JPY, over Max Amount or in a currency the customer is not billed in; a saved version-1 workflow with the same rows
 * still sends what version 1 always sent.
 * One n8n user folder, one import of each kind and one `n8n execute` per workflow (each boots n8n: 5-10 s).
 */
import {
	WorkflowBuilder,
	itemsNode,
	manualTrigger,
	nodeItems,
	nodeJson,
	pairedIndexes,
	stripe,
	stripeNode,
	type ExecuteResult,
	type WorkflowJson,
} from '../../scripts/n8n';
import { useRealN8n } from '../shared/realN8n';

jest.setTimeout(15 * 60_000);

const V2_WORKFLOW_ID = 'e2eVersionTwo001';
const V1_WORKFLOW_ID = 'e2eVersionOne001';
const credential = { id: 'e2eStripeV2Sandbox', name: 'Stripe sandbox (version 2)' };

let customers: { jane: string; john: string; kenji: string; typed: string; saved: string; capped: string; billedUsd: string };

const fromRow = { customer: '={{ $json.customerId }}', amount: '={{ $json.amount }}', currency: '={{ $json.currency }}' };

/** Three branches: rows credited, a row debited, and a node filled in by hand with nothing but its defaults. */
function version2Workflow(): WorkflowJson {
	const wf = new WorkflowBuilder(V2_WORKFLOW_ID, 'e2e: version 2, credit or debit as written');
	const trigger = manualTrigger();
	wf.chain(
		trigger,
		itemsNode('Credits', [
			{ customerId: customers.jane, amount: 10, currency: 'EUR' },
			{ customerId: customers.kenji, amount: '12.5', currency: 'JPY' },
		]),
		stripeNode('Credit', stripe.create({ ...fromRow, direction: 'credit' }), {
			credential,
			typeVersion: 2,
			onError: 'continueRegularOutput',
		}),
	);
	wf.add(itemsNode('Debits', [{ customerId: customers.john, amount: '5', currency: 'USD' }]), 1);
	wf.add(stripeNode('Debit', stripe.create({ ...fromRow, direction: 'debit' }), { credential, typeVersion: 2 }), 1);
	wf.connect(trigger.name, 'Debits');
	wf.connect('Debits', 'Debit');
	// What a new node saves when the user only picks the customer and types 10 and EUR: Direction is left at its default.
	wf.add(stripeNode('Typed in the panel', stripe.create({ customer: customers.typed, amount: 10, currency: 'EUR' }), { credential, typeVersion: 2 }), 2);
	wf.connect(trigger.name, 'Typed in the panel');
	// Guardrails: Max Amount 5 (saved, no expression), and a EUR credit for a customer billed in USD.
	wf.add(
		itemsNode('Guarded rows', [
			{ customerId: customers.capped, amount: 10, currency: 'EUR' },
			{ customerId: customers.billedUsd, amount: 3, currency: 'EUR' },
			{ customerId: customers.capped, amount: 4, currency: 'EUR' },
		]),
		3,
	);
	wf.add(stripeNode('Guarded', stripe.create({ ...fromRow, direction: 'credit', options: { maxAmount: 5 } }), { credential, typeVersion: 2, onError: 'continueRegularOutput' }), 3);
	wf.connect(trigger.name, 'Guarded rows');
	wf.connect('Guarded rows', 'Guarded');
	return wf.build();
}

/** A workflow saved with version 1: the amounts are Stripe's, signed, in the smallest unit. */
function version1Workflow(): WorkflowJson {
	const wf = new WorkflowBuilder(V1_WORKFLOW_ID, 'e2e: a saved version-1 workflow');
	wf.chain(
		manualTrigger(),
		itemsNode('Rows', [
			{ customerId: customers.saved, amount: 10, currency: 'EUR' },
			{ customerId: customers.saved, amount: '-1000', currency: 'EUR' },
		]),
		stripeNode('Version 1', stripe.create(fromRow), { credential }),
	);
	return wf.build();
}

/** The bodies written to a customer, without the write's own key the node records in metadata (it differs per execution). */
const bodiesFor = (customer: string) =>
	e2e.sandbox.requests
		.filter((request) => request.method === 'POST' && request.path.includes(customer))
		.map((request) => request.rawBody.replace(/&?metadata\[n8n_idempotency_key\]=[^&]*/, ''));

const e2e = useRealN8n({
	prepare: (sandbox) => {
		customers = {
			jane: sandbox.createCustomer({ email: 'jane@example.com', name: 'Jane' }).id,
			john: sandbox.createCustomer({ email: 'john@example.com', name: 'John' }).id,
			kenji: sandbox.createCustomer({ email: 'kenji@example.jp', name: 'Kenji' }).id,
			typed: sandbox.createCustomer({ email: 'typed@example.com', name: 'Typed' }).id,
			saved: sandbox.createCustomer({ email: 'saved@example.com', name: 'Saved' }).id,
			capped: sandbox.createCustomer({ email: 'capped@example.com', name: 'Capped' }).id,
			billedUsd: sandbox.createCustomer({ email: 'usd@example.com', name: 'Billed in USD', currency: 'usd' }).id,
		};
	},
	credentials: [credential],
	workflows: () => [version2Workflow(), version1Workflow()],
});

describe('a version-2 workflow in n8n execute', () => {
	let run: ExecuteResult;

	beforeAll(async () => {
		run = await e2e.n8n.executeOk(V2_WORKFLOW_ID);
	});

	it('Credit 10 EUR sends -1000 and outputs the transaction with direction "credit"', () => {
		expect(bodiesFor(customers.jane)).toEqual(['amount=-1000&currency=eur']);
		expect(nodeJson(run.run, 'Credit')[0]).toMatchObject({ customer: customers.jane, amount: -1000, direction: 'credit', currency: 'eur', ending_balance: -1000 });
		expect(e2e.sandbox.customer(customers.jane)?.balance).toBe(-1000);
	});

	it('Credit 12.5 JPY is refused, saying why, and nothing is sent for it; the item stays paired with its row', () => {
		const refused = nodeItems(run.run, 'Credit')[1];
		expect(pairedIndexes(refused)).toEqual([1]);
		expect(refused.json).toMatchObject({ error: 'Invalid Amount in item 1: 12.5 JPY has more decimals than JPY allows (0)', hint: expect.stringMatching(/^JPY has no minor unit: give a whole number. Round a computed amount in its expression to 0 decimals: {{ \(\$json.price \* 0.1\).round\(0\) }}/) });
		expect(bodiesFor(customers.kenji)).toEqual([]);
	});

	it('Debit 5 USD sends 500', () => {
		expect(bodiesFor(customers.john)).toEqual(['amount=500&currency=usd']);
		expect(nodeJson(run.run, 'Debit')).toEqual([expect.objectContaining({ amount: 500, direction: 'debit', currency: 'usd' })]);
	});

	it('guardrails: over Max Amount and a currency the customer is not billed in are refused, nothing sent; a credit outputs its amount as written', () => {
		const guarded = nodeJson(run.run, 'Guarded');
		expect(guarded.map((json) => json.error)).toEqual([
			'Invalid Amount in item 0: 10.00 EUR is over Max Amount, 5 EUR per item: nothing was sent for it',
			"Invalid Currency in item 1: EUR is not the customer's currency (USD): nothing was sent for it",
			undefined,
		]);
		expect(bodiesFor(customers.capped)).toEqual(['amount=-400&currency=eur']);
		expect(bodiesFor(customers.billedUsd)).toEqual([]);
		expect(guarded[2]).toMatchObject({
			amount: -400,
			currency: 'eur',
			asWritten: { amount: 4, currency: 'EUR', direction: 'credit', summary: '4.00 EUR credit', balanceAfter: '4.00 EUR credit' },
		});
	});

	it('a node with Direction left at its default credits: 10 EUR typed in the panel sends -1000', () => {
		expect(bodiesFor(customers.typed)).toEqual(['amount=-1000&currency=eur']);
		expect(e2e.sandbox.customer(customers.typed)?.balance).toBe(-1000);
	});
});

describe('a saved version-1 workflow in n8n execute', () => {
	it('still sends Stripe\'s signed amounts in the smallest unit, and outputs Stripe\'s object as it is', async () => {
		const { run } = await e2e.n8n.executeOk(V1_WORKFLOW_ID);
		expect(bodiesFor(customers.saved)).toEqual(['amount=10&currency=eur', 'amount=-1000&currency=eur']);
		const out = nodeJson(run, 'Version 1');
		expect(out.map((item) => item.amount)).toEqual([10, -1000]);
		expect(out[0]).not.toHaveProperty('direction');
		expect(e2e.sandbox.customer(customers.saved)?.balance).toBe(-990);
	});
});
