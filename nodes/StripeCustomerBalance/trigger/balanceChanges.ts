import { decimalsOf } from '../amounts';

/** One balance that moved, in Stripe's sign: a negative balance is credit the customer holds, a negative change a credit. */
export interface BalanceChange {
	currency: string;
	/** `balance` (the customer's default currency) or `invoice_credit_balance` (a credit balance per currency). */
	balanceField: 'balance' | 'invoice_credit_balance';
	previousBalance: number;
	newBalance: number;
	change: number;
	direction: 'credit' | 'debit';
	/** The change as written in the currency, always positive: 10 for a 10.00 EUR credit or debit. */
	amount: number;
}

/** A JSON object as an event carries it. */
export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

function changeOf(currency: string, balanceField: BalanceChange['balanceField'], previousBalance: number, newBalance: number): BalanceChange | undefined {
	const change = newBalance - previousBalance;
	if (change === 0) return undefined;
	const decimals = decimalsOf(currency);
	return {
		currency,
		balanceField,
		previousBalance,
		newBalance,
		change,
		direction: change < 0 ? 'credit' : 'debit',
		amount: Number((Math.abs(change) / 10 ** decimals).toFixed(decimals)),
	};
}

/**
 * The balance changes a `customer.updated` event carries. Stripe sends no event of its own for balance transactions:
 * a change shows as `balance` and/or `invoice_credit_balance` in `data.previous_attributes`, the new values in
 * `data.object`. `invoice_credit_balance` is positive for credit, the opposite of `balance`; both are reported in
 * `balance`'s sign. A currency that moved in both fields is reported once, as `balance`.
 */
export function balanceChangesOf(event: Json): BalanceChange[] {
	const data = isObject(event.data) ? event.data : {};
	const customer = isObject(data.object) ? data.object : {};
	const previous = isObject(data.previous_attributes) ? data.previous_attributes : {};
	const changes: BalanceChange[] = [];

	const currency = typeof customer.currency === 'string' ? customer.currency : undefined;
	if (currency && isInteger(previous.balance) && isInteger(customer.balance)) {
		const change = changeOf(currency, 'balance', previous.balance, customer.balance);
		if (change) changes.push(change);
	}

	const previousCredit = previous.invoice_credit_balance;
	const newCredit = isObject(customer.invoice_credit_balance) ? customer.invoice_credit_balance : {};
	if (isObject(previousCredit)) {
		// The currencies whose entry changed, each with its previous value (null: it had none before).
		for (const [creditCurrency, before] of Object.entries(previousCredit)) {
			if (changes.some((change) => change.currency === creditCurrency)) continue;
			const after = newCredit[creditCurrency];
			if (!isInteger(after)) continue;
			const change = changeOf(creditCurrency, 'invoice_credit_balance', isInteger(before) ? 0 - before : 0, 0 - after);
			if (change) changes.push(change);
		}
	}
	return changes;
}
