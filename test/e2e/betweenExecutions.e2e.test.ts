/**
 * Between executions, in the real n8n server (`n8n start`, 2.40.7 or E2E_N8N_VERSION), the way people run it: a
 * published Webhook workflow that a CRM calls once per record, and n8n's Retry of a failed execution from the
 * Executions list. Stripe is the sandbox, enforcing the test-mode limit of 25 requests per second and its customer
 * locks.
 *
 * How long the burst takes, against n8n's own time for the same executions, is measured by `npm run bench`.
 */

import {
	BURST_PATH,
	WorkflowBuilder,
	burstRequests,
	burstWorkflow,
	codeNode,
	postWebhook,
	publishWebhookWorkflows,
	stripe,
	stripeNode,
	webhookBurst,
	webhookNode,
	type N8nRestClient,
	type N8nServer,
	type WorkflowJson,
} from '../../scripts/n8n';
import { useRealN8n } from '../shared/realN8n';

jest.setTimeout(15 * 60_000);

const credential = { id: 'e2eStripeBetween', name: 'Stripe sandbox (between executions)' };
const RETRY_WORKFLOW_ID = 'retryCreditHook01';
const RETRY_PATH = 'crm-batch-credit';
const KEYED_WORKFLOW_ID = 'retryKeyedHook01';
const KEYED_PATH = 'crm-batch-credit-keyed';
const FIRST_DESCRIPTION = 'Referral credit';
const CHANGED_DESCRIPTION = 'Referral credit (corrected)';

let server: N8nServer;
let api: N8nRestClient;

/**
 * Webhook with a batch of credits -> one item per credit -> Stripe (stop on error, no retries inside the node); keyed:
 * each credit's Idempotency Key from the data (`order-<customer>`), as a CRM record's id would be.
 */
function batchWorkflow(keyed = false): WorkflowJson {
	return new WorkflowBuilder(keyed ? KEYED_WORKFLOW_ID : RETRY_WORKFLOW_ID, 'Credit a batch from a CRM webhook')
		.chain(
			webhookNode('CRM webhook', keyed ? KEYED_PATH : RETRY_PATH),
			codeNode('One item per credit', 'return $input.first().json.body.credits.map((json) => ({ json }));'),
			stripeNode(
				'Credit balances',
				stripe.create({
					customer: '={{ $json.customerId }}',
					amount: '={{ $json.amount }}',
					currency: 'usd',
					description: FIRST_DESCRIPTION,
					options: { maxRetries: 0, ...(keyed && { idempotencyKey: '={{ "order-" + $json.customerId }}' }) },
				}),
				{ credential },
			),
		)
		.build();
}

const e2e = useRealN8n({
	sandbox: { faults: { rateLimitPerSecond: 25, lockTimeouts: true } },
	credentials: [credential],
	workflows: () => [burstWorkflow(credential), batchWorkflow(), batchWorkflow(true)],
});

beforeAll(async () => {
	server = await e2e.n8n.start();
	api = await publishWebhookWorkflows(server, [burstWorkflow(credential), batchWorkflow(), batchWorkflow(true)]);
});

describe('a burst of webhook executions (one per CRM record) shares the account and the customer', () => {
	it('150 executions at once, 30 of them for one customer: none fails, each credit once, every 429 waited out', async () => {
		const many = Array.from({ length: 120 }, (_, index) => e2e.sandbox.createCustomer({ name: `Referrer ${index}` }).id);
		const loyal = e2e.sandbox.createCustomer({ name: 'Loyal customer' }).id;
		const requests = burstRequests(many, loyal, 30);
		const statsBefore = { ...e2e.sandbox.stats };

		const burst = await webhookBurst(server.url, BURST_PATH, requests);

		expect(burst.replies.filter((reply) => reply.status !== 200)).toEqual([]);
		expect(burst.replies.map((reply) => (reply.body as { object?: string }).object)).toEqual(Array(150).fill('customer_balance_transaction'));
		for (const [index, customer] of many.entries()) {
			expect(e2e.sandbox.transactions(customer).map((transaction) => transaction.amount)).toEqual([-(100 + index)]);
		}
		expect(e2e.sandbox.transactions(loyal)).toHaveLength(30);
		expect(e2e.sandbox.customer(loyal)?.balance).toBe(-30);
		// Writes to the customer go one at a time across executions (the process-wide customer lock), so Stripe never
		// refuses one as concurrent. Its rate_limit 429s depend on the machine's load: they are waited out (every
		// execution succeeded above), and `npm run bench` (f) reports how many came.
		expect(e2e.sandbox.stats.lockTimeouts - statsBefore.lockTimeouts).toBe(0);
		process.stdout.write(`burst: ${e2e.sandbox.stats.rateLimited - statsBefore.rateLimited} rate_limit 429s waited out\n`);
		const workflowId = burstWorkflow(credential).id;
		expect(await api.countExecutions(workflowId)).toBe(150);
		expect(await api.countExecutions(workflowId, 'success')).toBe(150);
	});
});

/** 30 new customers; the write for the 21st (item 20) fails once, with an error Stripe says not to retry. */
async function failedBatch(keyed = false): Promise<{ customers: string[]; executionId: string }> {
	const customers = Array.from({ length: 30 }, (_, index) => e2e.sandbox.createCustomer({ name: `Batch customer ${index}` }).id);
	e2e.sandbox.setFaults({ script: [{ fault: 'should-retry-false-500', method: 'POST', pathIncludes: customers[20] }] });
	const reply = await postWebhook(server.url, keyed ? KEYED_PATH : RETRY_PATH, {
		credits: customers.map((customerId, index) => ({ customerId, amount: -(index + 1) })),
	});
	expect(reply.status).toBe(500);
	// n8n answers the webhook before it has stored the execution's end: wait for the stored status.
	const latest = await settledNewest(keyed ? KEYED_WORKFLOW_ID : RETRY_WORKFLOW_ID);
	expect(latest.status).toBe('error');
	expect(customers.filter((customer) => e2e.sandbox.transactions(customer).length === 0)).toEqual([customers[20]]);
	return { customers, executionId: latest.id };
}

/** The newest execution of the workflow (other than `newerThan`) once n8n has stored how it ended. */
async function settledNewest(workflowId: string, newerThan?: string) {
	for (const deadline = Date.now() + 60_000; ; ) {
		const [newest] = await api.executions(workflowId);
		if (newest && newest.id !== newerThan && !['new', 'running', 'waiting'].includes(newest.status)) return newest;
		if (Date.now() > deadline) throw new Error(`the newest execution of ${workflowId} is still ${newest?.status}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

describe("n8n's Retry of an execution that failed part way never credits twice", () => {
	const creditsOf = (customers: string[]) => customers.map((customer) => e2e.sandbox.transactions(customer));

	it('Retry with the original workflow: 30 transactions for 30 items', async () => {
		const { customers, executionId } = await failedBatch();

		await api.retryExecution(executionId, false);

		const retried = await settledNewest(RETRY_WORKFLOW_ID, executionId);
		expect(retried).toMatchObject({ mode: 'retry', retryOf: executionId, status: 'success' });
		expect(creditsOf(customers).map((credits) => credits.map((credit) => credit.amount))).toEqual(customers.map((_, index) => [-(index + 1)]));
	});

	it('Retry with the currently saved workflow, its Description changed: still 30, none twice', async () => {
		const { customers, executionId } = await failedBatch();
		await api.saveWorkflow(RETRY_WORKFLOW_ID, (saved) => ({
			nodes: saved.nodes.map((node) =>
				node.name === 'Credit balances'
					? { ...node, parameters: { ...node.parameters, additionalFields: { description: CHANGED_DESCRIPTION } } }
					: node,
			),
		}));

		await api.retryExecution(executionId, true);

		const credits = creditsOf(customers);
		expect(credits.map((list) => list.length)).toEqual(Array(30).fill(1));
		// The item that had failed is written with the saved workflow's values; the 29 others were not sent again.
		expect(credits[20][0].description).toBe(CHANGED_DESCRIPTION);
		expect(credits.filter((_, index) => index !== 20).map((list) => list[0].description)).toEqual(Array(29).fill(FIRST_DESCRIPTION));
		// The 29 were found by their keys with the same money: the same writes, so the Retry succeeds and their items say
		// alreadyApplied: true (their description is as first written; a changed amount fails them: engine tests).
		const retried = await settledNewest(RETRY_WORKFLOW_ID, executionId);
		expect(retried).toMatchObject({ mode: 'retry', retryOf: executionId, status: 'success' });
	});
});

describe('once holds after Stripe forgot the keys (the sandbox forgets each key as soon as its request completed)', () => {
	beforeEach(() => e2e.sandbox.setFaults({ idempotencyKeyTtlMs: 0 }));
	afterEach(() => e2e.sandbox.setFaults({ idempotencyKeyTtlMs: null }));

	it.each([
		["the node's own keys", false],
		['keys from the data', true],
	])("n8n's Retry with %s writes the 29 written before not again, and the failed one once", async (_, keyed) => {
		const workflowId = keyed ? KEYED_WORKFLOW_ID : RETRY_WORKFLOW_ID;
		const { customers, executionId } = await failedBatch(keyed);

		await api.retryExecution(executionId, false);

		const retried = await settledNewest(workflowId, executionId);
		expect(retried).toMatchObject({ mode: 'retry', retryOf: executionId, status: 'success' });
		expect(customers.map((customer) => e2e.sandbox.transactions(customer).map((credit) => credit.amount))).toEqual(
			customers.map((__, index) => [-(index + 1)]),
		);
	});

	it('a key reused by a second execution writes once, and that execution\'s output says alreadyApplied', async () => {
		const customerId = e2e.sandbox.createCustomer({ name: 'Reused key' }).id;
		const body = { credits: [{ customerId, amount: -700 }] };
		const first = await postWebhook(server.url, KEYED_PATH, body);
		const second = await postWebhook(server.url, KEYED_PATH, body);

		expect(first.body).toMatchObject({ amount: -700, alreadyApplied: false });
		expect(second.body).toMatchObject({ id: (first.body as { id: string }).id, alreadyApplied: true, appliedAt: expect.any(String) });
		expect(e2e.sandbox.transactions(customerId)).toHaveLength(1);
	});
});
