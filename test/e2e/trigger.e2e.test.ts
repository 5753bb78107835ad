/**
 * The Stripe Customer Balance Trigger in the real n8n (`n8n start`; 2.40.7 on Node 24, or E2E_N8N_VERSION on
 * E2E_NODE_VERSION): its webhook endpoint's life in Stripe (the sandbox, read through the official `stripe` package),
 * and Stripe's deliveries: signed ones start one execution each, forged, stale and repeated ones none.
 * The trigger's workflow posts each item to a recorder (a stand-in for the chat or CRM hook a user would notify).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Stripe from 'stripe';

import {
	WorkflowBuilder,
	balanceTriggerNode,
	freePort,
	postItemNode,
	postWebhook,
	publishWebhookWorkflows,
	stripe,
	stripeCredential,
	stripeNode,
	waitForWebhook,
	webhookNode,
	type N8nRestClient,
	type N8nServer,
	type WorkflowJson,
} from '../../scripts/n8n';
import { PINNED_API_VERSION } from '../../nodes/StripeCustomerBalance/transport';
import { HookRecorder } from '../shared/hookRecorder';
import { probeUntil, settledExecutionCount } from '../shared/polling';
import { useRealN8n } from '../shared/realN8n';

jest.setTimeout(15 * 60_000);

// 16 characters, as n8n's own ids: n8n 1.x saves static data (the trigger's endpoint secret) only for such ids.
const TRIGGER_WORKFLOW_ID = 'e2eBalanceTrig01';
const CREDIT_WORKFLOW_ID = 'e2eCreditForTrig';
const NO_PERMISSION_WORKFLOW_ID = 'e2eTrigNoPerm01';
const CREDITS_GIVEN_WORKFLOW_ID = 'e2eTrigCredGiven';
const UNREACHABLE_WORKFLOW_ID = 'e2eTrigUnreach01';
const CREDITS_GIVEN_WEBHOOK_ID = '5b0f3c1e-7a52-4c39-9d7e-0000000000c3';
const TRIGGER_WEBHOOK_ID = '5b0f3c1e-7a52-4c39-9d7e-0000000000a1';
const CREDIT_PATH = 'credit-for-the-trigger';
const credential = { id: 'e2eTriggerSandbox', name: 'Stripe sandbox (trigger)' };
const restrictedCredential = { id: 'e2eTriggerNoHooks', name: 'Stripe sandbox (restricted key, no webhooks)' };
const RESTRICTED_KEY = 'rk_test_noWebhookPermission0000000001';
/** Stripe itself (the default Base URL): n8n's webhook URL on 127.0.0.1 is out of its reach. Nothing is ever sent to it. */
const stripeItselfCredential = { id: 'e2eTriggerRealApi', name: 'Stripe (api.stripe.com, test key)' };

let stripeApi: Stripe;
let recorder: HookRecorder;
let server: N8nServer;
let api: N8nRestClient;
let port: number;
let jane: string;

function triggerWorkflow(): WorkflowJson {
	return new WorkflowBuilder(TRIGGER_WORKFLOW_ID, 'e2e: balance changed -> notify')
		.chain(balanceTriggerNode('Balance changed', { credential, webhookId: TRIGGER_WEBHOOK_ID }), postItemNode('Notify', recorder.url))
		.build();
}

/** What a CRM would call: credit the customer in the body 10 EUR, with the action node (version 2). */
function creditWorkflow(): WorkflowJson {
	return new WorkflowBuilder(CREDIT_WORKFLOW_ID, 'e2e: credit from a hook')
		.chain(
			webhookNode('CRM hook', CREDIT_PATH),
			stripeNode('Credit', stripe.create({ customer: '={{ $json.body.customerId }}', amount: '={{ $json.body.amount }}', currency: 'eur', direction: 'credit' }), {
				credential,
				typeVersion: 2,
			}),
		)
		.build();
}

function noPermissionWorkflow(): WorkflowJson {
	return new WorkflowBuilder(NO_PERMISSION_WORKFLOW_ID, 'e2e: trigger with a key that may not manage webhooks')
		.chain(balanceTriggerNode('Balance changed', { credential: restrictedCredential, webhookId: '5b0f3c1e-7a52-4c39-9d7e-0000000000b2' }), postItemNode('Notify', 'http://127.0.0.1:9/unused'))
		.build();
}

/** Version 2, Credits Given: credits given to a customer, not debts an invoice collected. */
function creditsGivenWorkflow(): WorkflowJson {
	return new WorkflowBuilder(CREDITS_GIVEN_WORKFLOW_ID, 'e2e: credit given -> notify (trigger version 2)')
		.chain(
			balanceTriggerNode('Credit given', { credential, webhookId: CREDITS_GIVEN_WEBHOOK_ID, typeVersion: 2, changes: 'credits' }),
			postItemNode('Notify', recorder.url),
		)
		.build();
}

function unreachableWorkflow(): WorkflowJson {
	return new WorkflowBuilder(UNREACHABLE_WORKFLOW_ID, 'e2e: trigger on Stripe itself, n8n on 127.0.0.1')
		.chain(
			balanceTriggerNode('Balance changed', { credential: stripeItselfCredential, webhookId: '5b0f3c1e-7a52-4c39-9d7e-0000000000d4', typeVersion: 2 }),
			postItemNode('Notify', 'http://127.0.0.1:9/unused'),
		)
		.build();
}

const triggerUrl = () => `http://127.0.0.1:${port}/webhook/${TRIGGER_WEBHOOK_ID}/webhook`;

async function endpoints(): Promise<Stripe.WebhookEndpoint[]> {
	return (await stripeApi.webhookEndpoints.list({ limit: 100 })).data;
}

async function startServer(): Promise<void> {
	// WEBHOOK_URL: the address n8n gives Stripe for the trigger (the sandbox delivers to it).
	server = await e2e.n8n.start({ port, env: { WEBHOOK_URL: `http://127.0.0.1:${port}/` } });
}

/** The files under `folder` (n8n's database, its WAL, logs, config; not the installed packages) that contain `text`. */
async function filesContaining(folder: string, text: string): Promise<string[]> {
	const found: string[] = [];
	for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
		const path = join(entry.parentPath, entry.name);
		if (!entry.isFile() || path.includes(`${join(folder, 'nodes')}/`)) continue;
		if ((await readFile(path)).includes(text)) found.push(path);
	}
	return found;
}

const lastDelivery = () => e2e.sandbox.deliveries[e2e.sandbox.deliveries.length - 1];

const newestEventId = () => e2e.sandbox.events().at(-1)!.id;

const e2e = useRealN8n({
	prepare: async (sandbox) => {
		sandbox.setWebhooks({ retryDelaysMs: [200, 1000] });
		sandbox.addKey(RESTRICTED_KEY, { webhooks: false });
		stripeApi = new Stripe(sandbox.secretKey, { host: '127.0.0.1', port: Number(new URL(sandbox.url).port), protocol: 'http' });
		recorder = await HookRecorder.start();
		jane = sandbox.createCustomer({ email: 'jane@example.com', name: 'Jane Doe', currency: 'eur' }).id;
	},
	credentials: [credential],
	otherCredentials: (sandbox) => [
		stripeCredential({ ...restrictedCredential, secretKey: RESTRICTED_KEY, baseUrl: sandbox.url }),
		stripeCredential({ ...stripeItselfCredential, secretKey: 'sk_test_neverSentAnywhere000000001' }),
	],
	workflows: () => [triggerWorkflow(), creditWorkflow(), noPermissionWorkflow(), creditsGivenWorkflow(), unreachableWorkflow()],
});

beforeAll(async () => {
	port = await freePort();
	await startServer();
	api = await publishWebhookWorkflows(server, [creditWorkflow()]);
});

afterAll(async () => await recorder?.close());

describe('the webhook endpoint in Stripe: one per trigger, whatever n8n does', () => {
	let firstEndpointId: string;

	it('publishing creates exactly one endpoint: the trigger\'s URL, customer.updated only, the API version the node pins', async () => {
		await api.publishWorkflow(TRIGGER_WORKFLOW_ID);
		await waitForWebhook(server.url, `${TRIGGER_WEBHOOK_ID}/webhook`);

		const [endpoint, ...others] = await endpoints();
		expect(others).toEqual([]);
		expect(endpoint).toMatchObject({ url: triggerUrl(), enabled_events: ['customer.updated'], api_version: PINNED_API_VERSION, status: 'enabled' });
		expect(endpoint).not.toHaveProperty('secret');
		firstEndpointId = endpoint.id;
	});

	it('publishing a changed trigger (Changes: Credits Only) replaces its endpoint: still exactly one', async () => {
		// n8n 2.x re-registers a trigger only when it changed: a changed trigger is deleted, then added again.
		await api.saveWorkflow(TRIGGER_WORKFLOW_ID, (stored) => ({
			nodes: stored.nodes.map((node) => (node.name === 'Balance changed' ? { ...node, parameters: { ...node.parameters, changes: 'credits' } } : node)),
		}));
		await api.publishWorkflow(TRIGGER_WORKFLOW_ID);

		const [endpoint, ...others] = await endpoints();
		expect(others).toEqual([]);
		expect(endpoint.url).toBe(triggerUrl());
	});

	it('restarting n8n keeps that endpoint: none created, none deleted; its signing secret is nowhere in clear', async () => {
		const before = (await endpoints()).map((endpoint) => endpoint.id);
		await server.stop();

		// What a backup or an export holds: the database files and `n8n export:workflow` (the deliveries below verify
		// after this restart with the sealed secret).
		const exported = await e2e.n8n.exportWorkflow(TRIGGER_WORKFLOW_ID);
		expect(exported).toContain('"sealedSecret"');
		expect(exported).not.toMatch(/whsec_|"secret"/);
		expect(await filesContaining(join(e2e.n8n.userFolder, '.n8n'), 'whsec_')).toEqual([]);
		const staticData = JSON.stringify(await e2e.n8n.staticData(TRIGGER_WORKFLOW_ID));
		expect(staticData).toContain('sealedSecret');
		expect(staticData).not.toContain('whsec_');

		await startServer();
		api = server.client();
		await api.login();
		await waitForWebhook(server.url, `${TRIGGER_WEBHOOK_ID}/webhook`);

		expect((await endpoints()).map((endpoint) => endpoint.id)).toEqual(before);
		expect(before).toHaveLength(1);
		expect(firstEndpointId).toMatch(/^we_/);
	});

	it('a key that may not manage webhook endpoints cannot publish, and the error says which permission', async () => {
		await expect(api.publishWorkflow(NO_PERMISSION_WORKFLOW_ID)).rejects.toThrow(/did not let this key manage webhook endpoints.*rak_webhook_write/);
		expect((await endpoints()).map((endpoint) => endpoint.url)).toEqual([triggerUrl()]);
	});
});

describe('deliveries: what Stripe signed starts one execution; nothing else does', () => {
	it('a credit made with the action node reaches the trigger as one execution, with the change, the customer and the transaction', async () => {
		const reply = await postWebhook(server.url, CREDIT_PATH, { customerId: jane, amount: 10 });
		expect(reply).toMatchObject({ status: 200, body: { object: 'customer_balance_transaction', amount: -1000 } });
		const [transaction] = e2e.sandbox.transactions(jane);

		await e2e.sandbox.settleDeliveries();
		expect(e2e.sandbox.deliveries.map(({ status, reply }) => ({ status, reply }))).toEqual([{ status: 200, reply: expect.any(String) }]);
		const [item] = await recorder.waitFor(1);
		expect(item).toEqual({
			eventId: newestEventId(),
			eventCreated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			livemode: false,
			customer: { id: jane, email: 'jane@example.com', name: 'Jane Doe' },
			currency: 'eur',
			balanceField: 'balance',
			previousBalance: 0,
			newBalance: -1000,
			change: -1000,
			direction: 'credit',
			amount: 10,
			// Added with trigger version 2, in the items of both versions: what caused it and the money in words.
			cause: 'adjustment',
			causeText: 'a credit or debit someone made (Dashboard, API, a workflow), or the balance set at the start',
			causeType: 'adjustment',
			asWritten: { amount: 10, currency: 'EUR', direction: 'credit', summary: '10.00 EUR credit', balanceBefore: '0.00 EUR', balanceAfter: '10.00 EUR credit' },
			balanceTransaction: expect.objectContaining({ id: transaction.id, amount: -1000, ending_balance: -1000 }),
			balanceTransactionNote: expect.stringContaining('newest balance transaction'),
		});
		await e2e.sandbox.settleDeliveries();
		expect(await settledExecutionCount(api, TRIGGER_WORKFLOW_ID, 1)).toBe(1);
	});

	it('a forged signature and a stale timestamp are refused with 401; a replayed or doubled event starts nothing more', async () => {
		e2e.sandbox.setWebhooks({ script: [{ fault: 'forged-signature' }] });
		e2e.sandbox.createTransaction(jane, { amount: -200, currency: 'eur' });
		await e2e.sandbox.settleDeliveries();
		const forged = lastDelivery();
		expect(forged).toMatchObject({ fault: 'forged-signature', status: 401 });

		e2e.sandbox.setWebhooks({ script: [{ fault: 'stale-timestamp' }] });
		e2e.sandbox.createTransaction(jane, { amount: -300, currency: 'eur' });
		await e2e.sandbox.settleDeliveries();
		const stale = lastDelivery();
		expect(stale).toMatchObject({ fault: 'stale-timestamp', status: 401 });
		// A signature that does not match names the remedy, where Stripe's Dashboard shows the endpoint's replies.
		expect(forged.reply).toContain('Unpublish and publish the workflow in n8n');

		const firstEventId = (recorder.received[0] as { eventId: string }).eventId;
		const replays = await e2e.sandbox.redeliver(firstEventId);
		expect(replays.map((delivery) => delivery.status)).toEqual([200]);

		e2e.sandbox.setWebhooks({ script: [{ fault: 'duplicate' }] });
		e2e.sandbox.createTransaction(jane, { amount: -400, currency: 'eur' });
		await e2e.sandbox.settleDeliveries();
		const doubled = newestEventId();
		expect(e2e.sandbox.deliveries.filter((delivery) => delivery.eventId === doubled).map((delivery) => delivery.status)).toEqual([200, 200]);

		// A change that is not a balance change starts nothing either.
		e2e.sandbox.updateCustomer(jane, { email: 'jane.doe@example.com' });
		// The marker: a correctly signed credit, after all of the above.
		e2e.sandbox.createTransaction(jane, { amount: -500, currency: 'eur' });
		const marker = newestEventId();
		await e2e.sandbox.settleDeliveries();

		const received = await recorder.waitFor(3);
		expect(received.map((item) => item.eventId)).toEqual([firstEventId, doubled, marker]);
		expect(received.map((item) => item.change)).toEqual([-1000, -400, -500]);
		expect(await settledExecutionCount(api, TRIGGER_WORKFLOW_ID, 3)).toBe(3);
		expect(recorder.received).toHaveLength(3);
		expect(forged.eventId).not.toBe(stale.eventId);
	});
});

describe('a signing secret that no longer matches is not a silent outage', () => {
	it('deliveries signed with another secret (rolled in the Dashboard) are refused with the remedy, and n8n\'s log says so once', async () => {
		const logLine = /deliveries in a row had a recent, well-formed Stripe-Signature that does not match.*Unpublish and publish the workflow/;
		const logged = () => server.logs.filter((line) => logLine.test(line)).length;
		expect(logged()).toBe(0);
		const refused: Array<{ status: number | null; reply?: string }> = [];
		for (const amount of [-110, -120, -130, -140]) {
			e2e.sandbox.setWebhooks({ script: [{ fault: 'forged-signature' }] });
			e2e.sandbox.createTransaction(jane, { amount, currency: 'eur' });
			await e2e.sandbox.settleDeliveries();
			refused.push(lastDelivery());
		}
		expect(refused.map((delivery) => delivery.status)).toEqual([401, 401, 401, 401]);
		for (const delivery of refused) expect(delivery.reply).toMatch(/rolled in Stripe's Dashboard.*Unpublish and publish the workflow in n8n/);
		// From the third in a row, once (then at most hourly).
		await probeUntil('the log line', async () => (logged() > 0 ? true : undefined));
		expect(logged()).toBe(1);
	});
});

/** Unpublishing and publishing makes one new endpoint in place of `previousId`, and a credit's event reaches the trigger. */
async function republishedReceives(previousId: string, amount: number): Promise<Record<string, unknown>> {
	await api.unpublishWorkflow(TRIGGER_WORKFLOW_ID);
	await api.publishWorkflow(TRIGGER_WORKFLOW_ID);
	const [recreated, ...others] = await endpoints();
	expect(others).toEqual([]);
	expect(recreated.id).not.toBe(previousId);
	const received = recorder.received.length;
	e2e.sandbox.createTransaction(jane, { amount, currency: 'eur' });
	const [item] = (await recorder.waitFor(received + 1)).slice(received);
	expect(item).toMatchObject({ eventId: newestEventId(), change: amount });
	return item;
}

describe('unpublishing, publishing again, and an endpoint deleted in the Dashboard', () => {
	it('unpublishing deletes the endpoint', async () => {
		await api.unpublishWorkflow(TRIGGER_WORKFLOW_ID);

		expect(await endpoints()).toEqual([]);
	});

	it('publishing again creates one endpoint again', async () => {
		await api.publishWorkflow(TRIGGER_WORKFLOW_ID);

		expect((await endpoints()).map((endpoint) => endpoint.url)).toEqual([triggerUrl()]);
	});

	// n8n 2.x sets a webhook trigger up only when it is published changed or anew (not at restart, not for a version
	// whose trigger is unchanged): after a deletion in the Dashboard, unpublishing and publishing makes a new endpoint.
	it('an endpoint deleted in Stripe\'s Dashboard is created again when the workflow is unpublished and published; deliveries reach the trigger', async () => {
		const [published] = await endpoints();
		await stripeApi.webhookEndpoints.del(published.id);

		const item = await republishedReceives(published.id, -700);
		expect(item).toMatchObject({ direction: 'credit', amount: 7 });
	});

	it('static data of the wrong shape (a non-string secret) is refused with a clear 401, not a 500; publishing again makes a new endpoint', async () => {
		const [published] = await endpoints();
		await server.stop();
		const staticData = await e2e.n8n.staticData(TRIGGER_WORKFLOW_ID);
		const node = Object.keys(staticData).find((key) => key.startsWith('node:'))!;
		const kept = (staticData[node] as { endpoint: { id: string; url: string } }).endpoint;
		await e2e.n8n.setStaticData(TRIGGER_WORKFLOW_ID, { ...staticData, [node]: { ...(staticData[node] as object), endpoint: { id: kept.id, url: kept.url, secret: 12345 } } });
		await startServer();
		api = server.client();
		await api.login();
		await waitForWebhook(server.url, `${TRIGGER_WEBHOOK_ID}/webhook`);

		e2e.sandbox.createTransaction(jane, { amount: -800, currency: 'eur' });
		await e2e.sandbox.settleDeliveries();
		const refused = e2e.sandbox.deliveries.filter((delivery) => delivery.eventId === newestEventId());
		expect(refused.map((delivery) => delivery.status).every((status) => status === 401)).toBe(true);
		expect(refused[0].reply).toMatch(/not usable.*Unpublish and publish the workflow in n8n/);
		expect(server.logs.some((line) => /deliveries are refused: the endpoint data n8n keeps for this trigger is not usable/.test(line))).toBe(true);

		await republishedReceives(published.id, -900);
	});
});

describe('version 2: what caused the change decides, and publishing where Stripe cannot reach n8n fails', () => {
	const creditsGivenUrl = () => `http://127.0.0.1:${port}/webhook/${CREDITS_GIVEN_WEBHOOK_ID}/webhook`;

	it('with Credits Given, an invoice collecting a debt (applied_to_invoice) starts nothing, and a credit given starts one execution', async () => {
		await api.unpublishWorkflow(TRIGGER_WORKFLOW_ID);
		await api.publishWorkflow(CREDITS_GIVEN_WORKFLOW_ID);
		await waitForWebhook(server.url, `${CREDITS_GIVEN_WEBHOOK_ID}/webhook`);
		expect((await endpoints()).map((endpoint) => endpoint.url)).toEqual([creditsGivenUrl()]);
		const received = recorder.received.length;

		// Acme owes 5.00 EUR; its next invoice collects it: the balance goes from +500 to 0, a change in the credit direction.
		const acme = e2e.sandbox.createCustomer({ email: 'ap@acme.example', name: 'Acme', currency: 'eur', balance: 500 }).id;
		const collected = e2e.sandbox.applyBalanceToInvoice(acme, { invoiceTotal: 2000, currency: 'eur' });
		expect(collected).toMatchObject({ type: 'applied_to_invoice', amount: -500, ending_balance: 0 });
		const debtEvent = newestEventId();
		await e2e.sandbox.settleDeliveries();
		// Answered 200 (Stripe stops), and no execution.
		expect(e2e.sandbox.deliveries.filter((delivery) => delivery.eventId === debtEvent).map((delivery) => delivery.status)).toEqual([200]);

		// Then a credit of 5.00 EUR given to Acme: one execution.
		e2e.sandbox.createTransaction(acme, { amount: -500, currency: 'eur' });
		const creditEvent = newestEventId();
		await e2e.sandbox.settleDeliveries();
		const [item, ...others] = (await recorder.waitFor(received + 1)).slice(received);
		expect(others).toEqual([]);
		expect(item).toMatchObject({
			eventId: creditEvent,
			customer: { id: acme },
			direction: 'credit',
			previousBalance: 0,
			newBalance: -500,
			cause: 'adjustment',
			causeType: 'adjustment',
			causeText: expect.stringMatching(/^a credit or debit someone made/),
			asWritten: { amount: 5, currency: 'EUR', direction: 'credit', summary: '5.00 EUR credit', balanceBefore: '0.00 EUR', balanceAfter: '5.00 EUR credit' },
		});
		expect(await settledExecutionCount(api, CREDITS_GIVEN_WORKFLOW_ID, 1)).toBe(1);
		expect(recorder.received.slice(received).map((body) => body.eventId)).toEqual([creditEvent]);
	});

	it('publishing a trigger whose Stripe (api.stripe.com) cannot reach n8n\'s 127.0.0.1 fails, saying so and to set WEBHOOK_URL', async () => {
		const before = await endpoints();
		await expect(api.publishWorkflow(UNREACHABLE_WORKFLOW_ID)).rejects.toThrow(/Stripe cannot send events to this n8n: .*127\.0\.0\.1.* Set WEBHOOK_URL/);
		expect(await endpoints()).toEqual(before);
	});
});
