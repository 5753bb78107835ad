/**
 * Reverse in the real n8n (2.40.7 on Node 24, or E2E_N8N_VERSION on E2E_NODE_VERSION): a credit is reversed once and
 * linked both ways; Check Only writes nothing; an invoice's transaction is refused; a second Reverse is refused naming
 * the reversal, also once the sandbox forgot every idempotency key (as Stripe may after 24 hours).
 * One n8n user folder; each `n8n execute` boots n8n (5-10 s).
 */
import { WorkflowBuilder, itemsNode, manualTrigger, nodeJson, stripeNode, type WorkflowJson } from '../../scripts/n8n';
import { useRealN8n } from '../shared/realN8n';

jest.setTimeout(15 * 60_000);

const CHECK_ID = 'e2eReverseCheck01';
const REVERSE_ID = 'e2eReverseReal001';
const credential = { id: 'e2eStripeReverse', name: 'Stripe sandbox (reverse)' };

let jane: string;
let credit: string;
let invoiced: string;

const reverseFromRow = (options: Record<string, unknown> = {}) => ({
	resource: 'customerBalanceTransaction',
	operation: 'reverse',
	customer: { __rl: true, mode: 'id', value: '={{ $json.customer }}' },
	transactionId: '={{ $json.transaction }}',
	options,
});

function workflow(id: string, name: string, rows: object[], options: Record<string, unknown> = {}): WorkflowJson {
	const wf = new WorkflowBuilder(id, name);
	wf.chain(
		manualTrigger(),
		itemsNode('Transactions', rows),
		stripeNode('Reverse', reverseFromRow(options), { credential, typeVersion: 2, onError: 'continueRegularOutput' }),
	);
	return wf.build();
}

const e2e = useRealN8n({
	prepare: (sandbox) => {
		jane = sandbox.createCustomer({ email: 'jane@example.com', name: 'Jane' }).id;
		credit = sandbox.createTransaction(jane, { amount: -1000, currency: 'eur', description: 'Goodwill' }).id;
		invoiced = sandbox.createTransaction(jane, { amount: 1000, currency: 'eur', type: 'applied_to_invoice', invoice: 'in_1MtHbELkdIwHu7ix' }).id;
	},
	credentials: [credential],
	workflows: () => [
		workflow(CHECK_ID, 'e2e: reverse, check only', [{ customer: jane, transaction: credit }], { checkOnly: true }),
		workflow(REVERSE_ID, 'e2e: reverse', [
			{ customer: jane, transaction: credit },
			{ customer: jane, transaction: invoiced },
		]),
	],
});

const writes = () => e2e.sandbox.requests.filter((request) => request.method === 'POST');
const reversalsOfCredit = () => e2e.sandbox.transactions(jane).filter((transaction) => transaction.metadata?.n8n_reverses === credit);

describe('Reverse in n8n execute', () => {
	it('Check Only shows the reversal and writes nothing', async () => {
		const { run } = await e2e.n8n.executeOk(CHECK_ID);
		expect(nodeJson(run, 'Reverse')).toEqual([
			expect.objectContaining({ checkOnly: true, amount: 1000, currency: 'eur', idempotencyKey: `n8n-reverse-${credit}-1`, balanceNow: 0, balanceAfter: 1000 }),
		]);
		expect(writes()).toHaveLength(0);
	});

	it("reverses the credit once, linked both ways; the invoice's transaction is refused, nothing sent for it", async () => {
		const { run } = await e2e.n8n.executeOk(REVERSE_ID);
		const [reversal] = reversalsOfCredit();
		const [reversed, refused] = nodeJson(run, 'Reverse');
		expect(reversed).toMatchObject({ id: reversal.id, amount: 1000, currency: 'eur', direction: 'debit', reverses: { id: credit, left: 0 } });
		expect(refused).toMatchObject({ code: 'not_an_adjustment', error: expect.stringContaining(`${invoiced} is of type applied_to_invoice`) });
		expect(e2e.sandbox.transactions(jane).find((transaction) => transaction.id === credit)?.metadata).toMatchObject({ n8n_reversed_by: reversal.id });
		expect(writes().map((request) => request.path)).toEqual([`/v1/customers/${jane}/balance_transactions`, `/v1/customers/${jane}/balance_transactions/${credit}`]);
	});

	it('a second Reverse, once every idempotency key is forgotten, is refused naming the reversal; nothing more is written', async () => {
		e2e.sandbox.setFaults({ idempotencyKeyTtlMs: 0 });
		const before = writes().length;
		const { run } = await e2e.n8n.executeOk(REVERSE_ID);
		const [reversal] = reversalsOfCredit();
		expect(nodeJson(run, 'Reverse')[0]).toMatchObject({ code: 'already_reversed', error: `Transaction ${credit} is already reversed by ${reversal.id}: nothing was sent (item 0)` });
		expect(writes()).toHaveLength(before);
		expect(reversalsOfCredit()).toHaveLength(1);
	});
});
