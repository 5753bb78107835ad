/**
 * The trigger's words for what caused a balance change (Stripe's transaction types in groups), version 2's filter
 * by cause with its conservative choice, and the check that Stripe can reach n8n's webhook URL. The trigger runs
 * with them in test/engine/trigger.test.ts and in the real n8n in test/e2e/trigger.e2e.test.ts.
 */
import { CAUSES, causeFields, causeOfType, passes, reachableCauses, type Cause, type TriggerFilter } from '../../nodes/StripeCustomerBalance/trigger/causes';
import { unreachableBecause } from '../../nodes/StripeCustomerBalance/trigger/reachability';

// Stripe's balance transaction types at API version 2026-07-29 (customer_balance_transaction.type).
const STRIPE_TYPES: Array<[string, Cause]> = [
	['adjustment', 'adjustment'],
	['initial', 'adjustment'],
	['applied_to_invoice', 'invoice'],
	['checkout_session_subscription_payment', 'invoice'],
	['unapplied_from_invoice', 'givenBack'],
	['checkout_session_subscription_payment_canceled', 'givenBack'],
	['credit_note', 'creditNote'],
	['invoice_overpaid', 'overpaid'],
	['unspent_receiver_credit', 'overpaid'],
	['invoice_too_small', 'carriedOver'],
	['invoice_too_large', 'carriedOver'],
	['migration', 'other'],
];

describe('what caused a change, in words', () => {
	it.each(STRIPE_TYPES)('Stripe\'s %s is "%s"', (type, cause) => {
		expect(causeOfType(type)).toBe(cause);
	});

	it('a type Stripe adds later is "another cause", named; no transaction is "the cause could not be told"', () => {
		expect(causeFields({ type: 'future_type' })).toEqual({ cause: 'other', causeText: 'another cause Stripe names: future_type', causeType: 'future_type' });
		expect(causeFields(null)).toEqual({ cause: 'unknown', causeText: 'the cause could not be told', causeType: null });
	});
});

describe('version 2\'s filter', () => {
	const v2 = (changes: TriggerFilter['changes'], causes: Cause[] = []): TriggerFilter => ({ version: 2, changes, causes });
	const credit = { direction: 'credit' as const };
	const debit = { direction: 'debit' as const };
	const passing = (change: typeof credit | typeof debit, filter: TriggerFilter) => CAUSES.filter((cause) => passes(change, cause, filter));

	it('Credits Given: credits by a cause that gives, never a payment collecting a debt, another or an untold cause', () => {
		expect(passing(credit, v2('credits'))).toEqual(['adjustment', 'givenBack', 'creditNote', 'overpaid', 'carriedOver']);
		expect(passing(debit, v2('credits'))).toEqual([]);
	});

	it('Debits Made: debits by a cause that takes, never an invoice using up the credit', () => {
		expect(passing(debit, v2('debits'))).toEqual(['adjustment', 'givenBack', 'creditNote', 'overpaid', 'carriedOver']);
		expect(passing(credit, v2('debits'))).toEqual([]);
	});

	it('Any Change: every cause, also an untold one; Causes keeps only those chosen', () => {
		expect(passing(credit, v2('any'))).toEqual([...CAUSES]);
		expect(passing(debit, v2('any', ['invoice', 'unknown']))).toEqual(['invoice', 'unknown']);
		expect(passing(credit, v2('credits', ['invoice', 'creditNote']))).toEqual(['creditNote']);
	});

	it('version 1 reads the direction alone, whatever the cause', () => {
		expect(passing(credit, { version: 1, changes: 'credits', causes: [] })).toEqual([...CAUSES]);
	});

	it('a filter that can never pass anything is told apart (it fails publishing)', () => {
		expect(reachableCauses(v2('credits', ['invoice', 'other', 'unknown']))).toEqual([]);
		expect(reachableCauses(v2('any', ['invoice']))).toEqual(['invoice']);
	});
});

describe('whether Stripe can reach n8n\'s webhook URL', () => {
	it.each([
		['http://localhost:5678/webhook/abc/webhook', /on this machine \(localhost\)/],
		['http://127.0.0.1:5678/webhook/abc/webhook', /on this machine \(127\.0\.0\.1\)/],
		['https://n8n.localhost/webhook/abc/webhook', /on this machine/],
		['http://[::1]:5678/webhook/abc/webhook', /on this machine/],
		['http://0.0.0.0:5678/webhook/abc/webhook', /on this machine/],
		['http://192.168.1.20:5678/webhook/abc/webhook', /private network address/],
		['http://10.0.0.5/webhook/abc/webhook', /private network address/],
		['http://172.20.0.3:5678/webhook/abc/webhook', /private network address/],
		['http://n8n:5678/webhook/abc/webhook', /host name without a domain \(n8n\)/],
	])('%s: refused', (url, reason) => {
		expect(unreachableBecause(url, false, false)).toMatch(reason);
	});

	it('plain http is refused with a live key (Stripe sends live events to https only), accepted with a test key', () => {
		expect(unreachableBecause('http://n8n.example.com/webhook/abc/webhook', true, false)).toMatch(/plain http, and Stripe sends live-mode events only to https URLs/);
		expect(unreachableBecause('http://n8n.example.com/webhook/abc/webhook', false, false)).toBeUndefined();
		expect(unreachableBecause('https://n8n.example.com/webhook/abc/webhook', true, false)).toBeUndefined();
		expect(unreachableBecause('https://172.32.0.1/webhook/abc/webhook', true, false)).toBeUndefined();
	});

	it('a local test Stripe on this machine (the credential\'s Base URL on loopback) reaches loopback: nothing refused', () => {
		expect(unreachableBecause('http://127.0.0.1:5678/webhook/abc/webhook', true, true)).toBeUndefined();
	});
});
