/**
 * The balance trigger where people really run it, in the real n8n (`n8n start`; 2.40.7 on Node 24, or E2E_N8N_VERSION
 * on E2E_NODE_VERSION), against one Stripe account (the sandbox):
 * - two n8n instances (two user folders, two ports) that imported the same workflow (same ids, same webhook id) and
 *   both published it: each keeps its endpoint and receives its events;
 * - the editor's "Listen for test event" beside the published workflow: Stripe sends each event to both endpoints, and
 *   each copy starts its own execution, whichever comes first;
 * - a staging instance made from a copy of one instance's user folder (same database, encryption key, instance id and
 *   static data: a restored backup) at another URL: republishing there leaves the first's endpoint, which still receives.
 * Each instance's workflow posts its items, with the execution's mode, to a recorder of its own.
 */
import Stripe from 'stripe';

import {
	N8nInstance,
	WorkflowBuilder,
	balanceTriggerNode,
	freePort,
	postItemNode,
	publishWebhookWorkflows,
	waitForWebhook,
	type N8nRestClient,
	type N8nServer,
	type WorkflowJson,
} from '../../scripts/n8n';
import { HookRecorder } from '../shared/hookRecorder';
import { probeUntil as until } from '../shared/polling';
import { useRealN8n } from '../shared/realN8n';

jest.setTimeout(15 * 60_000);

const WORKFLOW_ID = 'e2eSharedTrig001';
const WEBHOOK_ID = '5b0f3c1e-7a52-4c39-9d7e-0000000000c3';
const TRIGGER = 'Balance changed';
const credential = { id: 'e2eSharedSandbox', name: 'Stripe sandbox (shared account)' };

interface Instance {
	name: string;
	n8n: N8nInstance;
	server: N8nServer;
	api: N8nRestClient;
	port: number;
	recorder: HookRecorder;
}

let stripeApi: Stripe;
let jane: string;
let a: Instance;
let b: Instance;

/** The same workflow in both instances (same workflow, node and webhook ids); only where it posts its items differs. */
function sharedWorkflow(): (recorderUrl: string) => WorkflowJson {
	const trigger = balanceTriggerNode(TRIGGER, { credential, webhookId: WEBHOOK_ID });
	const notify = postItemNode('Notify', 'http://127.0.0.1:9/replaced');
	notify.parameters.jsonBody = '={{ JSON.stringify({ ...$json, mode: $execution.mode }) }}';
	return (recorderUrl) =>
		new WorkflowBuilder(WORKFLOW_ID, 'e2e: shared account, balance changed -> notify')
			.chain(trigger, { ...notify, parameters: { ...notify.parameters, url: recorderUrl } })
			.build();
}

const productionUrl = (instance: Instance) => `http://127.0.0.1:${instance.port}/webhook/${WEBHOOK_ID}/webhook`;
/** n8n 2.x builds test URLs on its editor's host (localhost), production URLs on WEBHOOK_URL. */
const isTestUrl = (instance: Instance, url: string) => new URL(url).port === String(instance.port) && new URL(url).pathname === `/webhook-test/${WEBHOOK_ID}/webhook`;

async function endpoints(): Promise<Stripe.WebhookEndpoint[]> {
	return (await stripeApi.webhookEndpoints.list({ limit: 100 })).data;
}

async function endpointAt(url: string): Promise<Stripe.WebhookEndpoint> {
	const found = (await endpoints()).find((endpoint) => endpoint.url === url);
	if (!found) throw new Error(`no endpoint at ${url}`);
	return found;
}

/** The items an instance's workflow posted for one event, by execution mode. */
function itemsOf(instance: Instance, eventId: string): Array<{ mode: string; change: unknown }> {
	return instance.recorder.received
		.filter((item) => item.eventId === eventId)
		.map((item) => ({ mode: String(item.mode), change: item.change }));
}

async function startInstance(name: string, workflow: (recorderUrl: string) => WorkflowJson): Promise<Instance> {
	const recorder = await HookRecorder.start();
	const n8n = await e2e.addInstance(name, [workflow(recorder.url)]);
	const port = await freePort();
	const server = await n8n.start({ port, env: { WEBHOOK_URL: `http://127.0.0.1:${port}/` } });
	const api = await publishWebhookWorkflows(server, []);
	return { name, n8n, server, api, port, recorder };
}

const e2e = useRealN8n({
	prepare: (sandbox) => {
		sandbox.setWebhooks({ retryDelaysMs: [200, 1000] });
		stripeApi = new Stripe(sandbox.secretKey, { host: '127.0.0.1', port: Number(new URL(sandbox.url).port), protocol: 'http' });
		jane = sandbox.createCustomer({ email: 'jane@example.com', name: 'Jane Doe', currency: 'eur' }).id;
	},
	credentials: [credential],
});

beforeAll(async () => {
	const workflow = sharedWorkflow();
	a = await startInstance('a', workflow);
	b = await startInstance('b', workflow);
});

afterAll(async () => {
	for (const instance of [a, b]) await instance?.recorder.close();
});

describe('two n8n instances on one Stripe account, with the same workflow', () => {
	it('each publishes its own endpoint; the second does not delete the first\'s', async () => {
		await a.api.publishWorkflow(WORKFLOW_ID);
		await waitForWebhook(a.server.url, `${WEBHOOK_ID}/webhook`);
		const first = await endpointAt(productionUrl(a));

		await b.api.publishWorkflow(WORKFLOW_ID);
		await waitForWebhook(b.server.url, `${WEBHOOK_ID}/webhook`);

		const all = await endpoints();
		expect(all.map((endpoint) => endpoint.url).sort()).toEqual([productionUrl(a), productionUrl(b)].sort());
		expect(all.map((endpoint) => endpoint.id)).toContain(first.id);
		// Both carry the same webhook id; what tells them apart is each instance's URL (the marks differ too, but a copy
		// of a database would carry the same one).
		expect(new Set(all.map((endpoint) => endpoint.metadata.n8n_webhook_id))).toEqual(new Set([WEBHOOK_ID]));
		expect(new Set(all.map((endpoint) => endpoint.metadata.n8n_instance)).size).toBe(2);
	});

	it('a balance change starts one execution in each instance', async () => {
		e2e.sandbox.createTransaction(jane, { amount: -1000, currency: 'eur' });
		const eventId = e2e.sandbox.events().at(-1)!.id;
		await e2e.sandbox.settleDeliveries();

		await a.recorder.waitFor(1);
		await b.recorder.waitFor(1);
		expect(e2e.sandbox.deliveries.filter((delivery) => delivery.eventId === eventId).map((delivery) => delivery.status)).toEqual([200, 200]);
		expect(itemsOf(a, eventId)).toEqual([{ mode: 'production', change: -1000 }]);
		expect(itemsOf(b, eventId)).toEqual([{ mode: 'production', change: -1000 }]);
	});

	it('unpublishing in one instance deletes its endpoint only; the other still receives', async () => {
		await b.api.unpublishWorkflow(WORKFLOW_ID);
		expect((await endpoints()).map((endpoint) => endpoint.url)).toEqual([productionUrl(a)]);

		e2e.sandbox.createTransaction(jane, { amount: -200, currency: 'eur' });
		const eventId = e2e.sandbox.events().at(-1)!.id;
		await e2e.sandbox.settleDeliveries();
		await until('the item in instance a', async () => (itemsOf(a, eventId).length > 0 ? true : undefined));
		expect(itemsOf(a, eventId)).toEqual([{ mode: 'production', change: -200 }]);
		expect(itemsOf(b, eventId)).toEqual([]);

		await b.api.publishWorkflow(WORKFLOW_ID);
		expect((await endpoints()).map((endpoint) => endpoint.url).sort()).toEqual([productionUrl(a), productionUrl(b)].sort());
	});
});

describe('"Listen for test event" beside the published workflow: no production event lost', () => {
	/** A balance change whose event reaches `second` after the other endpoints: disabled meanwhile, then resent to it. */
	async function deliverLastTo(second: Stripe.WebhookEndpoint, amount: number): Promise<string> {
		await stripeApi.webhookEndpoints.update(second.id, { disabled: true });
		e2e.sandbox.createTransaction(jane, { amount, currency: 'eur' });
		const eventId = e2e.sandbox.events().at(-1)!.id;
		await e2e.sandbox.settleDeliveries();
		await stripeApi.webhookEndpoints.update(second.id, { disabled: false });
		const later = await e2e.sandbox.redeliver(eventId, undefined, second.id);
		expect(later.map((delivery) => delivery.status)).toEqual([200]);
		return eventId;
	}

	async function listen(): Promise<Stripe.WebhookEndpoint> {
		await a.api.listenForTestEvent(WORKFLOW_ID, TRIGGER);
		return await until('the test endpoint', async () => (await endpoints()).find((endpoint) => isTestUrl(a, endpoint.url)));
	}

	it('the test endpoint first, then the production endpoint: each copy starts its execution', async () => {
		expect((await listen()).metadata).toMatchObject({ n8n_webhook_kind: 'test', n8n_webhook_id: WEBHOOK_ID });
		const production = await endpointAt(productionUrl(a));

		const eventId = await deliverLastTo(production, -300);
		const items = await until('both copies', async () => (itemsOf(a, eventId).length >= 2 ? itemsOf(a, eventId) : undefined));
		expect(items.map((item) => item.mode).sort()).toEqual(['production', 'test']);
		expect(items.map((item) => item.change)).toEqual([-300, -300]);
	});

	it('the production endpoint first, then the test endpoint: each copy starts its execution', async () => {
		// n8n stops listening after the first test event, and the trigger deletes the test endpoint.
		await until('the test endpoint deleted', async () => ((await endpoints()).some((endpoint) => isTestUrl(a, endpoint.url)) ? undefined : true));
		const test = await listen();
		const production = await endpointAt(productionUrl(a));

		const eventId = await deliverLastTo(test, -400);
		const items = await until('both copies', async () => (itemsOf(a, eventId).length >= 2 ? itemsOf(a, eventId) : undefined));
		expect(items.map((item) => item.mode).sort()).toEqual(['production', 'test']);

		// A copy of either, sent again, starts nothing more.
		const again = await e2e.sandbox.redeliver(eventId, undefined, production.id);
		expect(again.map((delivery) => delivery.status)).toEqual([200]);
		expect(again[0].reply).toContain('already delivered');
		expect(itemsOf(a, eventId)).toHaveLength(2);
		// The other instance's endpoint got both events; its single execution per event is what it shows.
		await until('instance b\'s copies', async () => (itemsOf(b, eventId).length === 1 ? true : undefined));
		expect(itemsOf(b, eventId)).toEqual([{ mode: 'production', change: -400 }]);
	});
});

describe('a staging copy of an instance (its user folder restored elsewhere) at another URL', () => {
	let staging: Instance;

	it('republishing the workflow in the copy leaves the original\'s endpoint, which still receives', async () => {
		const original = await endpointAt(productionUrl(a));
		// A backup of a: its user folder copied while it is stopped (same database, encryption key, instance id, static
		// data with a's endpoint id and instance tag), then a started again as before.
		await a.server.stop();
		const copy = await e2e.copyInstance('a-staging', a.n8n);
		a.server = await a.n8n.start({ port: a.port, env: { WEBHOOK_URL: `http://127.0.0.1:${a.port}/` } });
		a.api = a.server.client();
		await a.api.login();
		await waitForWebhook(a.server.url, `${WEBHOOK_ID}/webhook`);

		const port = await freePort();
		const server = await copy.start({ port, env: { WEBHOOK_URL: `http://127.0.0.1:${port}/` } });
		const api = server.client();
		await api.login();
		staging = { name: 'a-staging', n8n: copy, server, api, port, recorder: a.recorder };
		// Staging receives nothing at its own URL, so its user publishes the workflow again, as the user did.
		await api.unpublishWorkflow(WORKFLOW_ID);
		expect((await endpoints()).map((endpoint) => endpoint.id)).toContain(original.id);
		await api.publishWorkflow(WORKFLOW_ID);
		await waitForWebhook(server.url, `${WEBHOOK_ID}/webhook`);

		const all = await endpoints();
		expect(all.map((endpoint) => endpoint.id)).toContain(original.id);
		expect((await endpointAt(productionUrl(a))).id).toBe(original.id);
		// The copy carries a's very mark: it proves nothing, and decides nothing.
		expect((await endpointAt(productionUrl(staging))).metadata.n8n_instance).toBe(original.metadata.n8n_instance);

		e2e.sandbox.createTransaction(jane, { amount: -600, currency: 'eur' });
		const eventId = e2e.sandbox.events().at(-1)!.id;
		await e2e.sandbox.settleDeliveries();
		const toA = e2e.sandbox.deliveries.filter((delivery) => delivery.eventId === eventId && delivery.endpointId === original.id);
		expect(toA.map((delivery) => delivery.status)).toEqual([200]);
		expect(toA[0].reply).toContain('"started":true');
		const toStaging = e2e.sandbox.deliveries.filter((delivery) => delivery.eventId === eventId && delivery.url === productionUrl(staging));
		expect(toStaging.map((delivery) => delivery.status)).toEqual([200]);
		// a's execution and staging's each post their item (both workflows post to a's recorder: the copy's workflow is a's).
		const items = await until('both items', async () => (itemsOf(a, eventId).length >= 2 ? itemsOf(a, eventId) : undefined));
		expect(items).toEqual([{ mode: 'production', change: -600 }, { mode: 'production', change: -600 }]);
	});

	it('unpublishing in the copy deletes only the copy\'s endpoint', async () => {
		const original = await endpointAt(productionUrl(a));
		await staging.api.unpublishWorkflow(WORKFLOW_ID);
		const urls = (await endpoints()).map((endpoint) => endpoint.url);
		expect(urls).toContain(productionUrl(a));
		expect(urls).not.toContain(productionUrl(staging));
		expect((await endpointAt(productionUrl(a))).id).toBe(original.id);
	});
});
