import type { IDataObject } from 'n8n-workflow';

import { decimalsOf } from './amounts';

/**
 * Money as people read it, beside Stripe's own fields (which stay as Stripe sends them). Stripe counts in the smallest
 * unit with a sign that differs by field: a transaction's `amount` and a customer's `balance` are negative for a credit,
 * `invoice_credit_balance` is positive for one. Every output that carries money adds one `asWritten` object built here,
 * so the words and the field names are the same everywhere (docs/FIELDS.md, "Amounts as written").
 */

/** 400 EUR cents -> "4.00", 1200 JPY -> "1200", -1230 KWD fils -> "1.230": always every decimal, never a sign. */
export function decimalText(minor: number, currency: string): string {
	const decimals = decimalsOf(currency.toLowerCase());
	const digits = String(Math.abs(Math.trunc(minor))).padStart(decimals + 1, '0');
	return decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/** "4.00 EUR": an unsigned size with its currency. */
export function moneyText(minor: number, currency: string): string {
	return `${decimalText(minor, currency)} ${currency.toUpperCase()}`;
}

/** What a change does for the customer: a credit lowers what they owe (Stripe's negative amount), a debit raises it. */
export function directionOf(stripeAmount: number): 'credit' | 'debit' {
	return stripeAmount < 0 ? 'credit' : 'debit';
}

/** A change as written: Stripe's signed amount -500 EUR -> "5.00 EUR credit". */
export function changeText(stripeAmount: number, currency: string): string {
	return `${moneyText(stripeAmount, currency)} ${directionOf(stripeAmount)}`;
}

/**
 * A balance as written, from Stripe's `balance` sign (negative: the customer holds credit; positive: they owe it):
 * -1250 -> "12.50 EUR credit", 300 -> "3.00 EUR owed", 0 -> "0.00 EUR".
 */
export function balanceText(stripeBalance: number, currency: string): string {
	if (stripeBalance === 0) return moneyText(0, currency);
	return `${moneyText(stripeBalance, currency)} ${stripeBalance < 0 ? 'credit' : 'owed'}`;
}

/** The amount as a number in the currency's units (-500 EUR cents -> 5): unsigned, for comparing and summing. */
export function decimalNumber(minor: number, currency: string): number {
	return Number(decimalText(minor, currency));
}

/**
 * A balance transaction's `asWritten`: `{ amount: 4, currency: "EUR", direction: "credit", summary: "4.00 EUR credit",
 * balanceAfter: "12.50 EUR credit" }`. Undefined when the object carries no amount and currency.
 */
export function transactionAsWritten(transaction: IDataObject): IDataObject | undefined {
	const { amount, currency } = transaction;
	if (typeof amount !== 'number' || typeof currency !== 'string' || currency === '') return undefined;
	const written: IDataObject = {
		amount: decimalNumber(amount, currency),
		currency: currency.toUpperCase(),
		direction: directionOf(amount),
		summary: changeText(amount, currency),
	};
	if (typeof transaction.ending_balance === 'number') written.balanceAfter = balanceText(transaction.ending_balance, currency);
	return written;
}

/** A transaction with its `asWritten` added after Stripe's fields (which are kept as they are). */
export function withTransactionAsWritten(transaction: IDataObject): IDataObject {
	const written = transactionAsWritten(transaction);
	return written ? { ...transaction, asWritten: written } : transaction;
}

/**
 * A customer's balances as written: `balance` in the customer's currency (Stripe's `balance`), and `creditBalances`, one
 * phrase per currency of `invoice_credit_balance` (whose positive values are credit), e.g. `{ EUR: "12.50 EUR credit" }`.
 */
export function customerBalancesAsWritten(customer: IDataObject): IDataObject {
	const currency = typeof customer.currency === 'string' && customer.currency !== '' ? customer.currency : undefined;
	const balance = typeof customer.balance === 'number' ? customer.balance : 0;
	const credits = (customer.invoice_credit_balance ?? {}) as Record<string, unknown>;
	const creditBalances: IDataObject = {};
	for (const [code, value] of Object.entries(credits)) {
		if (typeof value === 'number') creditBalances[code.toUpperCase()] = balanceText(-value, code);
	}
	return { balance: currency ? balanceText(balance, currency) : null, creditBalances };
}

/**
 * A balance change as written (the trigger's `asWritten`): the same words as a transaction's, and the balance before:
 * `{ amount: 5, currency: "EUR", direction: "credit", summary: "5.00 EUR credit", balanceBefore: "5.00 EUR owed",
 * balanceAfter: "0.00 EUR" }`. `change` and the balances are in Stripe's `balance` sign.
 */
export function changeAsWritten(change: { change: number; currency: string; previousBalance: number; newBalance: number }): IDataObject {
	const { change: amount, currency } = change;
	return {
		amount: decimalNumber(amount, currency),
		currency: currency.toUpperCase(),
		direction: directionOf(amount),
		summary: changeText(amount, currency),
		balanceBefore: balanceText(change.previousBalance, currency),
		balanceAfter: balanceText(change.newBalance, currency),
	};
}
