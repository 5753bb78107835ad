/**
 * The balance trigger's filter by cause, run as n8n runs it: the BUILT trigger's `webhook()` in n8n-core's
 * WebhookContext, with deliveries of the sandbox's own `customer.updated` events signed as Stripe signs them, and the
 * causing transaction looked up in the sandbox. What n8n starts is what `webhook()` returns: `workflowData`, or none.
 * Publishing's reachability check runs in n8n-core's HookContext. The real n8n: test/e2e/trigger.e2e.test.ts.
 */
import type { IDataObject } from 'n8n-workflow';

import { CAUSE_WORDS } from '../../nodes/StripeCustomerBalance/trigger/causes';
import { keepEndpoint } from '../../nodes/StripeCustomerBalance/trigger/endpointState';
import { credentialsFor, useSandbox, type Sandbox } from './support';
import { checkExistsOnPublish, deliver, type Delivery } from './triggerHarness';

const sandbox = useSandbox();
const SECRET = 'whsec_engineTriggerTest000000000000';

/** A trigger with its endpoint known (as publishing leaves it: the secret sealed), at a version, with these choices. */
function trigger(typeVersion: number, parameters: IDataObject) {
	const credentials = credentialsFor(sandbox()).stripeCustomerBalanceApi;
	const staticData: IDataObject = {};
	keepEndpoint(staticData, 'endpoint', { id: 'we_engineTrigger', secret: SECRET, url: 'http://127.0.0.1:5678/webhook/x/webhook' }, credentials.secretKey);
	return { typeVersion, parameters: { event: 'balanceChanged', ...parameters }, credentials, staticData };
}

/** The newest event of the sandbox, delivered to the trigger. */
async function deliverNewest(setup: ReturnType<typeof trigger>): Promise<Delivery> {
	return await deliver(setup, sandbox().events().at(-1)!, SECRET);
}

const started = (delivery: Delivery) => delivery.returned.workflowData?.[0].map((item) => item.json) ?? [];

/** A customer who owes `owed` (cents) and whose next invoice collects it: applied_to_invoice, the balance down to 0. */
function debtCollected(owed: number): string {
	const customer = sandbox().createCustomer({ currency: 'eur', balance: owed }).id;
	sandbox().applyBalanceToInvoice(customer, { invoiceTotal: 2000, currency: 'eur' });
	return customer;
}

describe('version 2, Credits Given: credits given, not debts paid down', () => {
	it('an invoice collecting what the customer owed starts nothing; Stripe is answered 200 all the same', async () => {
		debtCollected(500);
		const delivery = await deliverNewest(trigger(2, { changes: 'credits' }));

		expect(delivery.answer.status).toBe(200);
		expect(delivery.returned).toEqual({ noWebhookResponse: true });
		expect(delivery.returned).not.toHaveProperty('workflowData');
	});

	it('a credit given starts one execution, whose item says what happened in words', async () => {
		const customer = sandbox().createCustomer({ currency: 'eur', name: 'Jane' }).id;
		const transaction = sandbox().createTransaction(customer, { amount: -500, currency: 'eur' });
		const delivery = await deliverNewest(trigger(2, { changes: 'credits' }));

		expect(delivery.answer.status).toBe(200);
		const [item, ...others] = started(delivery);
		expect(others).toEqual([]);
		expect(item).toMatchObject({
			direction: 'credit',
			change: -500,
			cause: 'adjustment',
			causeText: CAUSE_WORDS.adjustment.text,
			causeType: 'adjustment',
			asWritten: { amount: 5, currency: 'EUR', direction: 'credit', summary: '5.00 EUR credit', balanceBefore: '0.00 EUR', balanceAfter: '5.00 EUR credit' },
			balanceTransaction: { id: transaction.id, type: 'adjustment' },
		});
	});

	it('version 1\'s Credits Only keeps its meaning: the same debt collected starts an execution, now saying an invoice did it', async () => {
		debtCollected(500);
		const [item] = started(await deliverNewest(trigger(1, { changes: 'credits' })));

		expect(item).toMatchObject({ direction: 'credit', previousBalance: 500, newBalance: 0, cause: 'invoice', causeType: 'applied_to_invoice' });
		expect(item.asWritten).toEqual({ amount: 5, currency: 'EUR', direction: 'credit', summary: '5.00 EUR credit', balanceBefore: '5.00 EUR owed', balanceAfter: '0.00 EUR' });
	});
});

describe('version 2, Debits Made and Causes', () => {
	it('Debits Made: an invoice using up the credit starts nothing, a debit someone made starts one', async () => {
		const customer = sandbox().createCustomer({ currency: 'eur', balance: -1000 }).id;
		sandbox().applyBalanceToInvoice(customer, { invoiceTotal: 5000, currency: 'eur' });
		expect(started(await deliverNewest(trigger(2, { changes: 'debits' })))).toEqual([]);

		sandbox().createTransaction(customer, { amount: 300, currency: 'eur' });
		expect(started(await deliverNewest(trigger(2, { changes: 'debits' }))).map((item) => [item.cause, item.change])).toEqual([['adjustment', 300]]);
	});

	it('Any Change with Causes "an invoice or payment used the balance": the invoice starts one, a credit someone made none', async () => {
		const customer = sandbox().createCustomer({ currency: 'eur', balance: -1000 }).id;
		sandbox().applyBalanceToInvoice(customer, { invoiceTotal: 400, currency: 'eur' });
		const [item] = started(await deliverNewest(trigger(2, { changes: 'any', causes: ['invoice'] })));
		expect(item).toMatchObject({ cause: 'invoice', causeText: CAUSE_WORDS.invoice.text, change: 400, asWritten: { summary: '4.00 EUR debit', balanceAfter: '6.00 EUR credit' } });

		sandbox().createTransaction(customer, { amount: -100, currency: 'eur' });
		expect(started(await deliverNewest(trigger(2, { changes: 'any', causes: ['invoice'] })))).toEqual([]);
	});
});

describe('when the causing transaction cannot be found: the conservative choice', () => {
	/** Every look-up of the customer's transactions fails (the look-up's try and its one retry). */
	const lookupFails = (s: Sandbox) => s.setFaults({ script: [0, 1, 2].map(() => ({ fault: '500' as const, method: 'GET' as const, pathIncludes: '/balance_transactions' })) });

	it('a credit whose look-up failed starts no Credits Given workflow, nor one limited to Causes', async () => {
		const customer = sandbox().createCustomer({ currency: 'eur' }).id;
		sandbox().createTransaction(customer, { amount: -500, currency: 'eur' });
		lookupFails(sandbox());
		expect(started(await deliverNewest(trigger(2, { changes: 'credits' })))).toEqual([]);
		lookupFails(sandbox());
		expect(started(await deliverNewest(trigger(2, { changes: 'any', causes: ['adjustment'] })))).toEqual([]);
	});

	it('Any Change (no Causes) starts it, saying the cause could not be told and why', async () => {
		const customer = sandbox().createCustomer({ currency: 'eur' }).id;
		sandbox().createTransaction(customer, { amount: -500, currency: 'eur' });
		lookupFails(sandbox());
		const [item] = started(await deliverNewest(trigger(2, { changes: 'any' })));

		expect(item).toMatchObject({ cause: 'unknown', causeText: CAUSE_WORDS.unknown.text, causeType: null, balanceTransaction: null });
		expect(item.balanceTransactionNote).toMatch(/^Could not look up the balance transaction/);
	});

	it('a balance that moved with no transaction that fits is not taken for a credit given; Causes "the cause could not be told" opts in', async () => {
		const customer = sandbox().createCustomer({ currency: 'eur' });
		// An event whose balance change no transaction of the customer made.
		const event = {
			id: 'evt_noFittingTransaction0001',
			object: 'event',
			type: 'customer.updated',
			created: Math.floor(Date.now() / 1000),
			livemode: false,
			data: { object: { ...customer, balance: -800 }, previous_attributes: { balance: 0 } },
		};
		expect(started(await deliver(trigger(2, { changes: 'credits' }), event, SECRET))).toEqual([]);
		const [item] = started(await deliver(trigger(2, { changes: 'any', causes: ['unknown'] }), { ...event, id: 'evt_noFittingTransaction0002' }, SECRET));
		expect(item).toMatchObject({ cause: 'unknown', balanceTransaction: null, balanceTransactionNote: expect.stringMatching(/^None of the customer's/) });
	});
});

describe('publishing where Stripe cannot reach n8n', () => {
	it('fails before anything is sent when n8n\'s webhook URL is localhost and the credential points at Stripe, saying how to fix it', async () => {
		const setup = { ...trigger(2, { changes: 'credits' }), credentials: { secretKey: 'sk_test_publishFromLocalhost0001', baseUrl: 'https://api.stripe.com' } };
		const failure = await checkExistsOnPublish(setup).then(
			() => undefined,
			(error: Error & { description?: string }) => error,
		);
		expect(failure?.message).toMatch(/^Stripe cannot send events to this n8n: n8n's webhook URL http:\/\/localhost:5678 is on this machine \(localhost\): Stripe cannot reach it\. Set WEBHOOK_URL to this n8n's public https address \(on your own computer: a tunnel's\)/);
		expect(failure?.description).toMatch(/WEBHOOK_URL=https:\/\/.*tunnel/);
	});

	it('goes on when the credential\'s Stripe is a local test server on this machine (the sandbox), which reaches loopback', async () => {
		await expect(checkExistsOnPublish(trigger(2, { changes: 'credits' }))).resolves.toBe(false);
		expect(sandbox().requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /v1/webhook_endpoints']);
	});
});
