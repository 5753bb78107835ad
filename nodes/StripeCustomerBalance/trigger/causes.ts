import type { IDataObject } from 'n8n-workflow';

import type { BalanceChange } from './balanceChanges';

/** The Changes dropdown's values, at both versions (what they mean differs: `passes`). */
export type ChangeFilter = 'any' | 'credits' | 'debits';

/**
 * What caused a balance change, in words users know: Stripe's balance transaction types (API 2026-07-29) grouped.
 * `unknown`: the causing transaction could not be found (the look-up failed, or no single transaction fits).
 */
export const CAUSES = ['adjustment', 'invoice', 'givenBack', 'creditNote', 'overpaid', 'carriedOver', 'other', 'unknown'] as const;
export type Cause = (typeof CAUSES)[number];

/** Each cause: what the trigger's output calls it, and what the Causes dropdown shows. */
export const CAUSE_WORDS: Record<Cause, { name: string; text: string }> = {
	adjustment: { name: 'A Credit or Debit Someone Made', text: 'a credit or debit someone made (Dashboard, API, a workflow), or the balance set at the start' },
	invoice: { name: 'An Invoice or Payment Used the Balance', text: 'an invoice or a payment used the balance (credit used up, or what the customer owed collected)' },
	givenBack: { name: 'A Voided Invoice or Canceled Payment Gave It Back', text: 'a voided invoice or a canceled payment gave back the balance it had used' },
	creditNote: { name: 'A Credit Note', text: 'a credit note' },
	overpaid: { name: 'The Customer Paid More Than Was Due', text: 'the customer paid more than was due (an overpaid invoice, an unspent transfer)' },
	carriedOver: { name: 'An Invoice Amount Carried to the Next Invoice', text: 'an invoice amount carried over to the next invoice (too small or too large to charge)' },
	other: { name: 'Another Cause Stripe Names', text: 'another cause Stripe names' },
	unknown: { name: 'The Cause Could Not Be Told', text: 'the cause could not be told' },
};

/** Stripe's transaction types, each in its group. A type not listed here (one Stripe adds later) is `other`. */
const TYPE_TO_CAUSE: Record<string, Cause> = {
	adjustment: 'adjustment',
	initial: 'adjustment',
	applied_to_invoice: 'invoice',
	checkout_session_subscription_payment: 'invoice',
	unapplied_from_invoice: 'givenBack',
	checkout_session_subscription_payment_canceled: 'givenBack',
	credit_note: 'creditNote',
	invoice_overpaid: 'overpaid',
	unspent_receiver_credit: 'overpaid',
	invoice_too_small: 'carriedOver',
	invoice_too_large: 'carriedOver',
	migration: 'other',
};

export function causeOfType(type: unknown): Cause {
	return typeof type === 'string' ? (TYPE_TO_CAUSE[type] ?? 'other') : 'unknown';
}

/** The output's words about the cause: `cause`, `causeText`, `causeType` (Stripe's transaction type, or null). */
export function causeFields(transaction: IDataObject | null): { cause: Cause; causeText: string; causeType: string | null } {
	const type = transaction && typeof transaction.type === 'string' ? transaction.type : null;
	const cause = transaction === null ? 'unknown' : causeOfType(type);
	const text = cause === 'other' ? `${CAUSE_WORDS.other.text}: ${type}` : CAUSE_WORDS[cause].text;
	return { cause, causeText: text, causeType: type };
}

/**
 * Version 2's Changes, by cause: a credit **given** (the balance went down, and not because a payment collected what
 * the customer owed) or a debit **made** (the balance went up, and not because a payment used their credit). A cause
 * that is not known to give or take (`other`, `unknown`) passes neither: the trigger never starts a "credit given"
 * workflow on a guess.
 */
const GIVES_OR_TAKES: ReadonlySet<Cause> = new Set(['adjustment', 'givenBack', 'creditNote', 'overpaid', 'carriedOver']);

/** The filter of one trigger: Changes (as its node version means it) and, at version 2, Causes (empty: any). */
export interface TriggerFilter {
	version: number;
	changes: ChangeFilter;
	causes: Cause[];
}

/** Version 1: the direction alone, as it always did; version 2 also needs `direction` before a look-up is worth it. */
export function mayPass(change: Pick<BalanceChange, 'direction'>, filter: TriggerFilter): boolean {
	if (filter.changes === 'credits') return change.direction === 'credit';
	if (filter.changes === 'debits') return change.direction === 'debit';
	return true;
}

/** Whether a change with this cause passes the filter (version 1 never asks: its filter is `mayPass`). */
export function passes(change: Pick<BalanceChange, 'direction'>, cause: Cause, filter: TriggerFilter): boolean {
	if (!mayPass(change, filter)) return false;
	if (filter.version < 2) return true;
	if (filter.changes !== 'any' && !GIVES_OR_TAKES.has(cause)) return false;
	return filter.causes.length === 0 || filter.causes.includes(cause);
}

/** The causes a version-2 filter's Changes can ever let through among those chosen: none means it never starts. */
export function reachableCauses(filter: TriggerFilter): Cause[] {
	const chosen = filter.causes.length === 0 ? [...CAUSES] : filter.causes;
	return filter.changes === 'any' ? chosen : chosen.filter((cause) => GIVES_OR_TAKES.has(cause));
}
