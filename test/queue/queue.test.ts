/**
 * Scaled out: n8n in queue mode (PostgreSQL, Redis, a main process and 2 workers, all started here by
 * scripts/n8n/queueCluster.ts), running the packed package. The workers share no memory: each has its own pacer per
 * Stripe account, and they meet only at Stripe (the sandbox, enforcing 100 requests/s and its customer locks, 100 ms
 * per request). `npm run test:queue`; the time of (a) is measured by `npm run bench`.
 */

import {
	BATCH_PATH,
	QueueCluster,
	batchWorkflow,
	creditBatches,
	postWebhook,
	publishWebhookWorkflows,
	type N8nRestClient,
} from '../../scripts/n8n';
import { probeUntil as until } from '../shared/polling';
import { useRealN8n } from '../shared/realN8n';

jest.setTimeout(20 * 60_000);

const credential = { id: 'queueStripeSandbox', name: 'Stripe sandbox (queue mode)' };
const BATCH_WORKFLOW = batchWorkflow(credential, { maxRequestsPerSecond: 100, endpointRequestsPerSecond: 100 });
/** Answer at once (a worker will be killed in the middle); the Idempotency Key comes from the data, or not. */
const KEYED_WORKFLOW = batchWorkflow(credential, { id: 'queueKeyedBatch01', path: 'keyed-batch', respond: 'onReceived', keyFromData: true, maxRequestsPerSecond: 100, endpointRequestsPerSecond: 100 });
const UNKEYED_WORKFLOW = batchWorkflow(credential, { id: 'queueUnkeyedBatch1', path: 'unkeyed-batch', respond: 'onReceived', maxRequestsPerSecond: 100, endpointRequestsPerSecond: 100 });

/** The newest execution of a workflow once it has one that is not `before`, and (with `settled`) no longer running. */
async function newestExecution(workflowId: string, before: string | undefined, settled: boolean) {
	return await until(`an execution of ${workflowId}`, async () => {
		const [newest] = await api.executions(workflowId);
		if (!newest || newest.id === before) return undefined;
		if (settled && ['new', 'running', 'waiting'].includes(newest.status)) return undefined;
		return newest;
	});
}

let cluster: QueueCluster;
let api: N8nRestClient;

const queue = useRealN8n({
	// Exactly once in queue mode, against a single limit of 100/s (Stripe's per-endpoint pacing is the bench's (g))
	sandbox: { faults: { rateLimitPerSecond: 100, endpointRateLimitPerSecond: null, searchRateLimitPerSecond: null, latencyMs: 100, lockTimeouts: true } },
	n8n: async (runtime) => (cluster = await QueueCluster.start({ runtime, workers: 2, concurrency: 10, recoveryIntervalMinutes: 0.1 })),
	credentials: [credential],
	workflows: () => [BATCH_WORKFLOW, KEYED_WORKFLOW, UNKEYED_WORKFLOW],
});

beforeAll(async () => {
	await cluster.startProcesses();
	api = await publishWebhookWorkflows(cluster.main!, [BATCH_WORKFLOW, KEYED_WORKFLOW, UNKEYED_WORKFLOW]);
});

describe('20 webhook executions of 100 credits each, on 2 workers', () => {
	it('none fails, exactly 2,000 transactions, none twice, and both workers took part', async () => {
		const customers = Array.from({ length: 1900 }, () => queue.sandbox.createCustomer({}).id);
		const hot = queue.sandbox.createCustomer({ name: 'Customer with many credits' }).id;
		const batches = creditBatches(customers, hot, 20, 100, 5);
		const statsBefore = { ...queue.sandbox.stats };

		const replies = await Promise.all(batches.map(async (credits) => await postWebhook(cluster.main!.url, BATCH_PATH, { credits })));

		expect(replies.filter((reply) => reply.status !== 200)).toEqual([]);
		expect(await api.countExecutions(BATCH_WORKFLOW.id, 'success')).toBe(20);
		const counts = customers.map((customer) => queue.sandbox.transactions(customer).length);
		expect(counts.filter((count) => count !== 1)).toEqual([]);
		expect(queue.sandbox.transactions(hot)).toHaveLength(100);
		const amounts = batches.flat().map((credit) => credit.amount);
		expect(queue.sandbox.customer(hot)?.balance).toBe(batches.flat().filter((credit) => credit.customerId === hot).reduce((sum, credit) => sum + credit.amount, 0));
		expect(new Set(queue.sandbox.transactions().map((transaction) => transaction.amount))).toEqual(new Set(amounts));
		expect(cluster.workers.map((worker) => worker.startedExecutions.length).every((count) => count > 0)).toBe(true);
		// The workers met at Stripe: its 429s were waited out, none reached an item.
		process.stdout.write(`queue (a): 429 rate_limit ${queue.sandbox.stats.rateLimited - statsBefore.rateLimited}, lock_timeout ${queue.sandbox.stats.lockTimeouts - statsBefore.lockTimeouts}, slowest batch ${Math.max(...replies.map((reply) => reply.ms))} ms\n`);
	});
});

describe("n8n's Retry of an execution that failed part way on a worker", () => {
	it('writes the failed credit and replays the others: 30 transactions for 30 credits', async () => {
		const customers = Array.from({ length: 30 }, () => queue.sandbox.createCustomer({}).id);
		const credits = customers.map((customerId, index) => ({ customerId, amount: -(index + 1), ref: `retry-${index}` }));
		queue.sandbox.setFaults({ script: [{ fault: 'should-retry-false-500', method: 'POST', pathIncludes: customers[20] }] });
		const [before] = await api.executions(BATCH_WORKFLOW.id);

		const reply = await postWebhook(cluster.main!.url, BATCH_PATH, { credits });
		expect(reply.status).toBe(500);
		const failed = await newestExecution(BATCH_WORKFLOW.id, before?.id, true);
		expect(failed.status).toBe('error');
		expect(customers.filter((customer) => queue.sandbox.transactions(customer).length === 0)).toEqual([customers[20]]);

		await api.retryExecution(failed.id, false);
		const retried = await newestExecution(BATCH_WORKFLOW.id, failed.id, true);

		expect(retried).toMatchObject({ mode: 'retry', retryOf: failed.id, status: 'success' });
		expect(customers.map((customer) => queue.sandbox.transactions(customer).length)).toEqual(Array(30).fill(1));
		expect(cluster.workerThatRan(retried.id)).toBeDefined();
	});
});

describe('a worker killed (SIGKILL) in the middle of a 300-credit execution', () => {
	/**
	 * Starts the batch, kills the worker running it once `killAfter` credits are written, waits for n8n to end the
	 * execution, tries n8n's Retry on it, then sends the same batch again (the CRM delivering it again, or the user
	 * re-running it). Returns how often each credit was written after each step.
	 */
	async function killThenRecover(workflowId: string, path: string, killAfter: number) {
		if (cluster.workers.filter((worker) => worker.running).length < 2) await cluster.addWorker();
		const customers = Array.from({ length: 300 }, () => queue.sandbox.createCustomer({}).id);
		const credits = customers.map((customerId, index) => ({ customerId, amount: -(index + 1), ref: `${path}-${index}` }));
		const counts = () => customers.map((customer) => queue.sandbox.transactions(customer).length);
		const [before] = await api.executions(workflowId);
		expect((await postWebhook(cluster.main!.url, path, { credits })).status).toBe(200);
		const execution = await newestExecution(workflowId, before?.id, false);
		const worker = await until('the worker that runs it', () => cluster.workerThatRan(execution.id));
		await until(`${killAfter} credits written`, () => (counts().filter((count) => count > 0).length >= killAfter ? true : undefined));
		// The sandbox holds what arrives from now on, so the kill lands mid-batch however fast the worker is. What was
		// already on its way still reaches Stripe, as it would when a worker dies.
		queue.sandbox.holdRequests();
		await worker.kill();
		queue.sandbox.releaseRequests();

		// Once its lock expires (n8n's default: 60 s, checked every 30 s), Bull declares the dead worker's job stalled
		// and n8n ends the execution: `error` ("job stalled more than maxStalledCount"), or `crashed`.
		const ended = await until('n8n ending the execution', async () => {
			const [newest] = await api.executions(workflowId);
			return newest?.id === execution.id && ['crashed', 'error'].includes(newest.status) ? newest : undefined;
		}, 300_000);
		const atEnd = counts();

		await api.retryExecution(execution.id, false);
		const retried = await newestExecution(workflowId, execution.id, true);
		expect(retried).toMatchObject({ mode: 'retry', retryOf: execution.id });
		const afterRetry = counts();

		expect((await postWebhook(cluster.main!.url, path, { credits })).status).toBe(200);
		const resent = await newestExecution(workflowId, retried.id, true);
		expect(resent.status).toBe('success');
		return { endedAs: ended.status, atEnd, afterRetry, afterResend: counts() };
	}

	const written = (counts: number[]) => counts.filter((count) => count > 0).length;
	const twice = (counts: number[]) => counts.filter((count) => count > 1).length;

	it('with the Idempotency Key from the data, the batch sent again completes it: exactly 300 transactions', async () => {
		const outcome = await killThenRecover(KEYED_WORKFLOW.id, 'keyed-batch', 100);
		expect(written(outcome.atEnd)).toBeLessThan(300);
		expect(outcome.afterRetry.every((count) => count <= 1)).toBe(true);
		expect(outcome.afterResend).toEqual(Array(300).fill(1));
		report('(c) key from the data', outcome);
	});

	it('without a key of your own, what the dead worker wrote is written again', async () => {
		const outcome = await killThenRecover(UNKEYED_WORKFLOW.id, 'unkeyed-batch', 100);
		expect(outcome.afterResend.every((count) => count >= 1)).toBe(true);
		expect(twice(outcome.afterResend)).toBeGreaterThanOrEqual(100);
		report('(c) no key of your own', outcome);
	});

	function report(label: string, outcome: Awaited<ReturnType<typeof killThenRecover>>): void {
		process.stdout.write(
			`queue ${label}: execution ended as ${outcome.endedAs} with ${written(outcome.atEnd)}/300 written; ` +
				`after n8n's Retry ${written(outcome.afterRetry)}/300 (${twice(outcome.afterRetry)} twice); ` +
				`after sending the batch again ${written(outcome.afterResend)}/300 (${twice(outcome.afterResend)} twice)\n`,
		);
	}
});
