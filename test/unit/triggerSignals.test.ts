/**
 * What the Stripe Customer Balance Trigger makes of a delivery, piece by piece: the signature (checked against what the
 * official `stripe` package signs and accepts), and the balance changes a `customer.updated` event carries (the memory
 * of delivered events: test/unit/deliveredEvents.test.ts). The whole trigger runs in the real n8n in test/e2e/trigger.e2e.test.ts.
 */
import Stripe from 'stripe';

import { balanceChangesOf } from '../../nodes/StripeCustomerBalance/trigger/balanceChanges';
import { mayPass } from '../../nodes/StripeCustomerBalance/trigger/causes';
import { verifySignature } from '../../nodes/StripeCustomerBalance/trigger/signature';

const stripe = new Stripe('sk_test_signatureReference000000');
const secret = 'whsec_0123456789abcdefghijklmnopqrstuv';
const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'customer.updated' }, null, 2);
const now = 1_800_000_000;

const signed = (options: { timestamp?: number; secret?: string; body?: string } = {}) =>
	stripe.webhooks.generateTestHeaderString({ payload: options.body ?? payload, secret: options.secret ?? secret, timestamp: options.timestamp ?? now });

describe('the Stripe-Signature header', () => {
	it('accepts what Stripe signs, and so does stripe-node', () => {
		const header = signed();
		expect(verifySignature(Buffer.from(payload), header, secret, now)).toEqual({ valid: true, timestamp: now });
		expect(() => stripe.webhooks.constructEvent(payload, header, secret, 300, undefined, now)).not.toThrow();
	});

	it('accepts any one matching v1 among several (a secret being rolled), wherever it stands', () => {
		const good = signed().split(',v1=')[1];
		const header = `t=${now},v1=${'0'.repeat(64)},v0=ignored,v1=${good}`;
		expect(verifySignature(Buffer.from(payload), header, secret, now).valid).toBe(true);
	});

	it.each([
		['another secret', () => signed({ secret: 'whsec_someoneElse000000000000000000' }), 'no v1 signature matches'],
		['a body changed after signing', () => signed({ body: payload.replace('evt_1', 'evt_2') }), 'no v1 signature matches'],
		['a timestamp 6 minutes old', () => signed({ timestamp: now - 360 }), 'more than 5 minutes off'],
		['a timestamp 6 minutes ahead', () => signed({ timestamp: now + 360 }), 'more than 5 minutes off'],
		['no v1 at all', () => `t=${now},v0=${'a'.repeat(64)}`, 'no timestamp or no v1'],
		['no timestamp', () => `v1=${'a'.repeat(64)}`, 'no timestamp or no v1'],
		['a v1 that is not hex', () => `t=${now},v1=zz`, 'no v1 signature matches'],
		['no header', () => undefined, 'header is missing'],
	])('refuses %s', (_case, header, reason) => {
		const verdict = verifySignature(Buffer.from(payload), header(), secret, now);
		expect(verdict).toEqual({ valid: false, reason: expect.stringContaining(reason) });
	});

	it('refuses everything while the trigger knows no secret, and never quotes the body or the secret', () => {
		const verdict = verifySignature(Buffer.from(payload), signed(), undefined, now);
		expect(verdict).toEqual({ valid: false, reason: expect.stringContaining('no endpoint secret') });
		const reasons = [verdict, verifySignature(Buffer.from(payload), signed({ secret: 'whsec_x' }), secret, now)].map((v) => JSON.stringify(v));
		for (const reason of reasons) {
			expect(reason).not.toContain('evt_1');
			expect(reason).not.toContain(secret);
		}
	});

	it('accepts exactly 5 minutes off, as Stripe\'s libraries do', () => {
		expect(verifySignature(Buffer.from(payload), signed({ timestamp: now - 300 }), secret, now).valid).toBe(true);
	});
});

const customerUpdated = (object: Record<string, unknown>, previous: Record<string, unknown>) => ({
	id: 'evt_1',
	type: 'customer.updated',
	created: now,
	data: { object: { id: 'cus_1', email: 'jane@example.com', name: 'Jane', ...object }, previous_attributes: previous },
});

describe('the balance changes in a customer.updated event', () => {
	it('a credit of 10 EUR: the balance went from 0 to -1000', () => {
		const event = customerUpdated({ currency: 'eur', balance: -1000, invoice_credit_balance: { eur: 1000 } }, { balance: 0, invoice_credit_balance: { eur: 0 } });
		expect(balanceChangesOf(event)).toEqual([
			{ currency: 'eur', balanceField: 'balance', previousBalance: 0, newBalance: -1000, change: -1000, direction: 'credit', amount: 10 },
		]);
	});

	it('a debit that an invoice made: the balance went up; amounts as written in each currency\'s unit', () => {
		const event = customerUpdated({ currency: 'jpy', balance: -500 }, { balance: -1700 });
		expect(balanceChangesOf(event)).toEqual([expect.objectContaining({ change: 1200, direction: 'debit', amount: 1200 })]);
		const kwd = customerUpdated({ currency: 'kwd', balance: 1230 }, { balance: 0 });
		expect(balanceChangesOf(kwd)).toEqual([expect.objectContaining({ amount: 1.23 })]);
	});

	it('a credit balance in another currency (invoice_credit_balance, positive for credit) is reported in balance\'s sign', () => {
		const event = customerUpdated({ currency: 'eur', balance: 0, invoice_credit_balance: { eur: 0, usd: 500 } }, { invoice_credit_balance: { usd: 0 } });
		expect(balanceChangesOf(event)).toEqual([
			{ currency: 'usd', balanceField: 'invoice_credit_balance', previousBalance: 0, newBalance: -500, change: -500, direction: 'credit', amount: 5 },
		]);
	});

	it('a first credit in a new currency: its previous entry is null, read as 0; other currencies are not changes', () => {
		const event = customerUpdated({ currency: 'eur', balance: -1000, invoice_credit_balance: { eur: 1000, gbp: 250 } }, { invoice_credit_balance: { gbp: null } });
		expect(balanceChangesOf(event)).toEqual([expect.objectContaining({ currency: 'gbp', previousBalance: 0, newBalance: -250, direction: 'credit', amount: 2.5 })]);
	});

	it('other changes of a customer carry no balance change', () => {
		expect(balanceChangesOf(customerUpdated({ currency: 'eur', balance: -1000 }, { email: 'old@example.com' }))).toEqual([]);
		expect(balanceChangesOf(customerUpdated({ currency: 'eur', balance: -1000 }, { balance: -1000 }))).toEqual([]);
		expect(balanceChangesOf({ type: 'customer.updated' })).toEqual([]);
	});

	it('a credit balance whose new value the event does not carry is not guessed', () => {
		expect(balanceChangesOf(customerUpdated({ currency: 'eur', balance: 0 }, { invoice_credit_balance: { usd: 0 } }))).toEqual([]);
	});

	it('version 1\'s filter: credits only, debits only, or any, by the direction alone', () => {
		const [credit] = balanceChangesOf(customerUpdated({ currency: 'eur', balance: -1 }, { balance: 0 }));
		const at = (changes: 'any' | 'credits' | 'debits') => mayPass(credit, { version: 1, changes, causes: [] });
		expect([at('any'), at('credits'), at('debits')]).toEqual([true, true, false]);
	});
});
