/**
 * The balance trigger's endpoint life, run through n8n-core's real HookContext with the BUILT node against the sandbox's
 * webhook endpoints: the secret kept sealed, a secret that no longer opens (the credential's key changed) replaced at
 * the next publish with the reason logged, 0.1.0's clear secret sealed, and a copy of the static data at another URL
 * (a staging instance restored from production's backup) that deletes nothing of production's; and deliveries through
 * n8n-core's real WebhookContext: verified with the sealed secret, refused with the remedy when it does not fit, the
 * log bounded. Whole deliveries from the sandbox run in the real n8n: test/e2e/trigger.e2e.test.ts.
 */
import { HookContext, WebhookContext } from 'n8n-core';
import { Workflow, type IDataObject, type INode, type IWebhookData, type IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import Stripe from 'stripe';

import { PACKAGE_ROOT, TEST_CREDENTIAL, TRIGGER_NODE_TYPE, TestCredentialsHelper, createAdditionalData, loadPackage, logEntries } from '.';
import { nodeTypes } from './registry';
import { credentialsFor, useSandbox } from './support';

const sandbox = useSandbox();
const NODE_NAME = 'Balance changed';
const OTHER_KEY = 'sk_test_theRotatedCredentialKey00000001';

beforeAll(async () => {
	await loadPackage(PACKAGE_ROOT);
	sandbox().addKey(OTHER_KEY);
});

interface Trigger {
	/** One delivery, as n8n hands a request to the trigger's webhook(). */
	deliver(body: string, header: string | undefined): Promise<{ status?: number; answer?: IDataObject }>;
	/** How often the credential was read. */
	credentialReads(): number;
	checkExists(): Promise<boolean>;
	create(): Promise<boolean>;
	remove(): Promise<boolean>;
	/** Publishing as n8n does it: checkExists, then create when it answered false. */
	publish(): Promise<void>;
	/** What n8n would save of the node's static data. */
	saved(): IDataObject;
}

/** One trigger node of one n8n instance: its static data (as saved), its credential key, its webhook base URL. */
function trigger(saved: IDataObject, options: { key?: string; webhookBaseUrl?: string; workflowId?: string } = {}): Trigger {
	const node: INode = {
		id: 'engine-trigger-node',
		name: NODE_NAME,
		type: TRIGGER_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { event: 'balanceChanged', changes: 'any' },
		webhookId: '5b0f3c1e-engine-0000-0000-000000000001',
		credentials: { stripeCustomerBalanceApi: TEST_CREDENTIAL },
	};
	const staticData = JSON.parse(JSON.stringify(saved)) as IDataObject;
	const workflow = new Workflow({ id: options.workflowId ?? 'engineTrigger001', name: 'trigger', nodes: [node], connections: {}, active: true, nodeTypes, staticData });
	const credentialsHelper = new TestCredentialsHelper(credentialsFor(sandbox(), options.key ? { secretKey: options.key } : {}));
	const additionalData: IWorkflowExecuteAdditionalData = {
		...createAdditionalData({ credentialsHelper }),
		...(options.webhookBaseUrl ? { webhookBaseUrl: options.webhookBaseUrl } : {}),
	};
	const context = new HookContext(workflow, node, additionalData, 'trigger', 'activate');
	const nodeType = nodeTypes.getByNameAndVersion(TRIGGER_NODE_TYPE, 1);
	const methods = nodeType.webhookMethods!.default!;
	const reads = jest.spyOn(credentialsHelper, 'getDecrypted');
	return {
		async deliver(body, header) {
			const reply: { status?: number; answer?: IDataObject } = {};
			const response = {
				status: (code: number) => ((reply.status = code), response),
				json: (answer: IDataObject) => ((reply.answer = answer), response),
			};
			const request = { headers: header === undefined ? {} : { 'stripe-signature': header }, rawBody: Buffer.from(body), body: {}, params: {}, query: {} };
			const webhookData = { httpMethod: 'POST', node: node.name, path: 'webhook', webhookDescription: {}, workflowId: workflow.id } as unknown as IWebhookData;
			const delivery = new WebhookContext(workflow, node, { ...additionalData, httpRequest: request, httpResponse: response } as never, 'webhook', webhookData, [], null);
			await nodeType.webhook!.call(delivery);
			return reply;
		},
		credentialReads: () => reads.mock.calls.length,
		checkExists: async () => await methods.checkExists.call(context),
		create: async () => await methods.create.call(context),
		remove: async () => await methods.delete.call(context),
		async publish() {
			if (!(await methods.checkExists.call(context))) await methods.create.call(context);
		},
		saved: () => JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject,
	};
}

const nodeState = (saved: IDataObject) => (saved[`node:${NODE_NAME}`] ?? {}) as IDataObject;
const kept = (saved: IDataObject) => nodeState(saved).endpoint as IDataObject | undefined;

async function endpoints(): Promise<Array<{ id: string; url: string }>> {
	const reply = await fetch(`${sandbox().url}/v1/webhook_endpoints?limit=100`, { headers: { Authorization: `Bearer ${sandbox().secretKey}` } });
	return ((await reply.json()) as { data: Array<{ id: string; url: string }> }).data;
}

/** An endpoint made the way 0.1.0 did, and its secret (Stripe shows it only on creation). */
async function endpointWithSecret(url: string): Promise<{ id: string; secret: string }> {
	const reply = await fetch(`${sandbox().url}/v1/webhook_endpoints`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${sandbox().secretKey}`, 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ url, 'enabled_events[0]': 'customer.updated' }),
	});
	return (await reply.json()) as { id: string; secret: string };
}

const warningsSince = (count: number) => logEntries().slice(count).filter((entry) => entry.level === 'warn').map((entry) => entry.message);

describe('the signing secret at rest', () => {
	it('publishing keeps the endpoint with its secret sealed: no `secret`, no `whsec_` in the static data; publishing again keeps it', async () => {
		const first = trigger({});
		await first.publish();
		const saved = first.saved();
		expect(Object.keys(kept(saved)!).sort()).toEqual(['id', 'sealedSecret', 'url']);
		expect(JSON.stringify(saved)).not.toContain('whsec_');

		// n8n restarted (1.x sets the trigger up again at each start): the saved state opens, nothing is created.
		const again = trigger(saved);
		expect(await again.checkExists()).toBe(true);
		expect((await endpoints()).map((endpoint) => endpoint.id)).toEqual([kept(saved)!.id]);
	});

	it('the credential\'s key changed: the kept secret no longer opens, so the next publish replaces the endpoint and n8n\'s log says why', async () => {
		const first = trigger({});
		await first.publish();
		const before = kept(first.saved())!.id;

		const logged = logEntries().length;
		const rotated = trigger(first.saved(), { key: OTHER_KEY });
		expect(await rotated.checkExists()).toBe(false);
		expect(warningsSince(logged)).toEqual([expect.stringMatching(/a new webhook endpoint is created: the signing secret n8n keeps for this endpoint cannot be opened with the credential's secret key/)]);
		await rotated.create();

		const now = await endpoints();
		expect(now).toHaveLength(1);
		expect(now[0].id).not.toBe(before);
		expect(await trigger(rotated.saved(), { key: OTHER_KEY }).checkExists()).toBe(true);
	});

	it('0.1.0\'s clear secret is kept, and sealed in place at that publish', async () => {
		const url = 'http://localhost:5678/webhook/5b0f3c1e-engine-0000-0000-000000000001/webhook';
		const legacy = await endpointWithSecret(url);
		const saved = { [`node:${NODE_NAME}`]: { endpoint: { id: legacy.id, secret: legacy.secret, url } } };

		const upgraded = trigger(saved);
		expect(await upgraded.checkExists()).toBe(true);
		expect(kept(upgraded.saved())).toEqual({ id: legacy.id, url, sealedSecret: expect.stringMatching(/^sealed1\./) });
		expect(JSON.stringify(upgraded.saved())).not.toContain(legacy.secret);
	});

	it.each([
		['a non-string secret', { secret: 12345 }],
		['garbage in place of the sealed secret', { sealedSecret: 'sealed1.garbage' }],
	])('%s at this URL: the next publish replaces the endpoint, without an error', async (_what, spoiled) => {
		const first = trigger({});
		await first.publish();
		const state = kept(first.saved())!;
		const saved = { [`node:${NODE_NAME}`]: { ...nodeState(first.saved()), endpoint: { id: state.id, url: state.url, ...spoiled } } };

		const logged = logEntries().length;
		const next = trigger(saved);
		await next.publish();
		expect(warningsSince(logged)).toEqual([expect.stringMatching(/a new webhook endpoint is created: .*(not usable|cannot be opened)/)]);
		const now = await endpoints();
		expect(now.map((endpoint) => endpoint.id)).toEqual([kept(next.saved())!.id]);
		expect(now[0].id).not.toBe(state.id);
	});
});

/** Production published at its URL; staging: the same static data (endpoint id, instance tag), credential and instance id, at another URL. */
async function productionAndItsCopy(): Promise<{ productionEndpoint: IDataObject; staging: Trigger; logged: number }> {
	const production = trigger({}, { webhookBaseUrl: 'https://production.example.com/webhook' });
	await production.publish();
	return { productionEndpoint: kept(production.saved())!, staging: trigger(production.saved()), logged: logEntries().length };
}

describe('a copy of the static data at another URL (staging restored from production\'s backup)', () => {
	it('unpublishing and publishing in the copy deletes nothing of production\'s: it makes its own endpoint at its own URL', async () => {
		const { productionEndpoint, staging, logged } = await productionAndItsCopy();
		expect(await staging.remove()).toBe(true);
		expect((await endpoints()).map((endpoint) => endpoint.id)).toEqual([productionEndpoint.id]);
		await staging.publish();

		const now = await endpoints();
		expect(now.map((endpoint) => endpoint.url).sort()).toEqual([productionEndpoint.url, kept(staging.saved())!.url].sort());
		expect(now.map((endpoint) => endpoint.id)).toContain(productionEndpoint.id);
		expect(warningsSince(logged)).toEqual([]);
	});

	it('a copy published without unpublishing first leaves production\'s endpoint, and says its kept endpoint was made for another URL', async () => {
		const { productionEndpoint, staging, logged } = await productionAndItsCopy();
		expect(await staging.checkExists()).toBe(false);
		expect(warningsSince(logged)).toEqual([expect.stringContaining('made for another URL (https://production.example.com/webhook/')]);
		await staging.create();
		expect((await endpoints()).map((endpoint) => endpoint.id)).toContain(productionEndpoint.id);
		expect(await endpoints()).toHaveLength(2);
	});
});

describe('deliveries: verified with the sealed secret; refused cleanly, with the remedy, when it does not fit', () => {
	const stripe = new Stripe('sk_test_signatureReference000000');
	const url = 'http://localhost:5678/webhook/5b0f3c1e-engine-0000-0000-000000000001/webhook';
	/** An event the trigger answers right after the check, without calling Stripe. */
	const body = () => JSON.stringify({ id: `evt_${Date.now()}`, object: 'event', type: 'customer.created', created: Math.floor(Date.now() / 1000) });
	let otherWorkflows = 100;
	const signed = (payload: string, secret: string) => stripe.webhooks.generateTestHeaderString({ payload, secret });

	/** A published trigger whose endpoint's secret the test knows: made as 0.1.0 did, sealed by its first publish. */
	async function published(): Promise<{ saved: IDataObject; secret: string }> {
		const legacy = await endpointWithSecret(url);
		const upgraded = trigger({ [`node:${NODE_NAME}`]: { endpoint: { id: legacy.id, secret: legacy.secret, url } } });
		expect(await upgraded.checkExists()).toBe(true);
		return { saved: upgraded.saved(), secret: legacy.secret };
	}

	it('a delivery Stripe signed verifies with the sealed secret, reading the credential once', async () => {
		const { saved, secret } = await published();
		const receiving = trigger(saved);
		const payload = body();
		expect(await receiving.deliver(payload, signed(payload, secret))).toMatchObject({ status: 200, answer: { received: true } });
		expect(receiving.credentialReads()).toBe(1);
	});

	it('0.1.0\'s clear secret verifies a delivery, which seals it in the static data n8n then saves', async () => {
		const legacy = await endpointWithSecret(url);
		const receiving = trigger({ [`node:${NODE_NAME}`]: { endpoint: { id: legacy.id, secret: legacy.secret, url } } });
		const payload = body();
		expect(await receiving.deliver(payload, signed(payload, legacy.secret))).toMatchObject({ status: 200 });
		expect(kept(receiving.saved())).toEqual({ id: legacy.id, url, sealedSecret: expect.stringMatching(/^sealed1\./) });
		expect(JSON.stringify(receiving.saved())).not.toContain('whsec_');
	});

	it('a missing, malformed or stale header is refused before the credential is read', async () => {
		const { saved, secret } = await published();
		const receiving = trigger(saved);
		const payload = body();
		const stale = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: Math.floor(Date.now() / 1000) - 600 });
		for (const header of [undefined, 'garbage', stale]) {
			expect((await receiving.deliver(payload, header)).status).toBe(401);
		}
		expect(receiving.credentialReads()).toBe(0);
	});

	it('signatures with another secret (rolled in the Dashboard): each 401 names the remedy; n8n\'s log says so from the third in a row, once', async () => {
		const { saved } = await published();
		const receiving = trigger(saved);
		const logged = logEntries().length;
		const answers = [];
		for (let i = 0; i < 6; i++) {
			const payload = body();
			answers.push(await receiving.deliver(payload, signed(payload, 'whsec_rolledByTheUser0000000000000000')));
		}
		expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401, 401]);
		for (const answer of answers) expect(answer.answer?.error).toMatch(/rolled in Stripe's Dashboard.*Unpublish and publish the workflow in n8n/);
		expect(warningsSince(logged)).toEqual([expect.stringMatching(/^Stripe Customer Balance Trigger: 3 deliveries in a row .* Unpublish and publish/)]);
	});

	it.each([
		['the credential\'s key changed', (saved: IDataObject) => saved, OTHER_KEY, /cannot be opened with the credential's secret key/],
		['a non-string secret', () => ({ [`node:${NODE_NAME}`]: { endpoint: { id: 'we_1', url, secret: 12345 } } }), undefined, /not usable/],
		['garbage', () => ({ [`node:${NODE_NAME}`]: { endpoint: 'garbage' } }), undefined, /not usable/],
		['nothing kept', () => ({}), undefined, /not usable/],
	])('%s: a signed delivery is answered 401 with the reason and the remedy, not an error; logged at once', async (_what, spoil, key, reason) => {
		const { saved, secret } = await published();
		// Another workflow: the log's hourly bound is per trigger, and the cases before were logged for this one.
		const receiving = trigger(spoil(saved), { key, workflowId: `engineTrigger${String(++otherWorkflows).padStart(3, '0')}` });
		const logged = logEntries().length;
		const payload = body();
		const reply = await receiving.deliver(payload, signed(payload, secret));
		expect(reply.status).toBe(401);
		expect(reply.answer?.error).toMatch(reason);
		expect(reply.answer?.error).toContain('Unpublish and publish the workflow in n8n');
		expect(warningsSince(logged)).toEqual([expect.stringMatching(reason)]);
	});
});
