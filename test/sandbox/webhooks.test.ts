/**
 * The sandbox's webhook endpoints and deliveries, checked with the official `stripe` package: its API calls must work
 * against the sandbox, and its `constructEvent` must accept what the sandbox signs (and refuse the scripted forgeries).
 */
import Stripe from 'stripe';

import { HookRecorder, type HookRequest } from '../shared/hookRecorder';
import { startSandbox, type Sandbox } from '.';

let sandbox: Sandbox;
let stripe: Stripe;
let receiver: HookRecorder;

const signatureOf = (received: HookRequest) => String(received.headers['stripe-signature']);

beforeAll(async () => {
	sandbox = await startSandbox();
	stripe = new Stripe(sandbox.secretKey, { host: '127.0.0.1', port: Number(new URL(sandbox.url).port), protocol: 'http' });
	receiver = await HookRecorder.start();
});

beforeEach(() => {
	sandbox.reset();
	sandbox.setWebhooks({ retryDelaysMs: [20, 40] });
	receiver.clear();
});

afterAll(async () => {
	await receiver.close();
	await sandbox.close();
});

async function balanceEndpoint(): Promise<Stripe.WebhookEndpoint> {
	return await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.updated'], metadata: { owner: 'test' } });
}

describe('webhook endpoints', () => {
	it('create shows the signing secret once; retrieve, list and update never do; delete removes it', async () => {
		const created = await balanceEndpoint();
		expect(created).toMatchObject({ object: 'webhook_endpoint', url: receiver.url, enabled_events: ['customer.updated'], status: 'enabled', metadata: { owner: 'test' } });
		expect(created.secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
		expect(created.id).toMatch(/^we_/);

		expect(await stripe.webhookEndpoints.retrieve(created.id)).not.toHaveProperty('secret');
		const updated = await stripe.webhookEndpoints.update(created.id, { disabled: true, description: 'paused' });
		expect(updated).toMatchObject({ status: 'disabled', description: 'paused' });
		expect(updated).not.toHaveProperty('secret');
		const listed = await stripe.webhookEndpoints.list();
		expect(listed.data.map((endpoint) => endpoint.id)).toEqual([created.id]);
		expect(listed.data[0]).not.toHaveProperty('secret');

		expect(await stripe.webhookEndpoints.del(created.id)).toEqual({ id: created.id, object: 'webhook_endpoint', deleted: true });
		await expect(stripe.webhookEndpoints.retrieve(created.id)).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
	});

	it('a 17th endpoint is refused, as Stripe refuses it', async () => {
		for (let index = 0; index < 16; index++) await stripe.webhookEndpoints.create({ url: `${receiver.url}/${index}`, enabled_events: ['*'] });
		await expect(balanceEndpoint()).rejects.toMatchObject({ statusCode: 400, message: expect.stringContaining('maximum of 16') });
	});

	it('unknown event types and non-URLs are refused, naming the param', async () => {
		await expect(stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.balance_changed' as Stripe.WebhookEndpointCreateParams.EnabledEvent] })).rejects.toMatchObject({ param: 'enabled_events' });
		await expect(stripe.webhookEndpoints.create({ url: 'not a url', enabled_events: ['customer.updated'] })).rejects.toMatchObject({ param: 'url' });
	});

	it('a restricted key without webhook permission gets 403 naming rak_webhook_write', async () => {
		const key = 'rk_test_noWebhooks000000000000000001';
		sandbox.addKey(key, { webhooks: false });
		const restricted = new Stripe(key, { host: '127.0.0.1', port: Number(new URL(sandbox.url).port), protocol: 'http' });
		await expect(restricted.webhookEndpoints.list()).rejects.toMatchObject({ statusCode: 403, message: expect.stringContaining("'rak_webhook_write'") });
		await expect(restricted.customers.list({ limit: 1 })).resolves.toMatchObject({ object: 'list' });
	});
});

describe('events and deliveries', () => {
	it('a credit through the API is delivered once as customer.updated, signed so that stripe-node accepts it', async () => {
		const { secret } = await balanceEndpoint();
		const customer = sandbox.createCustomer({ email: 'jane@example.com', currency: 'eur' });
		const transaction = await stripe.customers.createBalanceTransaction(customer.id, { amount: -1000, currency: 'eur' });
		await sandbox.settleDeliveries();

		expect(receiver.requests).toHaveLength(1);
		const [delivery] = receiver.requests;
		const event = stripe.webhooks.constructEvent(delivery.body, signatureOf(delivery), secret!);
		expect(event).toMatchObject({
			type: 'customer.updated',
			data: { object: { id: customer.id, balance: -1000, invoice_credit_balance: { eur: 1000 } }, previous_attributes: { balance: 0, invoice_credit_balance: { eur: 0 } } },
		});
		expect(delivery.headers['user-agent']).toMatch(/^Stripe\/1\.0/);
		expect(sandbox.events().map((logged) => logged.id)).toEqual([event.id]);
		expect(sandbox.transactions(customer.id)[0].id).toBe(transaction.id);
	});

	it('a credit in another currency changes only invoice_credit_balance, a currency new to the customer listed as null', async () => {
		const { secret } = await balanceEndpoint();
		const customer = sandbox.createCustomer({ currency: 'eur', balance: -500 });
		sandbox.createTransaction(customer.id, { amount: -300, currency: 'usd' });
		await sandbox.settleDeliveries();

		const event = stripe.webhooks.constructEvent(receiver.requests[0].body, signatureOf(receiver.requests[0]), secret!);
		expect((event.data as { previous_attributes: unknown }).previous_attributes).toEqual({ invoice_credit_balance: { usd: null } });
		expect(event.data.object).toMatchObject({ balance: -500, invoice_credit_balance: { eur: 500, usd: 300 } });
	});

	it('an invoice collects what the customer owed, or uses their credit up to its total: applied_to_invoice, and its event', async () => {
		const { secret } = await balanceEndpoint();
		const owes = sandbox.createCustomer({ currency: 'eur', balance: 500 });
		const holdsCredit = sandbox.createCustomer({ currency: 'eur', balance: -1000 });
		const collected = sandbox.applyBalanceToInvoice(owes.id, { invoiceTotal: 2000, currency: 'eur' });
		const used = sandbox.applyBalanceToInvoice(holdsCredit.id, { invoiceTotal: 300, currency: 'eur' });
		expect(sandbox.applyBalanceToInvoice(owes.id, { invoiceTotal: 2000, currency: 'eur' })).toBeUndefined();
		await sandbox.settleDeliveries();

		expect(collected).toMatchObject({ type: 'applied_to_invoice', amount: -500, ending_balance: 0, invoice: expect.stringMatching(/^in_/) });
		expect(used).toMatchObject({ type: 'applied_to_invoice', amount: 300, ending_balance: -700 });
		// Read back as Stripe's clients read it.
		const listed = await stripe.customers.listBalanceTransactions(owes.id);
		expect(listed.data.map(({ id, type }) => ({ id, type }))).toEqual([{ id: collected!.id, type: 'applied_to_invoice' }]);
		const events = receiver.requests.map((delivery) => stripe.webhooks.constructEvent(delivery.body, signatureOf(delivery), secret!));
		expect(events.map((event) => [(event.data.object as Stripe.Customer).balance, event.data.previous_attributes])).toEqual([
			[0, { balance: 500, invoice_credit_balance: { eur: -500 } }],
			[-700, { balance: -1000, invoice_credit_balance: { eur: 1000 } }],
		]);
	});

	it('a change of email is a customer.updated without balance', async () => {
		await balanceEndpoint();
		const customer = sandbox.createCustomer({ email: 'old@example.com' });
		sandbox.updateCustomer(customer.id, { email: 'new@example.com' });
		await sandbox.settleDeliveries();
		expect(JSON.parse(receiver.requests[0].body).data.previous_attributes).toEqual({ email: 'old@example.com' });
	});

	it('a delivery answered 500 is retried, freshly signed, until a 2xx; disabled endpoints get nothing', async () => {
		const { secret } = await balanceEndpoint();
		const disabled = await stripe.webhookEndpoints.create({ url: `${receiver.url}/disabled`, enabled_events: ['customer.updated'] });
		await stripe.webhookEndpoints.update(disabled.id, { disabled: true });
		receiver.statuses = [500, 503];
		const customer = sandbox.createCustomer({ currency: 'eur' });
		sandbox.createTransaction(customer.id, { amount: 700, currency: 'eur' });
		await sandbox.settleDeliveries();

		expect(sandbox.deliveries.map((delivery) => [delivery.attempt, delivery.status])).toEqual([
			[1, 500],
			[2, 503],
			[3, 200],
		]);
		for (const delivery of receiver.requests) expect(() => stripe.webhooks.constructEvent(delivery.body, signatureOf(delivery), secret!)).not.toThrow();
		expect(sandbox.deliveries.every((delivery) => delivery.endpointId !== disabled.id)).toBe(true);
	});

	it('the switches: a forged signature and a stale timestamp fail constructEvent; a duplicate arrives twice at once', async () => {
		const { secret } = await balanceEndpoint();
		const customer = sandbox.createCustomer({ currency: 'eur' });
		sandbox.setWebhooks({ script: [{ fault: 'forged-signature' }, { fault: 'stale-timestamp' }, { fault: 'duplicate' }] });
		for (const amount of [-100, -200, -300]) sandbox.createTransaction(customer.id, { amount, currency: 'eur' });
		await sandbox.settleDeliveries();

		const [forged, stale, ...doubled] = receiver.requests;
		expect(() => stripe.webhooks.constructEvent(forged.body, signatureOf(forged), secret!)).toThrow(/No signatures found matching/);
		expect(() => stripe.webhooks.constructEvent(stale.body, signatureOf(stale), secret!)).toThrow(/Timestamp outside the tolerance zone/);
		expect(doubled).toHaveLength(2);
		expect(doubled.map((delivery) => JSON.parse(delivery.body).id)).toEqual([sandbox.events()[2].id, sandbox.events()[2].id]);
		for (const delivery of doubled) expect(() => stripe.webhooks.constructEvent(delivery.body, signatureOf(delivery), secret!)).not.toThrow();
		expect(sandbox.deliveries.map((delivery) => delivery.fault)).toEqual(['forged-signature', 'stale-timestamp', 'duplicate', 'duplicate']);
	});

	it('redeliver sends an event again, correctly signed, and reports the attempts', async () => {
		const { secret } = await balanceEndpoint();
		const customer = sandbox.createCustomer({ currency: 'eur' });
		sandbox.createTransaction(customer.id, { amount: -100, currency: 'eur' });
		await sandbox.settleDeliveries();
		const [event] = sandbox.events();

		const attempts = await sandbox.redeliver(event.id);
		expect(attempts.map((attempt) => [attempt.eventId, attempt.status])).toEqual([[event.id, 200]]);
		expect(receiver.requests.map((delivery) => stripe.webhooks.constructEvent(delivery.body, signatureOf(delivery), secret!).id)).toEqual([event.id, event.id]);
	});
});
