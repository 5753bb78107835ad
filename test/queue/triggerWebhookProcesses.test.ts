/**
 * The balance trigger in queue mode with dedicated webhook processes: PostgreSQL, Redis, a main process (which sets
 * the trigger up at publish), two `n8n webhook` processes behind one URL (a loopback round-robin proxy: what Stripe
 * delivers to) and a worker (which runs the executions), all started by scripts/n8n/queueCluster.ts.
 * `npm run test:queue`.
 */
import Stripe from 'stripe';

import {
	QueueCluster,
	WorkflowBuilder,
	balanceTriggerNode,
	postItemNode,
	publishWebhookWorkflows,
	waitForWebhook,
	type N8nRestClient,
} from '../../scripts/n8n';
import { HookRecorder } from '../shared/hookRecorder';
import { settledExecutionCount } from '../shared/polling';
import { useRealN8n } from '../shared/realN8n';

jest.setTimeout(20 * 60_000);

const WORKFLOW_ID = 'queueBalanceTrig';
const WEBHOOK_ID = '5b0f3c1e-7a52-4c39-9d7e-0000000000e5';
const credential = { id: 'queueTriggerSandbox', name: 'Stripe sandbox (queue-mode trigger)' };

let stripeApi: Stripe;
let recorder: HookRecorder;
let cluster: QueueCluster;
let api: N8nRestClient;
let jane: string;

const path = `${WEBHOOK_ID}/webhook`;
const endpoints = async () => (await stripeApi.webhookEndpoints.list({ limit: 100 })).data;

/** The webhook process that served the first delivery of an event (the proxy recorded it). */
function processThatServed(deliveryIndex: number): string {
	return cluster.proxy!.requests.filter((request) => request.path.endsWith(path))[deliveryIndex].target;
}

const queue = useRealN8n({
	prepare: async (sandbox) => {
		sandbox.setWebhooks({ retryDelaysMs: [500, 2000] });
		stripeApi = new Stripe(sandbox.secretKey, { host: '127.0.0.1', port: Number(new URL(sandbox.url).port), protocol: 'http' });
		recorder = await HookRecorder.start();
		jane = sandbox.createCustomer({ email: 'jane@example.com', currency: 'eur' }).id;
	},
	n8n: async (runtime) => (cluster = await QueueCluster.start({ runtime, workers: 1, webhookProcesses: 2 })),
	credentials: [credential],
	workflows: () => [
		new WorkflowBuilder(WORKFLOW_ID, 'queue: balance changed -> notify')
			.chain(balanceTriggerNode('Balance changed', { credential, webhookId: WEBHOOK_ID }), postItemNode('Notify', recorder.url))
			.build(),
	],
});

beforeAll(async () => {
	await cluster.startProcesses();
	api = await publishWebhookWorkflows(cluster.main!, []);
});

afterAll(async () => await recorder?.close());

describe('the balance trigger behind two webhook processes', () => {
	let endpointId: string;
	let firstEventId: string;

	it('publishing creates one endpoint, at the URL in front of the webhook processes', async () => {
		await api.publishWorkflow(WORKFLOW_ID);
		for (const process of cluster.webhookProcesses) await waitForWebhook(process.url, path);

		const [endpoint, ...others] = await endpoints();
		expect(others).toEqual([]);
		expect(endpoint.url).toBe(`${cluster.proxy!.url}/webhook/${path}`);
		endpointId = endpoint.id;
	});

	it('a balance change starts one execution, on the worker', async () => {
		queue.sandbox.createTransaction(jane, { amount: -1000, currency: 'eur' });
		firstEventId = queue.sandbox.events().at(-1)!.id;
		await queue.sandbox.settleDeliveries();

		const [item] = await recorder.waitFor(1);
		expect(item).toMatchObject({ eventId: firstEventId, change: -1000, balanceTransaction: expect.objectContaining({ amount: -1000 }) });
		expect(await settledExecutionCount(api, WORKFLOW_ID, 1)).toBe(1);
		expect(cluster.workers[0].startedExecutions).toHaveLength(1);
	});

	it('Stripe\'s retry of that event, later and to the other webhook process, starts none', async () => {
		const first = processThatServed(0);
		const other = cluster.webhookProcesses.map((process) => process.url).find((url) => url !== first)!;
		// Later: the first process has answered, and n8n has saved the static data with the event id.
		await new Promise((resolve) => setTimeout(resolve, 5000));
		cluster.proxy!.pinNext(other);

		const [retry] = await queue.sandbox.redeliver(firstEventId);
		expect(processThatServed(1)).toBe(other);
		expect(retry).toMatchObject({ status: 200, reply: expect.stringContaining('already delivered') });
		await new Promise((resolve) => setTimeout(resolve, 3000));
		expect(await settledExecutionCount(api, WORKFLOW_ID, 1)).toBe(1);
		expect(recorder.received).toHaveLength(1);
	});

	it('after every process restarts: still that one endpoint, and the next change starts one execution', async () => {
		await cluster.stopProcesses();
		await cluster.startProcesses();
		api = cluster.main!.client();
		await api.login();
		for (const process of cluster.webhookProcesses) await waitForWebhook(process.url, path);

		expect((await endpoints()).map((endpoint) => endpoint.id)).toEqual([endpointId]);
		queue.sandbox.createTransaction(jane, { amount: -200, currency: 'eur' });
		const eventId = queue.sandbox.events().at(-1)!.id;
		await queue.sandbox.settleDeliveries();
		const items = await recorder.waitFor(2);
		expect(items.map((item) => item.eventId)).toEqual([firstEventId, eventId]);
		expect(await settledExecutionCount(api, WORKFLOW_ID, 2)).toBe(2);
		// And the first event, once more to either process: nothing.
		const [again] = await queue.sandbox.redeliver(firstEventId);
		expect(again.status).toBe(200);
		await new Promise((resolve) => setTimeout(resolve, 3000));
		expect(await settledExecutionCount(api, WORKFLOW_ID, 2)).toBe(2);
	});
});
